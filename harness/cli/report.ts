import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeReports } from "../report/write-report.js";
import { judgeRun } from "../run/judge-run.js";

/**
 *   npm run report <run dir>
 * Re-judges a recorded run (run.json + events/) and rewrites its reports; exit code as the run's verdict.
 */
const dir = process.argv[2];
if (!dir || !existsSync(join(resolve(dir), "run.json"))) {
  process.stderr.write(
    `usage: npm run report <run dir> (a folder with run.json and events/, e.g. reports/latest)${dir ? `; "${dir}" has no run.json` : ""}\n`,
  );
  process.exit(2);
}
const run = judgeRun(resolve(dir));
writeReports(resolve(dir), run);
process.stdout.write(
  `${run.input.scenario.name} (seed ${run.seed}): ${run.ok ? "PASS" : "FAIL"}; reports rewritten in ${dir}\n`,
);
process.exit(run.ok ? 0 : 1);
