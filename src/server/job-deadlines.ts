import { SAMPLE_RATE } from "../audio/pcm.js";
import type { JobRecord } from "./state-store.js";

export interface DeadlinePolicy {
  /** The shortest deadline; before any speed is measured, every deadline is `factor` times this. */
  minMs: number;
  /** How many times the expected time a job gets. */
  factor: number;
}

export interface Overdue {
  job: JobRecord;
  /** The deadline it missed, and when its clock started. */
  deadlineMs: number;
  reachedWorkerBy: number;
}

/** Accepted results that measure the workers' speed. */
const MEASURED = 32;

const audioSeconds = (job: JobRecord) => (job.end - job.start) / SAMPLE_RATE;

/**
 * Seconds of a worker's time per second of audio: the slowest of the latest accepted results (a worker's time runs
 * from its start of work to its result sent, synthetic model time included). Undefined before any.
 */
export function measuredSpeed(jobs: readonly JobRecord[]): number | undefined {
  const recent = jobs
    .flatMap((job) => (job.accepted && job.end > job.start ? [{ job, accepted: job.accepted }] : []))
    .sort((a, b) => b.accepted.received_at - a.accepted.received_at)
    .slice(0, MEASURED);
  if (recent.length === 0) return undefined;
  return Math.max(...recent.map(({ job, accepted }) => accepted.time / audioSeconds(job)));
}

export function deadlineMs(job: JobRecord, policy: DeadlinePolicy, speed: number | undefined): number {
  if (speed === undefined) return policy.minMs * policy.factor;
  return Math.max(policy.minMs, Math.ceil(policy.factor * audioSeconds(job) * speed * 1000));
}

/**
 * Which pending jobs are past their deadline. The server cannot see the queue, and a job waiting its turn behind
 * others must not be counted late, so its clock starts only once it has surely reached a worker. The queue hands
 * jobs out in the order they were sent, so that is (a) when a job sent after it had its result accepted, or (b)
 * when no job sent before it is pending any more (the next free worker takes it; a tick notices within its
 * period). Nothing counts before `since` (this server's start): while it was down it saw nothing.
 */
export class DeadlineClock {
  /** Jobs at the head of the pending ones (by id and send time), and since when this clock has seen them there. */
  private readonly headSince = new Map<string, number>();

  constructor(
    private readonly policy: DeadlinePolicy,
    private readonly since: number,
  ) {}

  /** `pending`: sent, not accepted, of a song still separating; `jobs`: every job (accepted ones are evidence). */
  overdue(pending: readonly JobRecord[], jobs: readonly JobRecord[], now: number): Overdue[] {
    const speed = measuredSpeed(jobs);
    const order = (a: JobRecord, b: JobRecord) =>
      sentAt(a, this.since) - sentAt(b, this.since) || a.job_id - b.job_id;
    const queue = [...pending].sort(order);
    const accepted = jobs.filter((j) => j.accepted && j.published_at !== undefined).sort(order);
    // Suffix minima: the first acceptance among the jobs sent at or after each position.
    const firstAcceptFrom = new Array<number>(accepted.length + 1).fill(Number.POSITIVE_INFINITY);
    for (let i = accepted.length - 1; i >= 0; i--)
      firstAcceptFrom[i] = Math.min(
        firstAcceptFrom[i + 1] ?? Infinity,
        accepted[i]?.accepted?.received_at ?? Infinity,
      );
    const head = queue[0];
    const headKey = head && key(head);
    for (const seen of [...this.headSince.keys()]) if (seen !== headKey) this.headSince.delete(seen);
    if (headKey && !this.headSince.has(headKey)) this.headSince.set(headKey, now);

    const late: Overdue[] = [];
    for (const job of queue) {
      const laterAccepted = firstAcceptFrom[upperBound(accepted, job, order)] ?? Infinity;
      const atHead = job === head ? (this.headSince.get(key(job)) ?? now) : Infinity;
      const evidence = Math.min(laterAccepted, atHead);
      if (evidence === Infinity) continue;
      const reachedWorkerBy = Math.max(this.since, sentAt(job, this.since), evidence);
      const deadline = deadlineMs(job, this.policy, speed);
      if (now - reachedWorkerBy > deadline) late.push({ job, deadlineMs: deadline, reachedWorkerBy });
    }
    return late;
  }
}

/** Records from before send times were kept count as sent at this server's start. */
const sentAt = (job: JobRecord, since: number) => job.published_at ?? since;

const key = (job: JobRecord) => `${job.job_id}@${job.published_at}`;

/** The index of the first of `sorted` that comes after `job`. */
function upperBound(
  sorted: readonly JobRecord[],
  job: JobRecord,
  order: (a: JobRecord, b: JobRecord) => number,
): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const at = sorted[mid];
    if (at && order(at, job) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
