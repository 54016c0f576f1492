import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { EXIT_CODES, STATUS_WORDS } from "../checker/checker.js";
import { writeReports } from "../report/write-report.js";
import { judgeRun } from "../run/judge-run.js";

/**
 *   npm run report <run dir>
 * Re-judges a recorded run from its folder (run.json, wire.jsonl, history.jsonl, output/, reference/) and
 * rewrites its reports; exit code as the run's verdict (0 pass, 1 fail, 3 unknown).
 */
const dir = process.argv[2];
if (!dir || !existsSync(join(resolve(dir), "run.json"))) {
  process.stderr.write(
    `usage: npm run report <run dir> (a folder with run.json and events/, e.g. reports/latest)${dir ? `; "${dir}" has no run.json` : ""}\n`,
  );
  process.exit(2);
}
const run = await judgeRun(resolve(dir)).catch((error: Error) => {
  process.stderr.write(`npm run report: ${error.message}\n`);
  process.exit(2);
});
writeReports(resolve(dir), run);
process.stdout.write(`${run.input.scenario.name} (seed ${run.seed}): ${run.verdict.toUpperCase()}\n`);
for (const c of run.checks) process.stdout.write(`  ${STATUS_WORDS[c.status]} ${c.check}: ${c.summary}\n`);
process.stdout.write(`reports rewritten in ${dir}\n`);
process.exit(EXIT_CODES[run.verdict]);
