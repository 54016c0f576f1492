import { monotonicMs } from "../../src/events/event-log.js";
import type { BrokerHandle } from "../environment/broker-environment.js";
import type { LinkProxies } from "../environment/link-proxies.js";
import type { Operation, OperationLog, OpTarget, OpValue } from "../history/operations.js";
import { NEMESES } from "../nemesis/index.js";
import { type FaultTarget, type Nemesis, NotLanded, workerNames } from "../nemesis/nemesis.js";
import type { Plan, PlannedFault } from "../schedule/plan.js";
import type { HostPort } from "../toxiproxy/address.js";
import type { ActiveFault } from "./live-progress.js";
import type { Timeline } from "./timeline.js";

interface Active {
  nemesis: Nemesis;
  planned: PlannedFault;
  targets: FaultTarget[];
}

export interface FaultEnvironment {
  proxies: LinkProxies;
  broker: BrokerHandle;
  retargetBroker(upstream: HostPort): void;
}

const opTarget = (t: FaultTarget): OpTarget => ({ index: t.index, link: t.link, pid: t.pid });

/**
 * Runs the planned faults at their times (relative to when the song's jobs were sent) as the nemesis's
 * operations: each injection and heal is recorded as invoke, then ok with what was observed, fail when it
 * certainly did not happen, or info when nobody can tell. Heals whatever is still active when stopped.
 */
export class FaultSchedule {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly active = new Set<Active>();

  constructor(
    private readonly plan: Plan,
    private readonly target: (index: number) => FaultTarget,
    private readonly env: FaultEnvironment,
    private readonly timeline: Timeline,
    private readonly ops: OperationLog,
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
          await this.operate(nemesis.name, t, planned.params, () =>
            nemesis.inject(t, { ...this.env, params: planned.params }),
          );
        }
      });
      if (planned.healAtMs !== undefined && nemesis.heal) {
        this.at(sentAt + planned.healAtMs, () => this.heal(entry));
      }
    }
  }

  /** The faults in force now, by worker id, for the status line. */
  activeNow(): ActiveFault[] {
    return [...this.active].flatMap((e) =>
      e.targets.flatMap((t) => (t.workerId ? [{ fault: e.nemesis.name, worker: t.workerId }] : [])),
    );
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
    const heal = entry.nemesis.heal;
    if (!this.active.delete(entry) || !heal) return;
    this.timeline.write("INFO", `Harness: healing ${entry.nemesis.name} of ${workerNames(entry.targets)}`);
    for (const t of entry.targets) {
      await this.operate(`heal ${entry.nemesis.name}`, t, entry.planned.params, () =>
        heal(t, { ...this.env, params: entry.planned.params }),
      );
    }
  }

  private async operate(
    f: string,
    target: FaultTarget,
    params: Readonly<Record<string, number>>,
    act: () => Promise<OpValue>,
  ): Promise<Operation> {
    const invoked = this.ops.invoke(
      "nemesis",
      f,
      { ...params, worker: target.workerId ?? null },
      opTarget(target),
    );
    try {
      return this.ops.complete(invoked, "ok", await act());
    } catch (error) {
      const why = (error as Error).message;
      this.timeline.write(
        "ERROR",
        `Harness: ${f} of ${target.link} ${error instanceof NotLanded ? "did not happen" : "may not have happened"}: ${why}`,
      );
      return this.ops.complete(invoked, error instanceof NotLanded ? "fail" : "info", { error: why });
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
