import type { BrokerHandle } from "../environment/broker-environment.js";
import type { LinkProxies } from "../environment/link-proxies.js";
import type { OpValue } from "../history/operations.js";
import type { TriggerEvent } from "../scenario/scenario.js";
import type { PlannedFault } from "../schedule/plan.js";
import type { HostPort } from "../toxiproxy/address.js";
import type { ClassifiedFrame } from "../wire/frame-classifier.js";
import type { WireEvent } from "../wire/wire-tap.js";

/** What a fault acts on: a worker or the server (its process and its STOMP link), or the broker. */
export interface FaultTarget {
  /** 1-based worker number in start order; 0 for the server, -1 for the broker. */
  index: number;
  /** The Toxiproxy proxy of its STOMP link: "worker-3", "server", or "broker". */
  link: string;
  pid: number;
  /** The worker's own id (Worker[5d52b7f]), once it has said it: for people, never for verdicts. */
  workerId: string | undefined;
}

export interface NemesisContext {
  proxies: LinkProxies;
  broker: BrokerHandle;
  /** Sends the links' new connections to the broker at its new address (after a restart). */
  retargetBroker(upstream: HostPort): void;
  /** Starts the server again on its data directory (after a kill or a stop). */
  restartServer(): Promise<{ pid: number }>;
  /** The product's queues, as STOMP destinations, for the faults that publish with the harness's own client. */
  queues: { jobs: string; results: string; deadLetter: string };
  /** The scenario's parameters for this fault (latencyMs, rateKBps, …). */
  params: Readonly<Record<string, number>>;
  /** The frame that fired it, for a fault fired by the wire. */
  frame?: ClassifiedFrame;
}

/** A fault as the nemesis's operations recorded it: when it was done and healed, and what was observed then. */
export interface FaultWindow {
  fault: string;
  link: string;
  /** Monotonic ms when the fault's operation was invoked, and when it completed ok. */
  invokedAt: number;
  at: number;
  /** When the heal was asked for (the link may change from then on), and when it was done. */
  healInvokedAt?: number;
  healedAt?: number;
  /** What the operation observed (ok value). */
  observed: OpValue;
  params: Readonly<Record<string, number>>;
  heartbeatMs: number;
}

/** Whether a fault's effect was seen, and from when: a fault counts only once it is proven. */
export type Proof = { landed: true; at: number; effect: string } | { landed: false; why: string };

/** The fault certainly did not happen (the target was already gone): recorded as `fail`. */
export class NotLanded extends Error {}

/**
 * One kind of fault, like one Toxiproxy toxic: inject it into a target, prove it landed and, if it can be
 * undone, heal it. Adding a fault is adding a file and listing it in index.ts.
 */
export interface Nemesis {
  readonly name: string;
  readonly summary: string;
  /** Whether the broker must redeliver the job the target held (the detection check and the broker oracle). */
  readonly redelivers: boolean;
  /** What the fault must hit to count, checked on the wire when it landed: a worker link holding an unACKed job. */
  readonly needs?: "holding-job";
  /**
   * The target can write nothing from the fault until it is healed (a process killed or stopped): a frame of
   * its that reaches the tap meanwhile was written before the fault, only read a moment later.
   */
  readonly silences?: true;
  /** What a delivery attempt cut short by this fault is called in the ledger. */
  readonly attemptOutcome?: "crashed" | "frozen" | "cut-off";
  /**
   * How long the broker may take to notice the fault, given the heart-beat (ms) and, once it was healed, how
   * long after it landed (ms), before the machine's slack.
   */
  boundMs?(heartbeatMs: number, healedAfterMs?: number): number;
  /** The timeline line for people, in the original's words where it had them. */
  describe(targets: readonly FaultTarget[]): string;
  /**
   * Does it; resolves with what was observed of its effect. Throws NotLanded when it certainly did not happen;
   * any other error leaves the outcome unknown.
   */
  inject(target: FaultTarget, ctx: NemesisContext): Promise<OpValue>;
  heal?(target: FaultTarget, ctx: NemesisContext): Promise<OpValue>;
  /** Proves from what the operation observed and from the wire that the fault took effect. */
  prove(fault: FaultWindow, wire: readonly WireEvent[]): Proof;
  /**
   * Settings of the broker's rabbit application the fault needs (consumer_timeout, …): a run with it gets a
   * broker of its own, set so before the cluster starts.
   */
  readonly brokerEnv?: Readonly<Record<string, number>>;
  /**
   * What it takes from the management API's counters: "all" (the whole broker restarted: they count from then),
   * or "node" (a node died: what its channels counted, deliveries to its consumers too, is gone with it).
   */
  readonly forgetsCounters?: "all" | "node";
  /** How seeded chaos may draw it; a nemesis without it is never drawn. */
  readonly chaos?: ChaosSpec;
  /** A fault that acts on a frame (a poison copy of a job) must be fired by one of these wire events. */
  readonly firedBy?: readonly string[];
  /** Turns one scheduled fault into several (flapping); without it the fault runs as scheduled. */
  plan?(fault: PlannedFault, random: () => number): PlannedFault[];
}

/**
 * What the chaos generator may do with a nemesis: what it targets (never a healthy worker, so at least one
 * worker always stays healthy), the wire events that may fire it (else a time is drawn), how long it lasts
 * before it is healed (scenario seconds; absent: never healed, as a killed worker), and its parameters' ranges.
 */
export interface ChaosSpec {
  targets: "unhealthy" | "server" | "broker" | "song";
  triggers?: readonly TriggerEvent[];
  forSeconds?: readonly [number, number];
  params?: Readonly<Record<string, readonly [number, number]>>;
}

export const workerNames = (targets: readonly FaultTarget[]) =>
  targets.map((t) => (t.index > 0 ? `Worker[${t.workerId}]` : t.link)).join(", ");

/** A proof from the operation alone: the process-level observation it recorded is the effect. */
export function provenByOperation(fault: FaultWindow, effectKey: string): Proof {
  const effect = fault.observed[effectKey];
  return typeof effect === "string"
    ? { landed: true, at: Number(fault.observed.effectAt ?? fault.at), effect }
    : { landed: false, why: `no ${effectKey} was observed` };
}

/**
 * The broker's bound for a client gone silent (frozen, or its link stalled): RabbitMQ looks for incoming bytes
 * once every heart-beat interval and closes the connection after two looks find none (rabbit_heartbeat.erl),
 * "between 2 and 3 intervals after the last data has been received", and the client's last byte came at the
 * latest when it fell silent. (2.5 intervals failed a correct run: a freeze taken back after 5962 ms, heart-beat
 * 2000 ms.)
 */
export const silentClientBoundMs = (heartbeatMs: number) => 3 * heartbeatMs;
