import { runScenario } from "../scenario-runs.js";
import { type Benchmark, figure } from "../suite/benchmark.js";

const SCENARIO = "crash-2-of-12";

/**
 * `npm run scenario crash-2-of-12` on the local broker from spawn to exit, the build's JavaScript against the
 * same harness under tsx (its processes too). Both must pass: a fast wrong run is no figure.
 */
export const turnaround: Benchmark = {
  name: "turnaround",
  description: `${SCENARIO} on the local broker, spawn to exit, compiled against tsx`,
  async run() {
    const compiled = await runScenario([SCENARIO, "--broker", "local"], true, true);
    const tsx = await runScenario([SCENARIO, "--broker", "local"], true, false);
    for (const [how, run] of [
      ["compiled", compiled],
      ["under tsx", tsx],
    ] as const)
      if (run.verdict !== "pass")
        throw new Error(`${SCENARIO} ${how} did not pass: ${run.verdict} (${run.dir})`);
    return [
      figure(
        `${SCENARIO} wall time`,
        "s",
        compiled.processMs / 1000,
        { label: "under tsx", value: tsx.processMs / 1000 },
        "lower",
        { text: "≤ 30 s including the broker's boot", reached: (s) => s <= 30 },
      ),
    ];
  },
};
