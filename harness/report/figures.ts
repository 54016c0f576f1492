import type { Spread } from "./summary.js";

/** A moment or a long span: "2.16 s", or "–" when there is nothing to show. */
export const seconds = (ms: number | null | undefined): string =>
  ms === null || ms === undefined ? "–" : `${(ms / 1000).toFixed(2)} s`;

/** A span that may be short: "12 ms" below a second, else as seconds(). */
export const duration = (ms: number | null | undefined): string =>
  ms === null || ms === undefined ? "–" : Math.abs(ms) < 1000 ? `${Math.round(ms)} ms` : seconds(ms);

/** "12 ms / 2.70 s / 3.60 s" (min / median / max), or "–". */
export const spreadDuration = (s: Spread | null): string =>
  s === null ? "–" : `${duration(s.min)} / ${duration(s.median)} / ${duration(s.max)}`;
