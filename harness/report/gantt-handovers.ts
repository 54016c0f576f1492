import { seconds } from "./figures.js";
import type { Frame } from "./gantt-frame.js";
import type { Handover } from "./gantt-model.js";
import { HALO, HANDOVER_COLOUR } from "./gantt-style.js";
import { element, textElement } from "./markup.js";

/**
 * A curve from the lost attempt's fault icon (leaving it upwards or downwards, clear of the bar's label) to
 * the start of its redelivery's bar, labelled with the delay.
 */
export function handoverArrow(h: Handover, frame: Frame): string {
  const down = h.toLane > h.fromLane;
  const toward = down ? 1 : -1;
  const x1 = frame.x(h.lostAt);
  const y1 = frame.laneMiddle(h.fromLane) + toward * frame.iconRadius;
  const x2 = frame.x(h.redeliveredAt);
  const y2 = down ? frame.laneTop(h.toLane) + frame.barInset : frame.laneTop(h.toLane + 1) - frame.barInset;
  const lift = Math.min(40, Math.abs(y2 - y1) / 2);
  const path = [
    [x1, y1],
    [x1, y1 + toward * lift],
    [x2 - Math.max(24, Math.min(80, (x2 - x1) / 3)), y2 - toward * 24],
    [x2, y2],
  ].map(([x, y]) => `${x.toFixed(1)} ${y.toFixed(1)}`);
  const d = `M${path[0]} C${path.slice(1).join(" ")}`;
  return element(
    "g",
    { class: "gantt-handover", "data-job": h.job },
    textElement(
      "title",
      {},
      `Job[${h.job}] lost at ${seconds(h.lostAt)}, redelivered at ${seconds(h.redeliveredAt)} (+${seconds(h.redeliveredAt - h.lostAt)})`,
    ),
    element("path", { d, fill: "none", stroke: "#fff", "stroke-width": 5 }),
    element("path", {
      d,
      fill: "none",
      stroke: HANDOVER_COLOUR,
      "stroke-width": 2,
      "marker-end": "url(#gantt-arrowhead)",
    }),
    textElement(
      "text",
      {
        x: x2 - 8,
        y: frame.laneMiddle(h.toLane) + 4,
        "text-anchor": "end",
        "font-size": 11,
        "font-weight": "bold",
        fill: HANDOVER_COLOUR,
        ...HALO,
      },
      `+${seconds(h.redeliveredAt - h.lostAt)}`,
    ),
  );
}
