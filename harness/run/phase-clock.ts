import { monotonicMs } from "../../src/events/event-log.js";

/** One stretch of a run and how long it took, for "where did the seconds go". */
export interface Phase {
  phase: string;
  ms: number;
}

/** Cuts a run's wall time into consecutive phases: each lap() ends the phase running since the last one. */
export class PhaseClock {
  readonly phases: Phase[] = [];
  private last: number;

  constructor(
    start: number,
    private readonly now: () => number = monotonicMs,
  ) {
    this.last = start;
  }

  lap(phase: string): void {
    const t = this.now();
    this.phases.push({ phase, ms: Math.round(t - this.last) });
    this.last = t;
  }
}
