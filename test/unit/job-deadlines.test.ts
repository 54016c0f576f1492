import { describe, expect, it } from "vitest";
import { SAMPLE_RATE } from "../../src/audio/pcm.js";
import { DeadlineClock, deadlineMs, measuredSpeed } from "../../src/server/job-deadlines.js";
import type { JobRecord } from "../../src/server/state-store.js";

const policy = { minMs: 1000, factor: 4 };

/** A job of `seconds` of audio sent at `sentAt`; accepted at `acceptedAt` after `workSeconds` of work, if given. */
function job(
  id: number,
  sentAt: number,
  opts: { seconds?: number; acceptedAt?: number; workSeconds?: number } = {},
): JobRecord {
  const frames = Math.round((opts.seconds ?? 10) * SAMPLE_RATE);
  return {
    job_id: id,
    music_id: 1,
    chunk_index: id,
    chunk_count: 10,
    start: 0,
    end: frames,
    context_start: 0,
    context_end: frames,
    size: frames * 4,
    epoch: 1,
    attempt: 1,
    published: true,
    published_at: sentAt,
    duplicates: 0,
    accepted:
      opts.acceptedAt === undefined
        ? undefined
        : {
            worker_id: "w",
            time: opts.workSeconds ?? 1,
            received_at: opts.acceptedAt,
            redelivered: false,
            delivery_count: 0,
          },
  };
}

const ids = (late: Array<{ job: JobRecord }>) => late.map((l) => l.job.job_id);

describe("a job's deadline", () => {
  it("is factor × its audio length × the slowest recent speed, at least the minimum", () => {
    const done = [job(1, 0, { seconds: 10, acceptedAt: 5, workSeconds: 2 })];
    done.push(job(2, 0, { seconds: 10, acceptedAt: 6, workSeconds: 5 }));
    expect(measuredSpeed(done)).toBeCloseTo(0.5);
    expect(deadlineMs(job(3, 0, { seconds: 20 }), policy, 0.5)).toBe(40_000);
    expect(deadlineMs(job(3, 0, { seconds: 0.1 }), policy, 0.5)).toBe(1000);
  });

  it("before any result measured the speed, is factor × the minimum", () => {
    expect(measuredSpeed([job(1, 0)])).toBeUndefined();
    expect(deadlineMs(job(1, 0), policy, undefined)).toBe(4000);
  });

  it("measures only the latest 32 results: a slow one long ago no longer counts", () => {
    const jobs = [job(1, 0, { acceptedAt: 1, workSeconds: 100 })];
    for (let i = 2; i <= 33; i++) jobs.push(job(i, 0, { acceptedAt: 10 + i, workSeconds: 1 }));
    expect(measuredSpeed(jobs)).toBeCloseTo(0.1);
  });
});

describe("the deadline clock", () => {
  it("does not run for a job waiting in the queue behind pending ones", () => {
    const clock = new DeadlineClock(policy, 0);
    const pending = [job(1, 100), job(2, 200), job(3, 300)];
    expect(clock.overdue(pending, pending, 1000)).toEqual([]);
    // Only the head's clock started (at 1000, when this clock first saw it there); the unmeasured deadline is 4 s.
    expect(ids(clock.overdue(pending, pending, 5000))).toEqual([]);
    expect(ids(clock.overdue(pending, pending, 5001))).toEqual([1]);
  });

  it("starts for a job once a job sent after it had its result accepted", () => {
    const clock = new DeadlineClock(policy, 0);
    const pending = [job(1, 100), job(2, 200)];
    const later = job(3, 300, { acceptedAt: 2000, workSeconds: 1 });
    const all = [...pending, later];
    // 1 s of work for 10 s of audio: a 10 s chunk gets 4 × 1 s.
    expect(deadlineMs(pending[1] as JobRecord, policy, measuredSpeed(all))).toBe(4000);
    expect(ids(clock.overdue(pending, all, 6000))).toEqual([]);
    expect(ids(clock.overdue(pending, all, 6001))).toEqual([1, 2]);
  });

  it("does not count a job sent after the acceptance that would otherwise start it", () => {
    const clock = new DeadlineClock(policy, 0);
    const head = job(1, 100);
    const waiting = job(3, 300);
    const earlier = job(2, 200, { acceptedAt: 250 });
    // Job 2 was accepted after job 1 was sent, so job 1 reached a worker; job 3 was sent after that, and waits.
    expect(ids(clock.overdue([head, waiting], [head, waiting, earlier], 100_000))).toEqual([1]);
  });

  it("counts nothing from before this server started", () => {
    const clock = new DeadlineClock(policy, 50_000);
    const pending = [job(1, 100), job(2, 200)];
    const all = [...pending, job(3, 300, { acceptedAt: 400, workSeconds: 1 })];
    expect(clock.overdue(pending, all, 53_000)).toEqual([]);
    const late = clock.overdue(pending, all, 54_001);
    expect(ids(late)).toEqual([1, 2]);
    expect(late[0]?.reachedWorkerBy).toBe(50_000);
  });

  it("starts the head's clock again when the head is sent again", () => {
    const clock = new DeadlineClock(policy, 0);
    const first = job(1, 100);
    expect(clock.overdue([first], [first], 1000)).toEqual([]);
    expect(ids(clock.overdue([first], [first], 5001))).toEqual([1]);
    const again = { ...first, published_at: 5002 };
    expect(clock.overdue([again], [again], 6000)).toEqual([]);
    expect(ids(clock.overdue([again], [again], 10_001))).toEqual([1]);
  });
});
