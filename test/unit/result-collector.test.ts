import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { STEM_NAMES, type Stems } from "../../src/audio/pcm.js";
import { createEventLog } from "../../src/events/event-log.js";
import { createLogger } from "../../src/log/logger.js";
import { destinations } from "../../src/messages/destinations.js";
import { encodeResult } from "../../src/messages/result-message.js";
import { ResultCollector } from "../../src/server/result-collector.js";
import { SongPipeline } from "../../src/server/song-pipeline.js";
import { type MusicRecord, StateStore } from "../../src/server/state-store.js";
import type { Delivery, StompLink } from "../../src/stomp/link.js";

const FRAMES = 64;

/** Counts the moments the collector tells the pipeline that a chunk is in; the merge itself is not under test. */
class CountingPipeline extends SongPipeline {
  readonly told: number[] = [];
  override chunkAccepted(music: MusicRecord): void {
    this.told.push(music.music_id);
  }
}

function songWithOneJob(store: StateStore): void {
  store.state.music["1"] = {
    music_id: 1,
    name: "n",
    band: "b",
    frames: FRAMES,
    tracks: [],
    status: "separating",
    selected: [],
    job_ids: [1],
  };
  store.state.jobs["1"] = {
    job_id: 1,
    music_id: 1,
    chunk_index: 0,
    chunk_count: 1,
    start: 0,
    end: FRAMES,
    context_start: 0,
    context_end: FRAMES,
    size: 0,
    epoch: 1,
    attempt: 1,
    published: true,
    duplicates: 0,
  };
}

function resultDelivery(ack: () => Promise<void>): Delivery {
  const stems = Object.fromEntries(STEM_NAMES.map((n) => [n, new Int32Array(FRAMES * 2)])) as Stems;
  const { headers, body } = encodeResult({
    kind: "done",
    jobId: 1,
    musicId: 1,
    workerId: "w1",
    redelivered: false,
    deliveryCount: 0,
    chunkIndex: 0,
    frames: FRAMES,
    startedAt: 0,
    finishedAt: 1,
    syntheticMs: 0,
    stems,
  });
  return { headers, body, redelivered: false, connectionId: "c1", ack, nack: async () => {} };
}

describe("ResultCollector", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("moves the song on when a saved result's ACK is lost with the connection, and drops its redelivery", async () => {
    const dir = mkdtempSync(join(tmpdir(), "encore-collector-"));
    dirs.push(dir);
    const store = new StateStore(dir);
    songWithOneJob(store);
    const lines: string[] = [];
    const log = createLogger((line) => lines.push(line));
    const events = createEventLog(undefined, "server");
    const pipeline = new CountingPipeline(store, undefined as never, log, events);
    let deliver: ((d: Delivery) => void) | undefined;
    const link = {
      subscribe: (_d: string, _h: unknown, handler: (d: Delivery) => void) => {
        deliver = handler;
        return Promise.resolve();
      },
    } as unknown as StompLink;
    const collector = new ResultCollector(store, pipeline, link, destinations("t"), log, events);
    await collector.start();

    deliver?.(resultDelivery(() => Promise.reject(new Error("connection is gone"))));
    await collector.drained();
    expect(store.state.jobs["1"]?.accepted?.worker_id).toBe("w1");
    expect(pipeline.told).toEqual([1]);
    expect(lines.join("\n")).toMatch(/result not settled \(connection is gone\)/);

    let acked = 0;
    deliver?.(resultDelivery(async () => void acked++));
    await collector.drained();
    expect(acked).toBe(1);
    expect(store.state.jobs["1"]?.duplicates).toBe(1);
    expect(collector.counters).toMatchObject({ accepted: 1, duplicates: 1 });
  });
});
