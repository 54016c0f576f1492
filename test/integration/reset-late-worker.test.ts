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
});
