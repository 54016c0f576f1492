import { describe, expect, it } from "vitest";
import { CHECKERS } from "../../harness/checker/index.js";
import { reportHtml } from "../../harness/report/html-report.js";
import { judgeSynthetic, writeCalmRun, writeCrashAndFreezeRun } from "./synthetic-run.js";

const html = reportHtml(await judgeSynthetic(writeCrashAndFreezeRun));

describe("reportHtml", () => {
  it("stands alone: no scripts, nothing fetched", () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\((?!#)/i);
  });

  it("shows the verdict, the seed, the environment and the replay command", () => {
    expect(html).toContain("<title>synthetic-crash-and-freeze: FAIL</title>");
    expect(html).toContain('<span class="verdict fail">FAIL</span>');
    expect(html).toContain("<dt>Seed</dt><dd>11</dd>");
    expect(html).toContain("synthetic broker &lt;none&gt; &amp; no process");
    expect(html).toContain("npm run scenario synthetic-crash-and-freeze -- --seed 11 --broker local");
  });

  it("escapes what the run recorded", () => {
    expect(html).toContain("one worker &lt;killed&gt; &amp; one &quot;frozen&quot;");
    expect(html).toContain("Harness: scenario &lt;synthetic&gt; &amp; friends");
    expect(html).not.toContain("<killed>");
    expect(html).not.toContain("<stderr>");
  });

  it("has a verdict per check and a witness only for the failed one", () => {
    expect(html.match(/<div class="check (pass|fail|unknown)"/g)).toHaveLength(CHECKERS.length);
    expect(html.match(/<div class="check fail"/g)).toHaveLength(1);
    expect(html.match(/<summary>witness<\/summary>/g)).toHaveLength(1);
  });

  it("summarises the run, embeds the Gantt chart and folds the timeline away", () => {
    expect(html).toContain('<tr><th>redeliveries</th><td class="number">2</td></tr>');
    expect(html).toContain('<table class="detections">');
    expect(html.match(/<svg /g)).toHaveLength(1);
    expect(html).toContain("<details><summary>2 log lines from every process</summary><pre>");
  });

  it("leaves out the detection table when nothing was injected", async () => {
    expect(reportHtml(await judgeSynthetic((dir) => writeCalmRun(dir, 2)))).not.toContain("detections");
  });
});
