import type { BrokerHandle } from "../environment/broker-environment.js";
import type { LinkProxies } from "../environment/link-proxies.js";
import type { PlannedFault } from "../schedule/plan.js";

/** What a fault acts on: a worker or the server (its process and its STOMP link), or the broker. */
export interface FaultTarget {
  /** 1-based worker number in start order; 0 for the server, -1 for the broker. */
  index: number;
  /** The Toxiproxy proxy of its STOMP link: "worker-3", "server", or "broker". */
  link: string;
  pid: number;
  /** The worker's own id (Worker[5d52b7f]), once it has said it. */
  workerId: string | undefined;
}

export interface NemesisContext {
  proxies: LinkProxies;
  broker: BrokerHandle;
  /** The scenario's parameters for this fault (latencyMs, rateKBps, …). */
  params: Readonly<Record<string, number>>;
}

/**
 * One kind of fault, like one Toxiproxy toxic: inject it into a target and, if it can be undone, heal it.
 * Adding a fault is adding a file and listing it in index.ts.
 */
export interface Nemesis {
  readonly name: string;
  readonly summary: string;
  /** Whether the broker must redeliver the job the target held (the detection check and the broker oracle). */
  readonly redelivers: boolean;
  /** What a delivery attempt cut short by this fault is called in the ledger. */
  readonly attemptOutcome?: "crashed" | "frozen" | "cut-off";
  /** How long the broker may take to notice the fault, given the heart-beat (ms). */
  boundMs?(heartbeatMs: number): number;
  /** The timeline line for people, in the original's words where it had them. */
  describe(targets: readonly FaultTarget[]): string;
  inject(target: FaultTarget, ctx: NemesisContext): void | Promise<void>;
  heal?(target: FaultTarget, ctx: NemesisContext): void | Promise<void>;
  /** Turns one scheduled fault into several (flapping); without it the fault runs as scheduled. */
  plan?(fault: PlannedFault, random: () => number): PlannedFault[];
}

/** Sends a signal; a process that is already gone is not an error (a fault on the dead is a no-op). */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

export const workerNames = (targets: readonly FaultTarget[]) =>
  targets.map((t) => (t.index > 0 ? `Worker[${t.workerId}]` : t.link)).join(", ");
