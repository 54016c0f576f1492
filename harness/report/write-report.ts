import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { detections } from "../checker/detection.js";
import type { RunRecord } from "../run/run-record.js";
import { duration, seconds, spreadDuration } from "./figures.js";
import { reportHtml } from "./html-report.js";
import { jaegerJson, readSpanLines } from "./jaeger-trace.js";
import { junitXml } from "./junit-report.js";
import { lostAttemptSpans } from "./lost-attempt-spans.js";
import { phaseBars } from "./phase-bars.js";
import { prettyJson } from "./pretty-json.js";
import { summarizeRun } from "./summary.js";

export const REPORT_SCHEMA = "encore-run-report/3";

const STATUS_MARKS = { pass: "✅", fail: "❌", unknown: "❔ unknown" } as const;

/** report.json: the documented, machine-readable record of a run (harness/report/SCHEMA.md). */
export function reportJson(run: RunRecord) {
  const { input } = run;
  return {
    schema: REPORT_SCHEMA,
    scenario: input.scenario,
    seed: run.seed,
    replay: run.replay,
    environment: run.environment,
    machine: input.machine,
    verdict: run.verdict,
    checks: run.checks,
    chunks: input.ledger,
    faults: input.faults,
    detections: detections(input),
    broker: input.broker,
    songs: input.songs,
    timings: run.timings,
  };
}

/** report.md: the same run for people (report.html adds the Gantt chart). */
export function reportMarkdown(run: RunRecord): string {
  const { input } = run;
  const sum = summarizeRun(run);
  const lines = [
    `# ${input.scenario.name}: ${run.verdict.toUpperCase()}`,
    "",
    `${input.scenario.description}`,
    "",
    `Seed ${run.seed} · broker: ${run.environment.broker.description} (${run.environment.broker.why}) · ` +
      `Toxiproxy: ${run.environment.toxiproxy.description} · time scale ${input.scenario.timeScale} · started ${run.timings.startedAt}`,
    "",
    `Replay: \`${run.replay}\``,
    "",
    "## Checks",
    "",
    "| | check | result |",
    "|---|---|---|",
    ...run.checks.map(
      (c) =>
        `| ${STATUS_MARKS[c.status]} | **${c.check}**: ${c.title} | ${c.summary.replaceAll("|", "\\|")} |`,
    ),
    "",
    "## Summary",
    "",
    "| chunks | deliveries | redeliveries | duplicates dropped | faults | job time (min / median / max) | queue wait (min / median / max) | merge | song (jobs sent → done) | reference (1 process) | whole run |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    `| ${sum.chunks} | ${sum.deliveries} | ${sum.redeliveries} | ${sum.duplicatesDropped} | ${sum.faults} | ${spreadDuration(sum.jobMs)} | ${spreadDuration(sum.queueWaitMs)} | ${duration(sum.mergeMs)} | ${seconds(sum.totalMs)} | ${seconds(run.timings.referenceMs)} | ${seconds(run.timings.wallMs)} |`,
    "",
  ];
  const bars = phaseBars(run.timings.phases ?? []);
  if (bars.length > 0) lines.push("## Where the time went", "", "```", ...bars, "```", "");
  const found = sum.detections;
  if (found.length > 0) {
    lines.push(
      "## Detection (fault → redelivery)",
      "",
      "| fault | worker | job | at | redelivered at | waited for a free worker | detection | bound |",
      "|---|---|---|---|---|---|---|---|",
      ...found.map(
        (d) =>
          `| ${d.fault} | ${d.worker ?? d.link} | ${d.job ?? "none held"} | ${seconds(d.faultAt)} | ${seconds(d.redeliveredAt)} | ${seconds(d.waitForWorkerMs)} | ${duration(d.detectionMs)} | ${duration(d.boundMs)} |`,
      ),
      "",
    );
  }
  lines.push(
    "## Chunks",
    "",
    "| job | chunk | deliveries (worker: outcome) | ACKs on the wire | results reaching the broker | results the server ACKed | duplicates dropped |",
    "|---|---|---|---|---|---|---|",
    ...input.ledger.map(
      (c) =>
        `| ${c.job} | ${c.chunk} | ${c.deliveries.map((d) => `${d.worker}: ${d.outcome}${d.redelivered ? " (redelivered)" : ""}`).join(", ")} | ${c.acks} | ${c.resultsPublished} | ${c.resultsAcked} | ${c.duplicatesDropped} |`,
    ),
    "",
  );
  const failed = run.checks.filter((c) => !c.ok && c.witness !== undefined);
  if (failed.length > 0) {
    lines.push("## Witnesses", "");
    for (const c of failed) lines.push(`### ${c.check}`, "", "```json", prettyJson(c.witness), "```", "");
  }
  lines.push(
    "## Timeline",
    "",
    "See `timeline.log` (every process, in the original's log format), `report.html` (with the Gantt chart), " +
      "`traces.json` (Jaeger's JSON format), `junit.xml` and `broker.log` (the broker's own log). Broker counters:",
    "",
  );
  lines.push("```json", prettyJson(input.broker), "```", "");
  return lines.join("\n");
}

export function writeReports(dir: string, run: RunRecord): void {
  writeFileSync(join(dir, "report.json"), `${prettyJson(reportJson(run))}\n`);
  const recorded = readSpanLines(join(dir, "traces"));
  writeFileSync(
    join(dir, "traces.json"),
    `${JSON.stringify(jaegerJson([...recorded, ...lostAttemptSpans(run, recorded)]))}\n`,
  );
  writeFileSync(join(dir, "report.md"), reportMarkdown(run));
  writeFileSync(join(dir, "report.html"), reportHtml(run));
  writeFileSync(join(dir, "junit.xml"), junitXml([run]));
}
