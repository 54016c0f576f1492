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

/** Worker states from the recorded history: busy from delivery to its end, dead once killed, frozen until healed. */
export function progressFrom(
  history: readonly RecordedEvent[],
  workers: number,
): Omit<ProgressState, "elapsedMs" | "songPercent"> {
  const busy = new Set<string>();
  const dead = new Set<string>();
  const frozen = new Set<string>();
  for (const e of history) {
    const w = e.worker;
    if (!w) continue;
    if (e.type === "job-delivered") busy.add(w);
    else if (["ack-receipted", "ack-failed", "nack", "job-cancelled", "dead-lettered"].includes(e.type))
      busy.delete(w);
    else if (e.type === "fault-injected" && e.fault === "kill") dead.add(w);
    else if (e.type === "fault-injected" && e.fault === "freeze") frozen.add(w);
    else if (e.type === "fault-healed") frozen.delete(w);
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
  private readonly started = Date.now();

  constructor(
    private readonly eventsDir: string,
    private readonly workers: number,
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
    let state: Omit<ProgressState, "elapsedMs" | "songPercent">;
    try {
      state = progressFrom(loadHistory(this.eventsDir), this.workers);
    } catch {
      return;
    }
    const text = formatProgress({
      ...state,
      elapsedMs: Date.now() - this.started,
      songPercent: this.songPercent,
    });
    if (this.tty) {
      this.shown = text;
      this.write(`\r\x1b[K${text}`);
    } else if (Date.now() - this.lastPlain >= 5000) {
      this.lastPlain = Date.now();
      this.write(`Progress: ${text}\n`);
    }
  }
}
