import { seconds } from "./figures.js";
import { type Frame, textWidth } from "./gantt-frame.js";
import type { Bar, GanttModel } from "./gantt-model.js";
import { KILL_COLOUR, OUTCOME_COLOURS } from "./gantt-style.js";
import { element, textElement } from "./markup.js";

const INK = "#1b1b1b";

function geometry(bar: Bar, frame: Frame) {
  const x = frame.x(bar.from);
  const top = frame.laneTop(bar.lane) + frame.barInset;
  const height = frame.laneHeight - 2 * frame.barInset;
  return { x, top, height, width: Math.max(2, frame.x(bar.to) - x), fontSize: Math.min(11, height - 4) };
}

function describe(bar: Bar, model: GanttModel): string {
  const worker = model.lanes[bar.lane]?.worker ?? "?";
  const until = bar.open ? "still at work when the run ended" : seconds(bar.to);
  return (
    `Job[${bar.job}] on worker ${worker}: ${bar.outcome}${bar.redelivered ? " (a redelivery)" : ""}, ` +
    `${seconds(bar.from)} → ${until}${bar.chunkLost ? "; its result was never accepted" : ""}`
  );
}

/** The bar of each attempt, with a tick where its ACK was receipted (or failed). */
export function barShapes(model: GanttModel, frame: Frame): string[] {
  return model.bars.map((bar) => {
    const { x, top, height, width } = geometry(bar, frame);
    const ackTick =
      bar.ackAt === undefined
        ? ""
        : element("rect", {
            class: "gantt-ack",
            x: frame.x(bar.ackAt) - 1.25,
            y: top - 1,
            width: 2.5,
            height: height + 2,
            fill: INK,
          });
    return element(
      "g",
      { class: `gantt-bar gantt-outcome-${bar.outcome}`, "data-job": bar.job },
      textElement("title", {}, describe(bar, model)),
      element("rect", {
        x,
        y: top,
        width,
        height,
        rx: 3,
        fill: OUTCOME_COLOURS[bar.outcome],
        "fill-opacity": bar.open ? 0.55 : undefined,
        stroke: bar.chunkLost ? KILL_COLOUR : undefined,
        "stroke-width": bar.chunkLost ? 2 : undefined,
        "stroke-dasharray": bar.chunkLost ? "4 2" : undefined,
      }),
      ackTick,
    );
  });
}

/** Where a label of `width` px fits in its bar clear of the fault icons on its lane, if anywhere. */
function labelStart(bar: Bar, model: GanttModel, frame: Frame, width: number): number | undefined {
  const r = frame.iconRadius;
  const icons = model.faults.filter((f) => f.lane === bar.lane).map((f) => frame.x(f.at));
  const barEnd = frame.x(bar.to) - 3;
  const candidates = [frame.x(bar.from) + 5, ...icons.map((cx) => cx + r + 3)];
  return candidates.find(
    (start) => start + width <= barEnd && icons.every((cx) => cx + r <= start || cx - r >= start + width),
  );
}

/**
 * Job[n] in each bar wide enough for it (the tooltip names the rest), drawn above the frozen tint; and
 * "lost" after the last attempt of a chunk whose result never arrived.
 */
export function barLabels(model: GanttModel, frame: Frame): string[] {
  if (frame.laneHeight < 18) return [];
  return model.bars.flatMap((bar) => {
    const { x, top, height, width, fontSize } = geometry(bar, frame);
    const label = `${bar.redelivered ? "↻ " : ""}Job[${bar.job}]`;
    const labelWidth = textWidth(label, fontSize);
    const start = labelStart(bar, model, frame, labelWidth);
    const baseline = top + height / 2 + fontSize * 0.36;
    const text =
      start !== undefined
        ? [textElement("text", { x: start, y: baseline, "font-size": fontSize, fill: INK }, label)]
        : [];
    const isLast = model.bars.filter((b) => b.job === bar.job).at(-1) === bar;
    const lostTag =
      bar.chunkLost && isLast
        ? [
            textElement(
              "text",
              {
                class: "gantt-lost-tag",
                x: x + width + frame.iconRadius + 4,
                y: baseline,
                "font-size": fontSize,
                "font-weight": "bold",
                fill: KILL_COLOUR,
              },
              `Job[${bar.job}] lost`,
            ),
          ]
        : [];
    return [...text, ...lostTag];
  });
}
