import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { LocalBroker } from "../../src/broker/local-broker.js";
import { TestCluster } from "../support/test-cluster.js";
import { waitFor } from "../support/wait-for.js";

let broker: LocalBroker;
let dir: string;
let cluster: TestCluster;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "encore-late-worker-"));
  broker = await LocalBroker.start({ log: { info: () => {}, warn: () => {}, error: () => {} } });
  cluster = await TestCluster.start(broker, { splitChunks: "3" });
});

afterAll(async () => {
  await cluster?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a reset announced before a worker existed", () => {
  it("reaches it: the worker discards the cancelled jobs still queued, and serves the next song", async () => {
    const song = makeSong(join(dir, "song.mp3"), 3, { title: "Late", artist: "Worker" });
    const old = await cluster.upload(song);
    await cluster.choose(old.music_id, [old.tracks[0]?.track_id ?? 0]);
    // No worker yet: the three jobs wait in the queue, then the reset cancels them.
    await waitFor("the jobs to be sent", () =>
      Object.values(cluster.server.store.state.jobs).every((j) => j.published),
    );
    expect(
      (await cluster.api<{ cancelled_jobs: number }>("/reset", { method: "POST" })).body.cancelled_jobs,
    ).toBe(3);
    const [worker] = await cluster.startWorkers(1);
    await waitFor(
      "the worker to drop the three cancelled jobs",
      () =>
        (worker?.lines.filter((l) => /was cancelled by a reset - discarded, not processed/.test(l)).length ??
          0) >= 3,
      20_000,
    );
    expect(worker?.lines.some((l) => /JobDoneMsg/.test(l))).toBe(false);
    const next = await cluster.upload(song);
    await cluster.choose(next.music_id, [next.tracks[0]?.track_id ?? 0]);
    await cluster.waitDone(next.music_id);
  }, 90_000);

  it("stops a job a worker has in hand at once, instead of computing it to the end", async () => {
    const [busy] = await cluster.startWorkers(1, { WORKER_CPU_MS: "60000" });
    if (!busy) throw new Error("no worker started");
    const song = makeSong(join(dir, "long.mp3"), 3, { title: "Stopped", artist: "Worker" });
    const music = await cluster.upload(song);
    await cluster.choose(music.music_id, [music.tracks[1]?.track_id ?? 0]);
    await waitFor(
      "the busy worker to start a job",
      () => busy.lines.some((l) => /started Job/.test(l)),
      30_000,
    );
    const reset = await cluster.api("/reset", { method: "POST" });
    // The body says why, should it fail (CI once saw a bare 500 here).
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    const stopped = await waitFor(
      "the busy worker to stop its job",
      () =>
        busy.lines
          .map((l) => /cancelled by a reset while running - stopped after ([\d.]+)\[s\]/.exec(l)?.[1])
          .find(Boolean),
      30_000,
    );
    // Its engine burns 60 s of CPU per job: stopped well before that, the reset reached the work itself.
    expect(Number(stopped)).toBeLessThan(30);
    expect(busy.lines.some((l) => /JobDoneMsg/.test(l))).toBe(false);
  }, 90_000);
});
