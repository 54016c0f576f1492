import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { SEPARATING_ENGINES } from "../../src/audio/engines/index.js";
import { freePort } from "../../src/broker/free-port.js";
import { fromRoot } from "../../src/process/project-paths.js";
import { nodeArgsFor } from "../../src/process/spawn-entry.js";
import { type Benchmark, type Figure, figure } from "../suite/benchmark.js";

const SONG_SECONDS = 180;
const WORKERS = 4;
const DEMO_LINE = /song through (\d+) workers in ([\d.]+)\[s\]; single-process reference ([\d.]+)\[s\]/;
const SAME_LINE = /equals the reference within (\d+) LSB/;

/**
 * `npm run demo` with a 180 s song on 4 workers, per engine that separates: the cluster's time from the choice of
 * tracks to the final mix against the single-process reference on the same file, run right after it on the same
 * machine.
 */
export const parallelSpeedup: Benchmark = {
  name: "parallel-speedup",
  description: `a ${SONG_SECONDS} s song on ${WORKERS} workers against the single-process reference, per engine`,
  async run() {
    const figures: Figure[] = [];
    for (const { name: engine } of SEPARATING_ENGINES) {
      const data = mkdtempSync(join(tmpdir(), "encore-bench-demo-"));
      const demo = await execa(
        process.execPath,
        [
          ...nodeArgsFor(fromRoot("src/cli/demo.ts")),
          "--song-seconds",
          String(SONG_SECONDS),
          "--count",
          String(WORKERS),
          "--engine",
          engine,
          "--port",
          String(await freePort()),
          "--data-dir",
          data,
        ],
        { reject: false },
      ).finally(() => rmSync(data, { recursive: true, force: true }));
      const timing = DEMO_LINE.exec(demo.stdout);
      const same = SAME_LINE.exec(demo.stdout);
      if (demo.exitCode !== 0 || !timing || !same)
        throw new Error(
          `the demo with engine ${engine} failed (exit ${demo.exitCode}):\n${demo.stderr.slice(-2000)}`,
        );
      if (Number(same[1]) !== 0) throw new Error(`engine ${engine}: the cluster's mix is ${same[1]} LSB off`);
      figures.push(
        figure(
          `${engine}: ${SONG_SECONDS} s song on ${timing[1]} workers`,
          "s",
          Number(timing[2]),
          { label: "single-process reference", value: Number(timing[3]) },
          "lower",
          { text: "≥ 1.3× faster than the reference, 0 LSB apart", reached: (_, ratio) => ratio >= 1.3 },
        ),
      );
    }
    return figures;
  },
};
