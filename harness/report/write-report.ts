import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { detections } from "../checker/detection.js";
import type { RunRecord } from "../run/run-record.js";
import { jaegerJson, readSpanLines } from "./jaeger-trace.js";
import { lostAttemptSpans } from "./lost-attempt-spans.js";

export const REPORT_SCHEMA = "encore-run-report/1";

/** report.json: the documented, machine-readable record of a run (harness/report/SCHEMA.md). */
export function reportJson(run: RunRecord) {
  const { input } = run;
  return {
    schema: REPORT_SCHEMA,
    scenario: input.scenario,
    seed: run.seed,
    replay: run.replay,
    environment: run.environment,
    verdict: run.ok ? "pass" : "fail",
    checks: run.checks,
    chunks: input.ledger,
    faults: input.faults,
    detections: detections(input),
    broker: input.broker,
    output: input.output,
    song: input.song,
    timings: run.timings,
  };
}

const s = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? "–" : `${(ms / 1000).toFixed(2)} s`;

/** report.md: the same run for people. */
export function reportMarkdown(run: RunRecord): string {
  const { input } = run;
  const deliveries = input.ledger.reduce((n, c) => n + c.deliveries.length, 0);
  const redeliveries = input.ledger.reduce((n, c) => n + c.deliveries.filter((d) => d.redelivered).length, 0);
  const duplicates = input.ledger.reduce((n, c) => n + c.duplicatesDropped, 0);
  const lines = [
    `# ${input.scenario.name}: ${run.ok ? "PASS" : "FAIL"}`,
    "",
    `${input.scenario.description}`,
    "",
    `Seed ${run.seed} · broker: ${run.environment.broker.description} (${run.environment.broker.why}) · time scale ${input.scenario.timeScale} · started ${run.timings.startedAt}`,
    "",
    `Replay: \`${run.replay}\``,
    "",
    "## Checks",
    "",
    "| | check | result |",
    "|---|---|---|",
    ...run.checks.map((c) => `| ${c.ok ? "✅" : "❌"} | ${c.title} | ${c.summary.replaceAll("|", "\\|")} |`),
    "",
    "## Summary",
    "",
    "| chunks | deliveries | redeliveries | duplicates dropped | faults | song time | reference (1 process) | broker ready | cluster ready | whole run |",
    "|---|---|---|---|---|---|---|---|---|---|",
    `| ${input.ledger.length} | ${deliveries} | ${redeliveries} | ${duplicates} | ${input.faults.length} | ${s(run.timings.songMs)} | ${s(run.timings.referenceMs)} | ${s(run.timings.brokerReadyMs)} | ${s(run.timings.clusterReadyMs)} | ${s(run.timings.wallMs)} |`,
    "",
  ];
  const found = detections(input);
  if (found.length > 0) {
    lines.push(
      "## Detection (fault → redelivery)",
      "",
      "| fault | worker | job | at | redelivered at | waited for a free worker | detection | bound |",
      "|---|---|---|---|---|---|---|---|",
      ...found.map(
        (d) =>
          `| ${d.fault} | ${d.worker ?? "?"} | ${d.job ?? "none held"} | ${s(d.faultAt)} | ${s(d.redeliveredAt)} | ${s(d.waitForWorkerMs)} | ${d.detectionMs === null ? "–" : `${d.detectionMs} ms`} | ${d.boundMs} ms |`,
      ),
      "",
    );
  }
  lines.push(
    "## Chunks",
    "",
    "| job | chunk | deliveries (worker: outcome) | ACKs | results | accepted from | duplicates dropped |",
    "|---|---|---|---|---|---|---|",
    ...input.ledger.map(
      (c) =>
        `| ${c.job} | ${c.chunk} | ${c.deliveries.map((d) => `${d.worker}: ${d.outcome}${d.redelivered ? " (redelivered)" : ""}`).join(", ")} | ${c.ackedReceipted} | ${c.resultsPublished} | ${c.acceptedFrom ?? "–"} | ${c.duplicatesDropped} |`,
    ),
    "",
  );
  const failed = run.checks.filter((c) => !c.ok && c.witness !== undefined);
  if (failed.length > 0) {
    lines.push("## Witnesses", "");
    for (const c of failed)
      lines.push(`### ${c.check}`, "", "```json", JSON.stringify(c.witness, null, 2), "```", "");
  }
  lines.push(
    "## Timeline",
    "",
    "See `timeline.log` (every process, in the original's log format). Broker counters:",
    "",
  );
  lines.push("```json", JSON.stringify(input.broker, null, 2), "```", "");
  return lines.join("\n");
}

/** History times are fractional ms; whole ms are plenty in a report. */
const TIME_KEYS = new Set(["at", "endedAt", "healedAt", "faultAt", "redeliveredAt"]);
const roundTimes = (key: string, value: unknown) =>
  TIME_KEYS.has(key) && typeof value === "number" ? Math.round(value) : value;

export function writeReports(dir: string, run: RunRecord): void {
  writeFileSync(join(dir, "report.json"), `${JSON.stringify(reportJson(run), roundTimes, 2)}\n`);
  const recorded = readSpanLines(join(dir, "traces"));
  writeFileSync(
    join(dir, "traces.json"),
    `${JSON.stringify(jaegerJson([...recorded, ...lostAttemptSpans(run, recorded)]))}\n`,
  );
  writeFileSync(join(dir, "report.md"), reportMarkdown(run));
}
