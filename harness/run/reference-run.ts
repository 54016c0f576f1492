import { monotonicMs } from "../../src/events/event-log.js";
import { spawnEntry } from "../../src/process/spawn-entry.js";

/** The single-process reference on the same song file: every stem, the mix of `tracks`, and its MP3. */
export async function runReference(
  songFile: string,
  dir: string,
  tracks: readonly string[],
): Promise<{ ms?: number; error?: string }> {
  const started = monotonicMs();
  const ref = await spawnEntry(
    "separate",
    ["--input", songFile, "--out", dir, "--tracks", tracks.join(",")],
    process.env as Record<string, string>,
  );
  if (ref.exitCode !== 0) return { error: `the reference run failed (exit ${ref.exitCode})` };
  return { ms: Math.round(monotonicMs() - started) };
}
