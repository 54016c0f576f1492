/**
 * A scenario: the cluster to run, the song to feed it, the faults to inject and when. Times are in scenario
 * seconds, as the original would have seen them; `timeScale` turns them into real seconds (0.02: a
 * "minute" lasts 1.2 s). Heart-beats are protocol timings and are never scaled.
 */
export interface Scenario {
  name: string;
  description: string;
  workers: {
    healthy: number;
    /** Workers the faults target (the original's "unhealthy" ones); started after the healthy ones. */
    unhealthy: number;
    /** Anything but "standard" is a deliberately broken worker, to show that the checks can fail. */
    kind: WorkerKind;
  };
  song: {
    seconds: number;
    /** "per-worker": one chunk per worker (the original's default); a number: chunks of that many seconds. */
    split: "per-worker" | number;
  };
  /** Synthetic model time per job, drawn per worker from the seed, in scenario seconds. */
  jobSeconds: [number, number];
  /** STOMP heart-beat (both directions), real milliseconds. */
  heartbeatMs: number;
  faults: FaultSpec[];
  timeScale: number;
  /** The song must be done this many scenario seconds after its jobs were sent (liveness). */
  budgetSeconds: number;
  /** Each healed worker must connect and subscribe to the job queue again (serves-after-heal). */
  servesAfterHeal?: boolean;
}

export const WORKER_KINDS = [
  "standard",
  "ack-before-work",
  "ack-on-current-connection",
  "no-heartbeat",
] as const;
export type WorkerKind = (typeof WORKER_KINDS)[number];

export interface FaultSpec {
  /** Scenario seconds after the song's jobs were sent. */
  at: number;
  /** A nemesis name (harness/nemesis), e.g. "kill" or "freeze". */
  fault: string;
  /**
   * What it hits: the unhealthy workers, every worker, the server, all of them (workers and server), the
   * broker, or worker numbers (1-based, in start order).
   */
  targets: TargetSelector;
  /** Scenario seconds until the fault is healed (a frozen worker resumed); absent: never (a kill). */
  for?: number;
  /** The fault's own numbers, e.g. {latencyMs: 200, jitterMs: 100} or {rateKBps: 500}; real ms, not scaled. */
  params?: Record<string, number>;
}

export type TargetSelector = "unhealthy" | "workers" | "server" | "all" | "broker" | number[];
export const TARGET_WORDS = ["unhealthy", "workers", "server", "all", "broker"] as const;
