import { monotonicMs } from "../../src/events/event-log.js";
import type { BrokerHandle } from "../environment/broker-environment.js";
import type { LinkProxies } from "../environment/link-proxies.js";
import type { Operation, OperationLog, OpTarget, OpValue } from "../history/operations.js";
import { NEMESES } from "../nemesis/index.js";
import { type FaultTarget, type Nemesis, NotLanded, workerNames } from "../nemesis/nemesis.js";
import type { Plan, PlannedFault } from "../schedule/plan.js";
import type { HostPort } from "../toxiproxy/address.js";
import type { ClassifiedFrame } from "../wire/frame-classifier.js";
import type { WireTriggers } from "../wire/wire-triggers.js";
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
  restartServer(): Promise<{ pid: number }>;
  queues: { jobs: string; results: string; deadLetter: string };
  /** Absent with the taps off: then a fault fired by the wire never fires. */
  triggers: WireTriggers | undefined;
}

const opTarget = (t: FaultTarget): OpTarget => ({ index: t.index, link: t.link, pid: t.pid });

/**
 * Runs the planned faults, at their times after t0 or when their frame crosses a link, as the nemesis's
 * operations: each injection and heal is recorded as invoke, then ok with what was observed, fail when it
 * certainly did not happen, or info when nobody can tell. Heals whatever is still active when stopped.
 */
export class FaultSchedule {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly active = new Set<Active>();
  /** Timers set and not run yet. */
  private due = 0;
  private heals = 0;

  constructor(
    private readonly plan: Plan,
    private readonly target: (index: number) => FaultTarget,
    private readonly env: FaultEnvironment,
    private readonly timeline: Timeline,
    private readonly ops: OperationLog,
  ) {}

  /** Arms the faults fired by the wire: before the first upload, so that no frame of a song is missed. */
  arm(): void {
    for (const planned of this.plan.faults) {
      if (!planned.trigger) continue;
      if (!this.env.triggers) {
        this.timeline.write(
          "ERROR",
          `Harness: ${planned.fault} on ${planned.trigger.event} cannot fire: no wire taps`,
        );
        continue;
      }
      this.env.triggers.arm(planned.trigger, (frame) => {
        const index = frame.frame.link === "server" ? 0 : Number(frame.frame.link.replace("worker-", ""));
        const act = () => this.inject(planned, planned.targets.length > 0 ? planned.targets : [index], frame);
        const delay = planned.trigger?.delayMs ?? 0;
        if (delay > 0) this.at(monotonicMs() + delay, act);
        else this.launch(act);
      });
    }
  }

  /** Starts the timed faults, at their times after t0 (when the first song's jobs were sent). */
  start(t0: number): void {
    for (const planned of this.plan.faults) {
      if (planned.atMs !== undefined) this.at(t0 + planned.atMs, () => this.inject(planned, planned.targets));
    }
  }

  /** Runs the injection at once (its synchronous part before this returns), and schedules its heal. */
  private async inject(planned: PlannedFault, indexes: number[], frame?: ClassifiedFrame): Promise<void> {
    const nemesis = NEMESES[planned.fault];
    const entry: Active = { nemesis, planned, targets: indexes.map((i) => this.target(i)) };
    if (planned.forMs !== undefined && nemesis.heal)
      this.at(monotonicMs() + planned.forMs, () => this.heal(entry));
    this.active.add(entry);
    const why = frame ? ` (as ${frame.event} of Job[${frame.job}] crossed ${frame.frame.link})` : "";
    this.timeline.write("WARNING", `${nemesis.describe(entry.targets)}${why}`);
    for (const t of entry.targets) {
      await this.operate(nemesis.name, t, planned.params, frame, () =>
        nemesis.inject(t, { ...this.env, params: planned.params, frame }),
      );
    }
  }

  /** The faults in force now, by worker id, for the status line. */
  activeNow(): ActiveFault[] {
    return [...this.active].flatMap((e) =>
      e.targets.flatMap((t) => (t.workerId ? [{ fault: e.nemesis.name, worker: t.workerId }] : [])),
    );
  }

  /** Waits for every fault action already started or due (a broker restart takes seconds, a heal comes later). */
  async settled(): Promise<void> {
    while (this.pending.size > 0 || this.due > 0) {
      if (this.pending.size > 0) await Promise.allSettled([...this.pending]);
      else await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Cancels what has not happened yet and heals what is still active. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.due = 0;
    await this.settled();
    for (const entry of [...this.active]) await this.heal(entry);
  }

  /** Whether a fault was healed: only then can a target act late (a resumed zombie's result). */
  get healedAny(): boolean {
    return this.heals > 0;
  }

  private async heal(entry: Active): Promise<void> {
    const heal = entry.nemesis.heal;
    if (!this.active.delete(entry) || !heal) return;
    this.heals++;
    this.timeline.write("INFO", `Harness: healing ${entry.nemesis.name} of ${workerNames(entry.targets)}`);
    for (const t of entry.targets) {
      await this.operate(`heal ${entry.nemesis.name}`, t, entry.planned.params, undefined, () =>
        heal(t, { ...this.env, params: entry.planned.params }),
      );
    }
  }

  private async operate(
    f: string,
    target: FaultTarget,
    params: Readonly<Record<string, number>>,
    frame: ClassifiedFrame | undefined,
    act: () => Promise<OpValue>,
  ): Promise<Operation> {
    const trigger: OpValue = frame
      ? { trigger: frame.event, triggerJob: frame.job, triggerLink: frame.frame.link }
      : {};
    const invoked = this.ops.invoke(
      "nemesis",
      f,
      { ...params, worker: target.workerId ?? null, ...trigger },
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

  private launch(action: () => Promise<void>): void {
    const done = action()
      .catch((error: Error) => this.timeline.write("ERROR", `Harness: fault action failed: ${error.message}`))
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  private at(monoMs: number, action: () => Promise<void>): void {
    this.due++;
    const timer = setTimeout(
      () => {
        this.due--;
        this.launch(action);
      },
      Math.max(0, monoMs - monotonicMs()),
    );
    this.timers.push(timer);
  }
}
