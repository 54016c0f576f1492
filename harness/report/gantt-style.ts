import type { AttemptOutcome } from "../history/ledger.js";
import { element } from "./markup.js";

/** Green for done, warm colours for work thrown away, blue for frozen, greys for work handed back. */
export const OUTCOME_COLOURS: Record<AttemptOutcome, string> = {
  acked: "#66bb6a",
  "stale-ack": "#ffa726",
  crashed: "#ef5350",
  frozen: "#42a5f5",
  "cut-off": "#ff7043",
  nacked: "#ab47bc",
  cancelled: "#bdbdbd",
  "dead-lettered": "#a1887f",
  unfinished: "#e0e0e0",
};

export const OUTCOME_MEANING: Record<AttemptOutcome, string> = {
  acked: "done and ACKed",
  "stale-ack": "ACK failed (connection gone)",
  crashed: "lost: worker killed",
  frozen: "lost: worker frozen",
  "cut-off": "lost: link partitioned or cut",
  nacked: "NACKed",
  cancelled: "cancelled",
  "dead-lettered": "dead-lettered",
  unfinished: "unfinished",
};

export const KILL_COLOUR = "#c62828";
export const FREEZE_COLOUR = "#1565c0";
export const HANDOVER_COLOUR = "#ad1457";
export const MILESTONE_COLOUR = "#546e7a";
export const FROZEN_TINT = "#cfe4f7";
export const LINK_COLOUR = "#e65100";
export const LINK_TINT = "#ffe0b2";

/** How a lane hit by a network fault is labelled while the fault lasts. */
export const LINK_FAULT_WORDS: Readonly<Record<string, string>> = {
  partition: "partitioned",
  cut: "link cut",
  latency: "slow link",
  bandwidth: "squeezed link",
};
/** White outline around text drawn over bars and lines, so it stays readable. */
export const HALO = {
  stroke: "#fff",
  "stroke-width": 3,
  "paint-order": "stroke",
  "stroke-linejoin": "round",
};

export const FONT = "DejaVu Sans, Verdana, Arial, sans-serif";

/** Drawn, not typed: a ✕ or ❄ glyph may be missing from the reader's fonts. */
export function faultIcon(fault: string, x: number, y: number, r: number, cls: string): string {
  const spoke = (angle: number) => {
    const dx = Math.cos(angle) * r * 0.6;
    const dy = Math.sin(angle) * r * 0.6;
    return element("line", { x1: x - dx, y1: y - dy, x2: x + dx, y2: y + dy });
  };
  const spokes =
    fault === "freeze"
      ? [0, Math.PI / 3, (2 * Math.PI) / 3].map(spoke)
      : fault in LINK_FAULT_WORDS
        ? [0].map(spoke)
        : [Math.PI / 4, -Math.PI / 4].map(spoke);
  const fill = fault === "freeze" ? FREEZE_COLOUR : fault in LINK_FAULT_WORDS ? LINK_COLOUR : KILL_COLOUR;
  return element(
    "g",
    { class: cls, stroke: "#fff", "stroke-width": Math.max(1.5, r / 4), "stroke-linecap": "round" },
    element("circle", { cx: x, cy: y, r, fill }),
    ...spokes,
  );
}

/** Shared <defs>: the arrowhead and the hatching of a dead worker's lane. */
export const GANTT_DEFS = element(
  "defs",
  {},
  element(
    "marker",
    {
      id: "gantt-arrowhead",
      viewBox: "0 0 10 10",
      refX: 9,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: "auto-start-reverse",
    },
    element("path", { d: "M0,0 L10,5 L0,10 z", fill: HANDOVER_COLOUR }),
  ),
  element(
    "pattern",
    {
      id: "gantt-dead-hatch",
      width: 8,
      height: 8,
      patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)",
    },
    element("rect", { width: 8, height: 8, fill: "#eceff1" }),
    element("line", { x1: 0, y1: 0, x2: 0, y2: 8, stroke: "#b0bec5", "stroke-width": 3 }),
  ),
);
