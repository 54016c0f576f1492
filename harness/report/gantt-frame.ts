import type { GanttModel } from "./gantt-model.js";
import { element, textElement } from "./markup.js";

export const WIDTH = 1200;
const LABEL_WIDTH = 190;
const RIGHT_MARGIN = 28;
export const MILESTONE_ROW = 15;

/** Where things go: ms → x, lane → y. */
export interface Frame {
  left: number;
  right: number;
  top: number;
  bottom: number;
  laneHeight: number;
  /** Gap between a lane's edge and its bars. */
  barInset: number;
  /** Radius of a fault's icon. */
  iconRadius: number;
  milestoneLabels: MilestoneLabel[];
  x(ms: number): number;
  laneTop(lane: number): number;
  laneMiddle(lane: number): number;
}

/** Room for a short text in px, near enough for the fonts in FONT. */
export const textWidth = (text: string, fontSize: number) => text.length * fontSize * 0.58;

/** Where a milestone's label goes: its row above the lanes, and which side of its line. */
export interface MilestoneLabel {
  row: number;
  text: string;
  anchor: "start" | "end";
}

const milestoneText = (label: string, at: number) => `${label} ${(at / 1000).toFixed(2)} s`;

/** Each label on the first row where it runs into no other, right of its line unless that leaves the chart. */
function milestoneLabels(model: GanttModel, x: (ms: number) => number, right: number): MilestoneLabel[] {
  const taken: [number, number][][] = [];
  return model.milestones.map((m) => {
    const text = milestoneText(m.label, m.at);
    const width = textWidth(text, 11) + 3;
    const anchor = x(m.at) + width > right ? "end" : "start";
    const span: [number, number] =
      anchor === "start" ? [x(m.at), x(m.at) + width] : [x(m.at) - width, x(m.at)];
    const free = (row: [number, number][]) => row.every(([a, b]) => span[1] < a || span[0] > b);
    const found = taken.findIndex(free);
    const row = found === -1 ? taken.length : found;
    taken[row] = [...(taken[row] ?? []), span];
    return { row, text, anchor };
  });
}

export function frameFor(model: GanttModel): Frame {
  const lanes = Math.max(1, model.lanes.length);
  // Up to 16 workers get room for their labels; more share a fixed height so 64 still fit on a screen.
  const laneHeight = lanes <= 16 ? 28 : Math.max(12, Math.floor(480 / lanes));
  const left = LABEL_WIDTH;
  const right = WIDTH - RIGHT_MARGIN;
  const x = (ms: number) => left + ((ms - model.start) / (model.end - model.start)) * (right - left);
  const labels = milestoneLabels(model, x, right);
  const rows = Math.max(0, ...labels.map((l) => l.row + 1));
  const top = 10 + rows * MILESTONE_ROW;
  return {
    left,
    right,
    top,
    bottom: top + lanes * laneHeight,
    laneHeight,
    barInset: laneHeight >= 20 ? 4 : 2,
    iconRadius: Math.min(8, laneHeight / 2 - 1),
    milestoneLabels: labels,
    x,
    laneTop: (lane) => top + lane * laneHeight,
    laneMiddle: (lane) => top + (lane + 0.5) * laneHeight,
  };
}

const TICK_STEPS_MS = [
  100, 200, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
];

/** About ten round ticks over the span. */
function tickStep(spanMs: number): number {
  const wanted = spanMs / 10;
  return TICK_STEPS_MS.find((s) => s >= wanted) ?? Math.ceil(wanted / 60_000) * 60_000;
}

const seconds = (ms: number, step: number) => `${(ms / 1000).toFixed(step < 1000 ? 1 : 0)} s`;

/** Grid lines behind the lanes and the time axis under them. */
export function timeAxis(model: GanttModel, frame: Frame, font: string): { grid: string; axis: string } {
  const step = tickStep(model.end - model.start);
  const ticks: number[] = [];
  for (let t = Math.ceil(model.start / step) * step; t <= model.end; t += step) ticks.push(t);
  const grid = ticks.map((t) =>
    element("line", { x1: frame.x(t), y1: frame.top, x2: frame.x(t), y2: frame.bottom, stroke: "#e0e0e0" }),
  );
  const labels = ticks.map((t) =>
    textElement(
      "text",
      { x: frame.x(t), y: frame.bottom + 16, "text-anchor": "middle", "font-size": 11, fill: "#424242" },
      seconds(t, step),
    ),
  );
  const axis = element(
    "g",
    { class: "gantt-axis", "font-family": font },
    element("line", {
      x1: frame.left,
      y1: frame.bottom,
      x2: frame.right,
      y2: frame.bottom,
      stroke: "#757575",
    }),
    ...labels,
    textElement(
      "text",
      { x: frame.right, y: frame.bottom + 32, "text-anchor": "end", "font-size": 11, fill: "#616161" },
      "run time (since the harness started)",
    ),
  );
  return { grid: element("g", { class: "gantt-grid" }, ...grid), axis };
}
