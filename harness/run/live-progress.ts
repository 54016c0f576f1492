import type { RecordedEvent } from "../../src/events/event-log.js";
import { loadHistory } from "../history/history.js";

export interface ProgressState {
  elapsedMs: number;
  songPercent: number;
  busy: number;
  idle: number;
  dead: number;
  frozen: number;
  faultsActive: string[];
}

/** A fault in force now, by the worker's own id: the nemesis's view, for the status line. */
export interface ActiveFault {
  fault: string;
  worker: string;
}

/**
 * Worker states for people: busy from the workers' own delivery events to their end, dead once killed,
 * frozen until healed (from the fault schedule).
 */
export function progressFrom(
  history: readonly RecordedEvent[],
  workers: number,
  active: readonly ActiveFault[],
): Omit<ProgressState, "elapsedMs" | "songPercent"> {
  const busy = new Set<string>();
  const dead = new Set<string>();
  const frozen = new Set<string>();
  for (const e of history) {
    const w = e.worker;
    if (!w) continue;
    if (e.type === "job-delivered") busy.add(w);
    else if (
      ["ack-receipted", "ack-failed", "work-failed", "job-cancelled", "dead-lettered"].includes(e.type)
    )
      busy.delete(w);
  }
  for (const f of active) {
    if (f.fault === "kill") dead.add(f.worker);
    else if (f.fault === "freeze") frozen.add(f.worker);
  }
  for (const w of dead) busy.delete(w);
  const busyAlive = [...busy].filter((w) => !frozen.has(w)).length;
  return {
    busy: busyAlive,
    idle: Math.max(0, workers - busyAlive - dead.size - frozen.size),
    dead: dead.size,
    frozen: frozen.size,
    faultsActive: [...[...dead].map((w) => `killed ${w}`), ...[...frozen].map((w) => `frozen ${w}`)],
  };
}

export const formatProgress = (p: ProgressState) =>
  `[${(p.elapsedMs / 1000).toFixed(1)}s] song ${p.songPercent}% | workers: ${p.busy} busy, ${p.idle} idle, ${p.dead} dead, ${p.frozen} frozen` +
  (p.faultsActive.length > 0 ? ` | faults: ${p.faultsActive.join(", ")}` : "");

/**
 * A status line while a scenario runs. On a terminal it stays at the bottom, redrawn in place under the
 * timeline; elsewhere (CI, a pipe) it is a plain line every few seconds.
 */
export class LiveProgress {
  private timer: NodeJS.Timeout | undefined;
  private shown = "";
  private lastPlain = 0;
  private songPercent = 0;
  private after: string | undefined;
  private readonly started = Date.now();

  constructor(
    private readonly eventsDir: string,
    private readonly workers: number,
    private readonly active: () => readonly ActiveFault[],
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), 250);
    this.timer.unref();
  }

  song(percent: number): void {
    this.songPercent = percent;
  }

  /**
   * The workload is over: from now on the line says what the run waits for, not worker states, which the
   * teardown makes stale (a killed worker's delivery stays open; its fault is gone once the faults stop).
   */
  workloadOver(percent: number, waitingFor: string): void {
    this.songPercent = percent;
    this.after = waitingFor;
  }

  /** Prints a timeline line above the status line. */
  line(text: string): void {
    if (this.tty && this.shown) this.write("\r\x1b[K");
    this.write(`${text}\n`);
    if (this.tty && this.shown) this.write(this.shown);
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.tty && this.shown) this.write("\r\x1b[K");
    this.shown = "";
  }

  private tick(): void {
    if (this.after !== undefined) {
      this.show(
        `[${((Date.now() - this.started) / 1000).toFixed(1)}s] song ${this.songPercent}% | ${this.after}`,
      );
      return;
    }
    let state: Omit<ProgressState, "elapsedMs" | "songPercent">;
    try {
      state = progressFrom(loadHistory(this.eventsDir), this.workers, this.active());
    } catch {
      return;
    }
    const text = formatProgress({
      ...state,
      elapsedMs: Date.now() - this.started,
      songPercent: this.songPercent,
    });
    this.show(text);
  }

  private show(text: string): void {
    if (this.tty) {
      this.shown = text;
      this.write(`\r\x1b[K${text}`);
    } else if (Date.now() - this.lastPlain >= 5000) {
      this.lastPlain = Date.now();
      this.write(`Progress: ${text}\n`);
    }
  }
}
