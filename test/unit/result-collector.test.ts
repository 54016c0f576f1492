import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { STEM_NAMES, type Stems } from "../../src/audio/pcm.js";
import { createEventLog } from "../../src/events/event-log.js";
import { createLogger } from "../../src/log/logger.js";
import { destinations } from "../../src/messages/destinations.js";
import { encodeResult } from "../../src/messages/result-message.js";
import { ResultCollector } from "../../src/server/result-collector.js";
import { SongPipeline } from "../../src/server/song-pipeline.js";
import { type JobRecord, type MusicRecord, StateStore } from "../../src/server/state-store.js";
import type { Delivery, StompLink } from "../../src/stomp/link.js";
import { ConnectionLostError } from "../../src/stomp/session.js";
import { SmallDisk } from "./small-disk.js";
import { DIGEST, jobRecord, songRecord } from "./state-records.js";

const FRAMES = 64;

/** Counts the moments the collector tells the pipeline that a chunk is in; the merge itself is not under test. */
class CountingPipeline extends SongPipeline {
  readonly told: number[] = [];
  readonly retried: string[] = [];
  override chunkAccepted(music: MusicRecord): void {
    this.told.push(music.music_id);
  }
  override retry(job: JobRecord, why: string): void {
    this.retried.push(`Job[${job.job_id}] ${why}`);
  }
}

function songWithOneJob(store: StateStore): void {
  store.state.music["1"] = songRecord({ frames: FRAMES });
  store.state.jobs["1"] = jobRecord(1, false, { chunk_count: 1, end: FRAMES, context_end: FRAMES });
}

/** A message as the collector's subscription hands it in; only its ACK is watched. */
function delivered(headers: Delivery["headers"], body: Buffer, ack: () => Promise<void>): Delivery {
  return {
    headers,
    body,
    redelivered: false,
    connectionId: "c1",
    ack,
    nack: async () => {},
    publishHere: async () => {},
  };
}

function resultDelivery(ack: () => Promise<void>, jobDigest = DIGEST, frames = FRAMES, jobId = 1): Delivery {
  const stems = Object.fromEntries(STEM_NAMES.map((n) => [n, new Int32Array(frames * 2)])) as Stems;
  const { headers, body } = encodeResult({
    kind: "done",
    jobId,
    musicId: 1,
    workerId: "w1",
    redelivered: false,
    deliveryCount: 0,
    chunkIndex: jobId - 1,
    frames,
    startedAt: 0,
    finishedAt: 1,
    syntheticMs: 0,
    stems,
    jobDigest,
  });
  return delivered(headers, body, ack);
}

/** A worker's report that it gave up on job `jobId` of song 1. */
function failureDelivery(jobId: number, ack: () => Promise<void>, jobDigest = DIGEST): Delivery {
  const { headers, body } = encodeResult({
    kind: "failed",
    jobId,
    musicId: 1,
    workerId: "w2",
    redelivered: true,
    deliveryCount: 5,
    reason: "delivered too often",
    jobDigest,
  });
  return delivered(headers, body, ack);
}

/** A collector on `dir` whose deliveries the test hands in itself. */
async function collectorOn(dir: string) {
  const store = new StateStore(dir);
  songWithOneJob(store);
  await store.save();
  const lines: string[] = [];
  const log = createLogger((line) => lines.push(line));
  const events = createEventLog(undefined, "server");
  const pipeline = new CountingPipeline(store, undefined as never, log, events, 3);
  let deliver: (d: Delivery) => void = () => {};
  const deadLettered: string[] = [];
  const link = {
    publish: async (destination: string, headers: Record<string, string>) => {
      if (destination === destinations("t").deadLetter) deadLettered.push(headers["x-encore-reason"] ?? "");
    },
    subscribe: (_d: string, _h: unknown, handler: (d: Delivery) => void) => {
      deliver = handler;
      return Promise.resolve();
    },
  } as unknown as StompLink;
  const collector = new ResultCollector(store, pipeline, link, destinations("t"), log, events);
  await collector.start();
  return { store, pipeline, collector, lines, deadLettered, deliver: (d: Delivery) => deliver(d) };
}

describe("ResultCollector", () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });

  /** A collector on a fresh data folder, closed and removed after the test. */
  async function collectorInTempDir() {
    const dir = mkdtempSync(join(tmpdir(), "encore-collector-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const parts = await collectorOn(dir);
    cleanups.push(() => parts.store.close());
    return parts;
  }

  it("moves the song on when a saved result's ACK is lost with the connection, and drops its redelivery", async () => {
    const { store, pipeline, collector, lines, deliver } = await collectorInTempDir();

    deliver(resultDelivery(() => Promise.reject(new ConnectionLostError("connection is gone"))));
    await collector.drained();
    expect(store.state.jobs["1"]?.accepted?.worker_id).toBe("w1");
    expect(pipeline.told).toEqual([1]);
    expect(lines.join("\n")).toMatch(/result not settled \(connection is gone\)/);

    let acked = 0;
    deliver(resultDelivery(async () => void acked++));
    await collector.drained();
    expect(acked).toBe(1);
    expect(store.state.jobs["1"]?.duplicates).toBe(1);
    expect(collector.counters).toMatchObject({ accepted: 1, duplicates: 1 });
  });

  it("takes results of different jobs side by side, and a job's second result only after its first", async () => {
    const { store, pipeline, collector, deliver } = await collectorInTempDir();
    store.state.music["1"] = songRecord({ frames: 2 * FRAMES, job_ids: [1, 2] });
    store.state.jobs["2"] = jobRecord(2, false, { chunk_count: 2, start: FRAMES, end: 2 * FRAMES });
    let releaseFirst = () => {};
    const acks: string[] = [];
    deliver(
      resultDelivery(() => {
        acks.push("job 1 asked");
        return new Promise((resolve) => {
          releaseFirst = () => resolve();
        });
      }),
    );
    deliver(resultDelivery(async () => void acks.push("job 1 again")));
    deliver(resultDelivery(async () => void acks.push("job 2"), DIGEST, FRAMES, 2));
    // Job 2 does not wait for job 1's ACK; job 1's second copy does.
    await vi.waitFor(() => expect([...acks].sort()).toEqual(["job 1 asked", "job 2"]), { timeout: 5000 });
    releaseFirst();
    await collector.drained();
    expect(acks.slice(2)).toEqual(["job 1 again"]);
    expect(collector.counters).toMatchObject({ accepted: 2, duplicates: 1 });
    expect(pipeline.told).toEqual([1, 1]);
    store.close();
    const reopened = new StateStore(store.dataDir);
    cleanups.push(() => reopened.close());
    expect(reopened.state.jobs["1"]?.duplicates).toBe(1);
    expect(reopened.state.jobs["2"]?.accepted?.worker_id).toBe("w1");
  });

  it("lets no report of an earlier attempt's job touch the song chosen again", async () => {
    const { store, collector, deliver } = await collectorInTempDir();
    // Job 1 was the failed attempt's; the retry's job is 2.
    store.state.music["1"] = songRecord({ frames: FRAMES, job_ids: [2] });
    store.state.jobs["2"] = jobRecord(2, false, { chunk_index: 0, chunk_count: 1, start: 0, end: FRAMES });
    let acked = 0;
    deliver(failureDelivery(1, async () => void acked++));
    deliver(resultDelivery(async () => void acked++));
    await collector.drained();
    expect(acked).toBe(2);
    expect(store.state.music["1"]?.status).toBe("separating");
    expect(store.state.jobs["2"]?.accepted).toBeUndefined();
    expect(collector.counters).toMatchObject({ accepted: 0, stale: 2 });
  });

  it("sets aside a result and a failure report of a job the server did not send as it is; the song goes on", async () => {
    const { store, pipeline, collector, deliver, deadLettered } = await collectorInTempDir();
    let acked = 0;
    const forged = "0f".repeat(32);
    deliver(failureDelivery(1, async () => void acked++, forged));
    deliver(resultDelivery(async () => void acked++, forged));
    await collector.drained();
    expect(acked).toBe(2);
    expect(deadLettered).toEqual([
      expect.stringMatching(/failure report for Job\[1\] .* is of a job the server did not send/),
      expect.stringMatching(/result for Job\[1\] .* is of a job the server did not send/),
    ]);
    expect(store.state.music["1"]?.status).toBe("separating");
    expect(store.state.jobs["1"]?.accepted).toBeUndefined();

    deliver(resultDelivery(async () => void acked++));
    await collector.drained();
    expect(store.state.jobs["1"]?.accepted?.worker_id).toBe("w1");
    expect(pipeline.told).toEqual([1]);
  });

  it("sets aside an unusable result of the job it sent and publishes the job again: the worker ACKed it", async () => {
    const { store, pipeline, collector, deliver, deadLettered } = await collectorInTempDir();
    let acked = 0;
    deliver(resultDelivery(async () => void acked++, DIGEST, FRAMES - 1));
    await collector.drained();
    expect(acked).toBe(1);
    expect(deadLettered).toEqual([
      expect.stringMatching(/has chunk 0 with 63 frames, expected chunk 0 with 64/),
    ]);
    expect(pipeline.retried).toEqual(["Job[1] had an unusable result"]);
    expect(store.state.jobs["1"]?.accepted).toBeUndefined();
    // A forged one (another digest) is no sign the job's copy was used up: the deadline covers that.
    deliver(resultDelivery(async () => void acked++, "0f".repeat(32), FRAMES - 1));
    await collector.drained();
    expect(pipeline.retried).toHaveLength(1);
  });

  it("drops a failure report of a job whose result it already took: the song has that chunk", async () => {
    const { store, pipeline, collector, deliver, lines } = await collectorInTempDir();
    let acked = 0;
    deliver(resultDelivery(async () => void acked++));
    deliver(failureDelivery(1, async () => void acked++));
    await collector.drained();
    expect(acked).toBe(2);
    expect(store.state.music["1"]?.status).not.toBe("failed");
    expect(pipeline.told).toEqual([1]);
    expect(collector.counters).toMatchObject({ accepted: 1, stale: 1 });
    expect(lines.join("\n")).toMatch(
      /Job\[1\] failed on Worker\[w2\] .* after its result was accepted - report dropped/,
    );
  });

  it("fails the song on a failure report of the job it sent", async () => {
    const { store, collector, deliver } = await collectorInTempDir();
    deliver(failureDelivery(1, async () => {}));
    await collector.drained();
    expect(store.state.music["1"]).toMatchObject({ status: "failed", error: "Job[1]: delivered too often" });
  });

  it("keeps a song failed when it fails during its merge (done does not overwrite it)", async () => {
    const { store, collector, deliver } = await collectorInTempDir();
    deliver(resultDelivery(async () => {}));
    await collector.drained();
    const log = createLogger(() => {});
    const pipeline = new SongPipeline(store, undefined as never, log, createEventLog(undefined, "server"), 3);
    const music = store.state.music["1"] as MusicRecord;
    pipeline.chunkAccepted(music);
    expect(music.status).toBe("merging");
    pipeline.fail(music, "Job[1]: the merge's input went bad");
    await pipeline.idle();
    await pipeline.close();
    expect(music.status).toBe("failed");
    expect(music.error).toBe("Job[1]: the merge's input went bad");
  });

  it("keeps a result it cannot save unacknowledged, says why, and takes it by itself once the disk has room", async () => {
    const disk = new SmallDisk(512);
    cleanups.push(() => disk.remove());
    const { store, pipeline, collector, lines, deliver } = await collectorOn(disk.dir);
    cleanups.push(() => store.close());
    disk.fill();
    let acked = 0;
    deliver(resultDelivery(async () => void acked++));
    const deadline = Date.now() + 10_000;
    while (!collector.stalled && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(collector.stalled).toMatch(/ENOSPC|full/);
    await new Promise((r) => setTimeout(r, 1000));
    expect(acked).toBe(0);
    expect(store.state.jobs["1"]?.accepted).toBeUndefined();
    disk.free();
    await collector.drained();
    expect(acked).toBe(1);
    expect(collector.stalled).toBeUndefined();
    expect(pipeline.told).toEqual([1]);
    expect(collector.counters).toMatchObject({ accepted: 1, duplicates: 0 });
    store.close();
    expect(new StateStore(disk.dir).state.jobs["1"]?.accepted?.worker_id).toBe("w1");
    expect(lines.join("\n")).toMatch(/result not saved \(.*\); kept unacknowledged and tried again/);
    expect(lines.join("\n")).toMatch(/results are being saved again/);
  });
});
