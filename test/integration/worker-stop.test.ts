import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { LocalBroker } from "../../src/broker/local-broker.js";
import { TestCluster, type WorkerProcess } from "../support/test-cluster.js";
import { waitFor } from "../support/wait-for.js";

let broker: LocalBroker;
let dir: string;
let song: string;
let cluster: TestCluster | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "encore-worker-stop-"));
  song = makeSong(join(dir, "song.mp3"), 2, { title: "Stop", artist: "Grace" });
  broker = await LocalBroker.start({ log: { info: () => {}, warn: () => {}, error: () => {} } });
});

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** One song of one chunk, chosen; resolves once `worker` has started its job. */
async function jobInHand(c: TestCluster, worker: WorkerProcess): Promise<number> {
  const music = await c.upload(song);
  await c.choose(music.music_id, [music.tracks[0]?.track_id ?? 0]);
  await waitFor(
    "the worker to start the job",
    () => worker.lines.some((l) => /started Job\[\d+\]/.test(l)),
    30_000,
  );
  return music.music_id;
}

/** SIGTERM, and how long the process took to exit. */
async function terminate(worker: WorkerProcess): Promise<number> {
  const sent = Date.now();
  worker.child.kill("SIGTERM");
  await worker.child.catch(() => {});
  return Date.now() - sent;
}

describe("a worker told to stop (SIGTERM) with a job in hand", () => {
  it("finishes the job within its grace period, then disconnects", async () => {
    cluster = await TestCluster.start(broker, { splitChunks: "1" });
    const [worker] = await cluster.startWorkers(1, {
      WORKER_MIN_JOB_MS: "3000",
      STOP_GRACE_MS: "20000",
    });
    if (!worker) throw new Error("no worker");
    const musicId = await jobInHand(cluster, worker);
    expect(await terminate(worker)).toBeLessThan(20_000);
    expect(worker.child.exitCode).toBe(0);
    await cluster.waitDone(musicId);
    const [job] = Object.values(cluster.server.store.state.jobs);
    expect(job?.accepted).toMatchObject({ redelivered: false, delivery_count: 0 });
    expect(worker.lines.join("\n")).toMatch(/JobDoneMsg - ACK/);
  }, 60_000);

  it("NACKs a job it cannot finish in time, so another worker does it", async () => {
    cluster = await TestCluster.start(broker, { splitChunks: "1" });
    const [slow] = await cluster.startWorkers(1, {
      WORKER_MIN_JOB_MS: "60000",
      STOP_GRACE_MS: "1000",
    });
    if (!slow) throw new Error("no worker");
    const musicId = await jobInHand(cluster, slow);
    expect(await terminate(slow)).toBeLessThan(10_000);
    expect(slow.child.exitCode).toBe(0);
    expect(slow.lines.join("\n")).toMatch(/not finished within 1000 ms - NACK, another worker takes it/);
    const [other] = await cluster.startWorkers(1);
    await cluster.waitDone(musicId);
    const [job] = Object.values(cluster.server.store.state.jobs);
    expect(job?.accepted?.redelivered).toBe(true);
    expect(other?.lines.join("\n")).toMatch(/JobDoneMsg - ACK/);
  }, 90_000);
});
