import type { Status, Verdict } from "../checker/checker.js";
import type { RunRecord } from "../run/run-record.js";
import { duration, seconds, spreadDuration } from "./figures.js";
import { ganttSvg } from "./gantt-svg.js";
import { REPORT_CSS } from "./html-style.js";
import { escapeXml as esc } from "./markup.js";
import { phaseBars } from "./phase-bars.js";
import { prettyJson } from "./pretty-json.js";
import { type RunSummary, summarizeRun } from "./summary.js";

const verdictBadge = (status: Status) => `<span class="verdict ${status}">${status.toUpperCase()}</span>`;
const MARKS: Record<Status, string> = { pass: "✓ pass", fail: "✗ FAIL", unknown: "? UNKNOWN" };

function header(run: RunRecord): string {
  const { scenario } = run.input;
  const broker = run.environment.broker;
  const facts: [string, string][] = [
    ["Seed", esc(String(run.seed))],
    [
      "Broker",
      `${esc(broker.kind)}: ${esc(broker.description)} <span class="title">(${esc(broker.why)})</span>`,
    ],
    ["Time scale", `${esc(String(scenario.timeScale))} (heart-beat ${esc(String(scenario.heartbeatMs))} ms)`],
    ["Started", esc(run.timings.startedAt)],
    ["Replay", `<code class="replay">${esc(run.replay)}</code>`],
  ];
  return `<header>
<h1>${verdictBadge(run.verdict)} ${esc(scenario.name)}</h1>
<p class="description">${esc(scenario.description)}</p>
<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>
</header>`;
}

function checkBlock(c: Verdict): string {
  const figures = Object.entries(c.figures ?? {})
    .map(([k, v]) => `${esc(k)} ${esc(String(v ?? "–"))}`)
    .join(" · ");
  const witness =
    c.witness === undefined
      ? ""
      : `<details><summary>witness</summary><pre>${esc(prettyJson(c.witness))}</pre></details>`;
  return `<div class="check ${c.status}" data-check="${esc(c.check)}">
<div><span class="mark">${MARKS[c.status]}</span> <span class="name">${esc(c.check)}</span> <span class="title">${esc(c.title)}</span></div>
<div>${esc(c.summary)}</div>
${figures ? `<div class="figures">${figures}</div>` : ""}${witness}
</div>`;
}

function summaryTable(run: RunRecord, s: RunSummary): string {
  const rows: [string, string][] = [
    ["chunks", String(s.chunks)],
    ["deliveries", String(s.deliveries)],
    ["redeliveries", String(s.redeliveries)],
    ["duplicates dropped", String(s.duplicatesDropped)],
    ["faults injected", String(s.faults)],
    ["job time (work started → finished), min / median / max", spreadDuration(s.jobMs)],
    ["queue wait (published → first delivered), min / median / max", spreadDuration(s.queueWaitMs)],
    ["merge", duration(s.mergeMs)],
    ["total (jobs sent → song done)", duration(s.totalMs)],
    ["single-process reference", duration(run.timings.referenceMs)],
    [
      "broker ready / cluster ready / whole run",
      [run.timings.brokerReadyMs, run.timings.clusterReadyMs, run.timings.wallMs].map(duration).join(" / "),
    ],
  ];
  return `<table class="summary">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td class="number">${esc(v)}</td></tr>`).join("")}</table>`;
}

function detectionTable(s: RunSummary): string {
  if (s.detections.length === 0) return "";
  const head = [
    "fault",
    "worker",
    "job",
    "at",
    "redelivered at",
    "waited for a free worker",
    "detection",
    "bound",
  ];
  const rows = s.detections.map((d) =>
    [
      d.fault,
      d.worker ?? "?",
      d.job === null ? "none held" : `Job[${d.job}]`,
      seconds(d.faultAt),
      seconds(d.redeliveredAt),
      duration(d.waitForWorkerMs),
      duration(d.detectionMs),
      `${d.boundMs} ms`,
    ].map((v) => `<td>${esc(v)}</td>`),
  );
  return `<h3>Detection (fault → redelivery)</h3>
<table class="detections"><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr>${rows.map((r) => `<tr>${r.join("")}</tr>`).join("")}</table>`;
}

/** report.html: the run for people, in one file with nothing to fetch (no scripts, no external resources). */
function phaseSection(run: RunRecord): string {
  const bars = phaseBars(run.timings.phases ?? []);
  if (bars.length === 0) return "";
  return `<h3>Where the time went</h3>\n<pre class="phases">${esc(bars.join("\n"))}</pre>`;
}

export function reportHtml(run: RunRecord): string {
  const summary = summarizeRun(run);
  const title = `${run.input.scenario.name}: ${run.verdict.toUpperCase()}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${header(run)}
<section id="checks">
<h2>Checks (${run.checks.filter((c) => c.ok).length} of ${run.checks.length} passed)</h2>
${run.checks.map(checkBlock).join("\n")}
</section>
<section id="summary">
<h2>Summary</h2>
${summaryTable(run, summary)}
${detectionTable(summary)}
${phaseSection(run)}
</section>
<section id="gantt">
<h2>Delivery attempts by worker</h2>
<p class="caption">One lane per worker in start order, one bar per delivery of a chunk, coloured by how it ended; hover for details.</p>
<div class="gantt-box">${ganttSvg(run)}</div>
</section>
<section id="timeline">
<h2>Timeline</h2>
<details><summary>${run.timeline.length} log lines from every process</summary><pre>${esc(run.timeline.join("\n"))}</pre></details>
</section>
</main>
</body>
</html>
`;
}
