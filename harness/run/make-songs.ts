import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { makeSongAsync } from "../../src/audio/demo-song.js";
import type { Scenario } from "../scenario/scenario.js";
import type { Plan } from "../schedule/plan.js";

/**
 * Every song the workload uploads, made from the plan's tones, by label. Kept in the run's folder: the
 * references are computed from them, and `npm run report` can redo that.
 */
export async function makeSongs(
  scenario: Scenario,
  seed: number,
  plan: Plan,
  outDir: string,
): Promise<Map<string, string>> {
  mkdirSync(join(outDir, "songs"), { recursive: true });
  const files = new Map<string, string>();
  for (const op of scenario.workload) {
    if (op.op !== "upload") continue;
    const file = join(outDir, "songs", `${op.song}.mp3`);
    await makeSongAsync(file, op.seconds, {
      title: `${scenario.name} seed ${seed} song ${op.song}`,
      artist: "Encore Harness",
      tones: plan.songs[op.song],
    });
    files.set(op.song, file);
  }
  return files;
}
