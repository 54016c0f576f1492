import type { RunRecord } from "../run/run-record.js";
import { seconds } from "./figures.js";
import { barLabels, barShapes } from "./gantt-bars.js";
import { type Frame, frameFor, MILESTONE_ROW, textWidth, timeAxis, WIDTH } from "./gantt-frame.js";
import { handoverArrow } from "./gantt-handovers.js";
import { ganttLegend } from "./gantt-legend.js";
import { type GanttModel, ganttModel, type Lane } from "./gantt-model.js";
import {
  FONT,
  FREEZE_COLOUR,
  FROZEN_TINT,
  faultIcon,
  GANTT_DEFS,
  HALO,
  KILL_COLOUR,
  LINK_COLOUR,
  LINK_FAULT_WORDS,
  LINK_TINT,
  MILESTONE_COLOUR,
} from "./gantt-style.js";
import { element, textElement } from "./markup.js";

const FAULT_CLASSES: Record<string, string> = { kill: "gantt-crash", freeze: "gantt-freeze" };

/** A lane's span of fault: how it is shaded and what it says, by fault. */
function spanLook(fault: string): {
  cls: string;
  fill: string;
  opacity?: number;
  word: string;
  colour: string;
} {
  if (fault === "kill")
    return { cls: "gantt-dead", fill: "url(#gantt-dead-hatch)", word: "", colour: KILL_COLOUR };
  const word = LINK_FAULT_WORDS[fault];
  if (word) return { cls: "gantt-link-span", fill: LINK_TINT, opacity: 0.85, word, colour: LINK_COLOUR };
  return {
    cls: "gantt-frozen-span",
    fill: FROZEN_TINT,
    opacity: 0.85,
    word: "frozen",
    colour: FREEZE_COLOUR,
  };
}

function laneRow(lane: Lane, index: number, frame: Frame): string {
  const fontSize = Math.min(12, frame.laneHeight - 2);
  const fate =
    lane.killedAt !== undefined
      ? textElement("tspan", { fill: KILL_COLOUR, "font-weight": "bold" }, " killed")
      : lane.frozenAt !== undefined
        ? textElement("tspan", { fill: FREEZE_COLOUR, "font-weight": "bold" }, " frozen")
        : "";
  return element(
    "g",
    { class: "gantt-lane", "data-worker": lane.worker },
    element("rect", {
      x: 0,
      y: frame.laneTop(index),
      width: frame.right,
      height: frame.laneHeight,
      fill: index % 2 === 0 ? "#fafafa" : "#f2f4f5",
    }),
    element(
      "text",
      {
        x: frame.left - 8,
        y: frame.laneMiddle(index) + fontSize * 0.35,
        "text-anchor": "end",
        "font-size": fontSize,
        fill: "#212121",
      },
      textElement("tspan", { fill: "#757575" }, `#${lane.number} `),
      textElement("tspan", { "font-family": "DejaVu Sans Mono, monospace" }, lane.worker),
      fate,
    ),
  );
}

/**
 * A killed worker's lane is hatched from its death on; a frozen one is tinted blue, bars and all, until healed,
 * and one whose link is partitioned, cut, slowed or squeezed is tinted orange until healed.
 */
function faultSpans(model: GanttModel, frame: Frame): string[] {
  return model.faults.map((f) => {
    const killed = f.fault === "kill";
    const look = spanLook(f.fault);
    const from = frame.x(f.at);
    const until = frame.x(killed ? model.end : (f.healedAt ?? model.end));
    const note =
      f.healedAt === undefined
        ? `${look.word} to the end`
        : `${look.word} until healed at ${seconds(f.healedAt)}`;
    const fontSize = Math.min(11, frame.laneHeight - 8);
    const noted =
      !killed &&
      frame.laneHeight >= 18 &&
      textWidth(note, fontSize) + 2 * frame.iconRadius + 16 < until - from;
    return element(
      "g",
      { class: look.cls },
      element("rect", {
        x: from,
        y: frame.laneTop(f.lane),
        width: Math.max(0, until - from),
        height: frame.laneHeight,
        fill: look.fill,
        "fill-opacity": look.opacity,
      }),
      noted
        ? textElement(
            "text",
            {
              x: until - 6,
              y: frame.laneMiddle(f.lane) + fontSize * 0.36,
              "text-anchor": "end",
              "font-size": fontSize,
              fill: look.colour,
            },
            note,
          )
        : "",
    );
  });
}

function milestoneMarks(model: GanttModel, frame: Frame): { lines: string[]; labels: string[] } {
  const placed = model.milestones.map((m, i) => ({
    x: frame.x(m.at),
    y: 10 + frame.milestoneLabels[i].row * MILESTONE_ROW,
    label: frame.milestoneLabels[i],
  }));
  return {
    lines: placed.map(({ x, y }) =>
      element("line", {
        class: "gantt-milestone",
        x1: x,
        y1: y - 2,
        x2: x,
        y2: frame.bottom,
        stroke: MILESTONE_COLOUR,
        "stroke-dasharray": "4 3",
      }),
    ),
    labels: placed.map(({ x, y, label }) =>
      textElement(
        "text",
        {
          x: label.anchor === "start" ? x + 3 : x - 3,
          y: y + 9,
          "text-anchor": label.anchor,
          "font-size": 11,
          fill: MILESTONE_COLOUR,
          ...HALO,
        },
        label.text,
      ),
    ),
  };
}

/**
 * The run as a Gantt chart: a lane per worker, a bar per delivery attempt coloured by how it ended, the
 * faults where they struck, and an arrow from each lost attempt to its redelivery, labelled with what it cost.
 */
export function ganttSvg(run: RunRecord): string {
  const model = ganttModel(run);
  const frame = frameFor(model);
  const { grid, axis } = timeAxis(model, frame, FONT);
  const marks = milestoneMarks(model, frame);
  const legend = ganttLegend(model, frame.bottom + 44, FONT);
  const height = frame.bottom + 44 + legend.height + 4;
  const empty =
    model.lanes.length === 0
      ? textElement(
          "text",
          { x: frame.left + 8, y: frame.laneMiddle(0) + 4, "font-size": 12, fill: "#757575" },
          "no worker recorded any event",
        )
      : "";
  return element(
    "svg",
    {
      xmlns: "http://www.w3.org/2000/svg",
      class: "gantt",
      viewBox: `0 0 ${WIDTH} ${Math.ceil(height)}`,
      width: "100%",
      role: "img",
      "font-family": FONT,
    },
    textElement(
      "title",
      {},
      `${run.input.scenario.name}: ${model.bars.length} delivery attempts on ${model.lanes.length} workers`,
    ),
    GANTT_DEFS,
    ...model.lanes.map((lane, i) => laneRow(lane, i, frame)),
    grid,
    ...marks.lines,
    ...barShapes(model, frame),
    ...faultSpans(model, frame),
    ...barLabels(model, frame),
    ...model.handovers.map((h) => handoverArrow(h, frame)),
    ...model.faults.map((f) =>
      faultIcon(
        f.fault,
        frame.x(f.at),
        frame.laneMiddle(f.lane),
        frame.iconRadius,
        FAULT_CLASSES[f.fault] ?? "gantt-fault",
      ),
    ),
    ...marks.labels,
    empty,
    axis,
    legend.markup,
  );
}
