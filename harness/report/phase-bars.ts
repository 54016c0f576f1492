import type { Phase } from "../run/phase-clock.js";

const WIDTH = 40;

/**
 * The run's phases as a text bar chart, one line each with its seconds and share of the run (report.md puts it in
 * a code block, report.html in a <pre>): which stretch to shorten is seen at a glance.
 */
export function phaseBars(phases: readonly Phase[]): string[] {
  const total = phases.reduce((sum, p) => sum + p.ms, 0);
  if (total === 0) return [];
  const nameWidth = Math.max(...phases.map((p) => p.phase.length));
  const lines = phases.map((p) => {
    const share = p.ms / total;
    const bar = "█".repeat(Math.round(share * WIDTH)) || (p.ms > 0 ? "▏" : "");
    return `${p.phase.padEnd(nameWidth)} ${(p.ms / 1000).toFixed(1).padStart(6)} s ${String(Math.round(share * 100)).padStart(3)} % ${bar}`;
  });
  lines.push(`${"total".padEnd(nameWidth)} ${(total / 1000).toFixed(1).padStart(6)} s`);
  return lines;
}
