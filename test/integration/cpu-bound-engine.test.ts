import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { LocalBroker } from "../../src/broker/local-broker.js";
import { TestCluster } from "../support/test-cluster.js";

const CPU_MS = 60_000;

let broker: LocalBroker;
let dir: string;
let cluster: TestCluster;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "encore-cpu-engine-"));
  broker = await LocalBroker.start({ log: { info: () => {}, warn: () => {}, error: () => {} } });
  cluster = await TestCluster.start(broker, { heartbeat: "1000,1000", splitChunks: "1" });
});

afterAll(async () => {
  await cluster?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a model that computes for a minute per chunk", () => {
  it("keeps the worker's connection at a 1 s heart-beat: the job is done on its first delivery", async () => {
    const [worker] = await cluster.startWorkers(1, { WORKER_CPU_MS: String(CPU_MS) });
    const music = await cluster.upload(
      makeSong(join(dir, "song.mp3"), 2, { title: "Slow", artist: "Model" }),
    );
    const startedAt = Date.now();
    await cluster.choose(music.music_id, [music.tracks[0]?.track_id ?? 0]);
    await cluster.waitDone(music.music_id, CPU_MS + 60_000);
    // Proof the minute of CPU really ran on the worker (not skipped), with heart-beats due every second.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(CPU_MS);
    const jobs = Object.values(cluster.server.store.state.jobs);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.accepted).toMatchObject({ redelivered: false, delivery_count: 0 });
    const lost = [...(worker?.lines ?? []), ...cluster.lines].filter((l) =>
      /connection lost|reconnect/i.test(l),
    );
    expect(lost).toEqual([]);
  }, 180_000);
});
