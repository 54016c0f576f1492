import { burnCpu, runScenario } from "./scenario-runs.js";

/**
 * Runs one scenario again and again (seeds 1..N) and counts the verdicts, optionally while spinning processes
 * keep the cores busy: a correct product must give no false alarm under load.
 *   npx tsx bench/repeat-scenario.ts <scenario> [runs=20] [busy cores=0] [-- extra scenario options]
 */
const [scenario, runsRaw = "20", coresRaw = "0", ...rest] = process.argv.slice(2);
const extra = rest[0] === "--" ? rest.slice(1) : rest;
if (!scenario) {
  process.stderr.write(
    "usage: npx tsx bench/repeat-scenario.ts <scenario> [runs] [busy cores] [-- options]\n",
  );
  process.exit(2);
}
const stop = burnCpu(Number(coresRaw));
const counts: Record<string, number> = {};
try {
  for (let seed = 1; seed <= Number(runsRaw); seed++) {
    const run = await runScenario([scenario, "--seed", String(seed), ...extra]);
    counts[run.verdict] = (counts[run.verdict] ?? 0) + 1;
    const detection = run.checks.find((c) => c.check === "detection")?.summary ?? "";
    const bad = run.checks.filter((c) => c.status !== "pass").map((c) => `${c.check}: ${c.summary}`);
    process.stdout.write(
      `seed ${seed}: ${run.verdict} (wall ${(run.wallMs / 1000).toFixed(1)} s) ${bad.length ? bad.join(" | ") : detection}${run.dir ? ` [kept ${run.dir}]` : ""}\n`,
    );
  }
} finally {
  stop();
}
process.stdout.write(
  `${scenario}: ${Object.entries(counts)
    .map(([v, n]) => `${n} ${v}`)
    .join(", ")} with ${coresRaw} busy cores\n`,
);
process.exit(Object.keys(counts).every((v) => v === "pass") ? 0 : 1);
