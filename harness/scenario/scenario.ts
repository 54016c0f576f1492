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
  /** The server's split (for every song), and the length of the song a scenario without a workload plays. */
  song: {
    seconds: number;
    /** "per-worker": one chunk per worker (the original's default); a number: chunks of that many seconds. */
    split: "per-worker" | number;
  };
  /**
   * What the harness's client does, in order. Without one in the file: upload one song of song.seconds and ask
   * for its karaoke mix. The first operation is an upload at 0; every time is in scenario seconds after that
   * upload's jobs were sent (t0), as fault times are.
   */
  workload: WorkloadOp[];
  server: { kind: ServerKind };
  /** Synthetic model time per job, drawn per worker from the seed, in scenario seconds. */
  jobSeconds: [number, number];
  /** Failed attempts at a job the cluster is configured to allow before it dead-letters it (JOB_MAX_FAILURES). */
  deliveryLimit: number;
  /** RabbitMQ nodes it needs: above 1, a cluster (`--broker cluster`, or an external one of as many nodes). */
  brokerNodes: number;
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
  "ack-before-receipt",
  "no-reconnect",
  "no-heartbeat",
  "stop-after-nack",
  "no-delivery-limit",
  "ignores-reset",
  "classic-jobs",
  "first-node-only",
] as const;
export type WorkerKind = (typeof WORKER_KINDS)[number];

/** Anything but "standard" is a deliberately broken server. */
export const SERVER_KINDS = [
  "standard",
  "ack-before-save",
  "dedup-by-chunk",
  "crash-on-malformed",
  "requeues-duplicates",
  "memory-only",
  "trusts-job-id",
  "classic-jobs",
] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

export const STEMS = ["drums", "bass", "vocals", "other"] as const;
export type Stem = (typeof STEMS)[number];

/** The client's operations: each is recorded in the history as invoke, then ok, fail or info. */
export type WorkloadOp =
  | {
      at: number;
      op: "upload";
      /** The harness's own label for the song ("a", "b", …): its files are under songs/, output/ and reference/. */
      song: string;
      seconds: number;
      /** The stems of the mix asked for at once. */
      tracks: Stem[];
    }
  /** Once the song is done (waited for), ask for another mix of it; the reference follows the last choice. */
  | { at: number; op: "remix"; song: string; tracks: Stem[] }
  /** POST /reset: every song uploaded before it is gone; its jobs must be cancelled, never taken as done. */
  | { at: number; op: "reset" };

export interface FaultSpec {
  /** Scenario seconds after the first song's jobs were sent; or, with `on`, the fault fires on the wire. */
  at?: number;
  on?: WireTrigger;
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

/**
 * A fault fired the instant a frame crosses a link, not at a time: the narrow windows of the exactly-once path
 * (a result ACKed, its RECEIPT on the way back) that a timer almost never hits.
 */
export interface WireTrigger {
  /** Which frame: see TRIGGER_EVENTS. */
  event: TriggerEvent;
  /** The link it crosses ("server", "worker-2"); any link when absent. */
  link?: string;
  /** Only frames of this song (a workload label). */
  song?: string;
  /** The nth such frame fires it (1 = the first). */
  nth: number;
  /** Real ms between the frame and the fault: "a worker killed 300 ms into the job it was just given". */
  delayMs?: number;
}

/**
 * Frames a trigger can name, as the taps classify them. A frame going to the broker fires once it has been
 * passed on (the broker has it); a frame coming from the broker fires before it is passed on (the process
 * never reads it if the fault kills or cuts it).
 */
export const TRIGGER_EVENTS = [
  "job-sent",
  "job-delivered",
  "result-sent",
  "result-receipt",
  "job-ack",
  "job-nack",
  "result-delivered",
  "result-ack",
] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export type TargetSelector = "unhealthy" | "workers" | "server" | "all" | "broker" | "trigger" | number[];
/** "trigger": the process whose link the triggering frame crossed. */
export const TARGET_WORDS = ["unhealthy", "workers", "server", "all", "broker", "trigger"] as const;
