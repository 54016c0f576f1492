import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fromRoot } from "../src/process/project-paths.js";
import { BENCHMARKS } from "./benchmarks/index.js";
import type { Figure } from "./suite/benchmark.js";

/**
 *   npm run bench [-- --only worker-start,turnaround --out FILE --list]
 * Runs the benchmarks one after another (each alone on the machine), prints every figure as a ratio against its
 * baseline measured in the same run, and writes them all as JSON (reports/bench-<time>.json by default, and
 * reports/bench-latest.json). Exit 1 if a benchmark failed or a goal was missed.
 */
const { values } = parseArgs({
  options: { only: { type: "string" }, out: { type: "string" }, list: { type: "boolean", default: false } },
});
if (values.list) {
  for (const b of BENCHMARKS) process.stdout.write(`${b.name.padEnd(18)} ${b.description}\n`);
  process.exit(0);
}
const wanted = values.only?.split(",").map((name) => name.trim());
const unknown = wanted?.filter((name) => !BENCHMARKS.some((b) => b.name === name));
if (unknown && unknown.length > 0) {
  process.stderr.write(
    `bad setting --only="${values.only}": no benchmark ${unknown.join(", ")} (known: ${BENCHMARKS.map((b) => b.name).join(", ")})\n`,
  );
  process.exit(2);
}
const chosen = BENCHMARKS.filter((b) => !wanted || wanted.includes(b.name));

const number = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
const line = (f: Figure) =>
  `  ${f.name}: ${number(f.value)} ${f.unit} against ${number(f.baseline.value)} ${f.unit} ${f.baseline.label} → ${f.ratio >= 1 ? `${f.ratio.toFixed(2)}× better` : `${(1 / f.ratio).toFixed(2)}× worse`}` +
  (f.goal ? ` · goal ${f.goal.text}: ${f.goal.met ? "met" : "MISSED"}` : "");

const results: {
  benchmark: string;
  description: string;
  figures?: Figure[];
  error?: string;
  seconds: number;
}[] = [];
for (const benchmark of chosen) {
  process.stdout.write(`${benchmark.name}: ${benchmark.description}\n`);
  const started = performance.now();
  const head = { benchmark: benchmark.name, description: benchmark.description };
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  try {
    const figures = await benchmark.run();
    for (const f of figures) process.stdout.write(`${line(f)}\n`);
    results.push({ ...head, figures, seconds: seconds() });
  } catch (error) {
    process.stdout.write(`  FAILED: ${(error as Error).message}\n`);
    results.push({ ...head, error: (error as Error).message, seconds: seconds() });
  }
}

const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "Z");
const out = resolve(values.out ?? fromRoot("reports", `bench-${stamp}.json`));
mkdirSync(join(out, ".."), { recursive: true });
const json = `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`;
writeFileSync(out, json);
if (!values.out) writeFileSync(fromRoot("reports", "bench-latest.json"), json);
process.stdout.write(`figures: ${relative(process.cwd(), out)}\n`);
const missed = results.some((r) => r.error !== undefined || r.figures?.some((f) => f.goal && !f.goal.met));
process.exit(missed ? 1 : 0);
