import type { AttemptOutcome } from "../history/ledger.js";
import { textWidth, WIDTH } from "./gantt-frame.js";
import type { GanttModel } from "./gantt-model.js";
import {
  FROZEN_TINT,
  faultIcon,
  HANDOVER_COLOUR,
  KILL_COLOUR,
  LINK_FAULT_WORDS,
  LINK_TINT,
  MILESTONE_COLOUR,
  OUTCOME_COLOURS,
  OUTCOME_MEANING,
} from "./gantt-style.js";
import { element, textElement } from "./markup.js";

const ROW = 20;
const FONT_SIZE = 11;

/** A 16 × 12 sample drawn at (x, y), its top-left corner. */
type Swatch = (x: number, y: number) => string;

const box =
  (attributes: Record<string, string | number>): Swatch =>
  (x, y) =>
    element("rect", { x, y, width: 16, height: 12, rx: 2, ...attributes });

/** Only what this chart shows, so every entry can be found in it. */
function entries(model: GanttModel): [Swatch, string][] {
  const outcomes = [...new Set(model.bars.map((b) => b.outcome))] as AttemptOutcome[];
  const found: [Swatch, string][] = outcomes.map((o) => [
    box({ fill: OUTCOME_COLOURS[o] }),
    OUTCOME_MEANING[o],
  ]);
  const has = (fault: string) => model.faults.some((f) => f.fault === fault);
  if (model.bars.some((b) => b.ackAt !== undefined))
    found.push([(x, y) => element("rect", { x: x + 7, y, width: 2.5, height: 12, fill: "#212121" }), "ACK"]);
  if (model.bars.some((b) => b.chunkLost))
    found.push([
      box({ fill: "none", stroke: KILL_COLOUR, "stroke-width": 2, "stroke-dasharray": "3 2" }),
      "chunk never accepted",
    ]);
  if (has("kill")) {
    found.push([
      (x, y) => faultIcon("kill", x + 8, y + 6, 6, "gantt-legend-icon"),
      "worker killed (SIGKILL)",
    ]);
    found.push([box({ fill: "url(#gantt-dead-hatch)" }), "dead"]);
  }
  if (has("freeze")) {
    found.push([
      (x, y) => faultIcon("freeze", x + 8, y + 6, 6, "gantt-legend-icon"),
      "worker frozen (SIGSTOP)",
    ]);
    found.push([box({ fill: FROZEN_TINT, "fill-opacity": 0.85 }), "frozen until healed"]);
  }
  const linkFaults = [...new Set(model.faults.map((f) => f.fault).filter((f) => f in LINK_FAULT_WORDS))];
  if (linkFaults.length > 0) {
    found.push([
      (x, y) => faultIcon(linkFaults[0], x + 8, y + 6, 6, "gantt-legend-icon"),
      `network fault (${linkFaults.join(", ")})`,
    ]);
    found.push([box({ fill: LINK_TINT, "fill-opacity": 0.85 }), "link faulty until healed"]);
  }
  if (model.handovers.length > 0)
    found.push([
      (x, y) =>
        element("path", {
          d: `M${x} ${y + 6} H${x + 14}`,
          stroke: HANDOVER_COLOUR,
          "stroke-width": 2,
          "marker-end": "url(#gantt-arrowhead)",
        }),
      "lost chunk → its redelivery (+ seconds it took)",
    ]);
  if (model.milestones.length > 0)
    found.push([
      (x, y) =>
        element("line", {
          x1: x + 8,
          y1: y - 1,
          x2: x + 8,
          y2: y + 13,
          stroke: MILESTONE_COLOUR,
          "stroke-dasharray": "4 3",
        }),
      "the song's progress",
    ]);
  return found;
}

/** The legend, flowed into rows under the chart from `top`; returns its markup and height. */
export function ganttLegend(
  model: GanttModel,
  top: number,
  font: string,
): { markup: string; height: number } {
  let x = 10;
  let y = top;
  const items = entries(model).map(([swatch, label]) => {
    const width = 22 + textWidth(label, FONT_SIZE) + 18;
    if (x + width > WIDTH - 10) {
      x = 10;
      y += ROW;
    }
    const item = `${swatch(x, y)}${textElement("text", { x: x + 22, y: y + 10, "font-size": FONT_SIZE, fill: "#212121" }, label)}`;
    x += width;
    return item;
  });
  return {
    markup: element("g", { class: "gantt-legend", "font-family": font }, ...items),
    height: items.length === 0 ? 0 : y - top + ROW,
  };
}
