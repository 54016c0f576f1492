import { describe, expect, it } from "vitest";
import { ganttModel } from "../../harness/report/gantt-model.js";
import { ganttSvg } from "../../harness/report/gantt-svg.js";
import { parseXml, type XmlElement } from "./mini-xml.js";
import { CRASH_AND_FREEZE, judgeSynthetic, writeCalmRun, writeCrashAndFreezeRun } from "./synthetic-run.js";

const classed = (elements: XmlElement[], cls: string) =>
  elements.filter((e) => (e.attributes.class ?? "").split(" ").includes(cls));

const run = await judgeSynthetic(writeCrashAndFreezeRun);

describe("ganttSvg on a run with a crash and a freeze", () => {
  const svg = parseXml(ganttSvg(run));

  it("is well-formed SVG", () => {
    expect(svg[0].name).toBe("svg");
    expect(svg[0].attributes.xmlns).toBe("http://www.w3.org/2000/svg");
  });

  it("has one lane per worker, in start order, marking the killed and the frozen one", () => {
    const lanes = classed(svg, "gantt-lane");
    expect(lanes.map((l) => l.attributes["data-worker"])).toEqual(CRASH_AND_FREEZE.workers);
    const labels = lanes.map((lane) =>
      svg
        .filter((e) => e.name === "tspan" && e.parent?.parent === lane)
        .map((e) => e.text)
        .join(""),
    );
    expect(labels).toEqual(["#1 aaaa001", "#2 bbbb002", "#3 cccc003 frozen", "#4 dddd004 killed"]);
  });

  it("has one bar per delivery attempt, coloured by outcome and named by job", () => {
    const bars = classed(svg, "gantt-bar");
    expect(bars).toHaveLength(CRASH_AND_FREEZE.deliveries);
    expect(classed(bars, "gantt-outcome-crashed").map((b) => b.attributes["data-job"])).toEqual(["4"]);
    expect(classed(bars, "gantt-outcome-frozen").map((b) => b.attributes["data-job"])).toEqual(["3"]);
    expect(classed(bars, "gantt-outcome-acked")).toHaveLength(4);
    const titles = bars.map((b) => svg.find((e) => e.name === "title" && e.parent === b)?.text);
    expect(titles.every((t) => /^Job\[\d\] on worker \w+: /.test(t ?? ""))).toBe(true);
  });

  it("marks the crash and the freeze, and draws an arrow from each lost attempt to its redelivery", () => {
    expect(classed(svg, "gantt-crash")).toHaveLength(CRASH_AND_FREEZE.kills);
    expect(classed(svg, "gantt-freeze")).toHaveLength(CRASH_AND_FREEZE.freezes);
    expect(classed(svg, "gantt-frozen-span")).toHaveLength(1);
    expect(classed(svg, "gantt-dead")).toHaveLength(1);
    const arrows = classed(svg, "gantt-handover");
    expect(arrows.map((a) => a.attributes["data-job"]).sort()).toEqual(["3", "4"]);
    expect(arrows).toHaveLength(CRASH_AND_FREEZE.handovers);
  });

  it("marks when the jobs were sent, the merge and the song's end", () => {
    expect(ganttModel(run).milestones.map((m) => m.label)).toEqual([
      "jobs sent",
      "merge started",
      "merge finished",
      "song done",
    ]);
    expect(classed(svg, "gantt-milestone")).toHaveLength(4);
  });

  it("ends a lost attempt at its fault, and a resumed zombie's at its failed ACK", () => {
    const model = ganttModel(run);
    const killed = model.bars.find((b) => b.outcome === "crashed");
    const zombie = model.bars.find((b) => b.outcome === "frozen");
    expect(killed?.to).toBe(1400);
    expect(zombie?.to).toBe(5012);
    expect(model.handovers.map((h) => [h.job, h.fromLane, h.toLane, h.lostAt, h.redeliveredAt])).toEqual([
      [3, 2, 1, 1400, 3400],
      [4, 3, 0, 1400, 2010],
    ]);
  });
});

describe("ganttSvg on runs without faults", () => {
  it.each([1, 12, 64])("draws %i workers, a bar each, no fault marks and no arrows", async (workers) => {
    const svg = parseXml(ganttSvg(await judgeSynthetic((dir) => writeCalmRun(dir, workers))));
    expect(classed(svg, "gantt-lane")).toHaveLength(workers);
    expect(classed(svg, "gantt-bar")).toHaveLength(workers);
    for (const cls of ["gantt-crash", "gantt-freeze", "gantt-handover", "gantt-dead", "gantt-frozen-span"])
      expect(classed(svg, cls)).toHaveLength(0);
  });
});
