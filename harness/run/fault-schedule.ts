import type { EventLog } from "../../src/events/event-log.js";
import { monotonicMs } from "../../src/events/event-log.js";
import type { BrokerHandle } from "../environment/broker-environment.js";
import type { LinkProxies } from "../environment/link-proxies.js";
import { NEMESES } from "../nemesis/index.js";
import type { FaultTarget, Nemesis } from "../nemesis/nemesis.js";
import type { Plan, PlannedFault } from "../schedule/plan.js";
import type { Timeline } from "./timeline.js";

export type FaultEvents = EventLog<"fault-injected" | "fault-healed">;

interface Active {
  nemesis: Nemesis;
  planned: PlannedFault;
  targets: FaultTarget[];
}

/**
 * Runs the planned faults at their times (relative to when the song's jobs were sent), records each
 * injection and heal in the history, and heals whatever is still active when stopped, whatever happened.
 */
export class FaultSchedule {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly active = new Set<Active>();

  constructor(
    private readonly plan: Plan,
    private readonly target: (index: number) => FaultTarget,
    private readonly env: { proxies: LinkProxies; broker: BrokerHandle },
    private readonly timeline: Timeline,
    private readonly events: FaultEvents,
  ) {}

  start(sentAt: number): void {
    for (const planned of this.plan.faults) {
      const nemesis = NEMESES[planned.fault];
      const entry: Active = { nemesis, planned, targets: [] };
      this.at(sentAt + planned.atMs, async () => {
        entry.targets = planned.targets.map((i) => this.target(i));
        this.timeline.write("WARNING", nemesis.describe(entry.targets));
        this.active.add(entry);
        for (const t of entry.targets) {
          this.events.record("fault-injected", {
            fault: nemesis.name,
            target: t.index,
            targetPid: t.pid,
            worker: t.workerId,
            link: t.link,
          });
          await nemesis.inject(t, { ...this.env, params: planned.params });
        }
      });
      if (planned.healAtMs !== undefined && nemesis.heal) {
        this.at(sentAt + planned.healAtMs, () => this.heal(entry));
      }
    }
  }

  /** When the last heal is due (real ms after the jobs were sent), 0 if nothing heals. */
  get lastHealMs(): number {
    return Math.max(0, ...this.plan.faults.map((f) => f.healAtMs ?? 0));
  }

  /** Waits for every fault action already started (a broker restart takes seconds). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Cancels what has not happened yet and heals what is still active. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    await this.settled();
    for (const entry of [...this.active]) await this.heal(entry);
  }

  private async heal(entry: Active): Promise<void> {
    if (!this.active.delete(entry) || !entry.nemesis.heal) return;
    const who = entry.targets.map((t) => (t.index > 0 ? `Worker[${t.workerId}]` : t.link)).join(", ");
    this.timeline.write("INFO", `Harness: healing ${entry.nemesis.name} of ${who}`);
    for (const t of entry.targets) {
      await entry.nemesis.heal(t, { ...this.env, params: entry.planned.params });
      this.events.record("fault-healed", {
        fault: entry.nemesis.name,
        target: t.index,
        worker: t.workerId,
        link: t.link,
      });
    }
  }

  private at(monoMs: number, action: () => Promise<void>): void {
    const run = () => {
      const done = action()
        .catch((error: Error) =>
          this.timeline.write("ERROR", `Harness: fault action failed: ${error.message}`),
        )
        .finally(() => this.pending.delete(done));
      this.pending.add(done);
    };
    this.timers.push(setTimeout(run, Math.max(0, monoMs - monotonicMs())));
  }
}
