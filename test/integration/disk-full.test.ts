import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { LocalBroker } from "../../src/broker/local-broker.js";
import { type SongState, TestCluster, type Upload } from "../support/test-cluster.js";
import { waitFor } from "../support/wait-for.js";
import { SmallDisk } from "../unit/small-disk.js";

let broker: LocalBroker;
let songs: string;
let disk: SmallDisk;
let cluster: TestCluster | undefined;

beforeAll(async () => {
  songs = mkdtempSync(join(tmpdir(), "encore-disk-full-"));
  broker = await LocalBroker.start({ log: { info: () => {}, warn: () => {}, error: () => {} } });
  // Room for one 2 s song and its results (about 5 MB), not for a filler that takes the rest.
  disk = new SmallDisk(32 * 1024);
});

afterAll(async () => {
  await cluster?.stop();
  await broker?.stop();
  disk?.remove();
  rmSync(songs, { recursive: true, force: true });
});

it("a disk that fills mid-song: 507 for an upload, 503 on /health, no lost chunk, no phantom song; done once there is room", async () => {
  cluster = await TestCluster.start(broker, { dataDir: disk.dir, splitMode: "per-worker", splitChunks: "2" });
  const c = cluster;
  await c.startWorkers(1, { WORKER_MIN_JOB_MS: "3000" });
  const music = await c.upload(makeSong(join(songs, "first.mp3"), 2, { title: "First", artist: "Full" }));
  await c.choose(
    music.music_id,
    music.tracks.map((t) => t.track_id),
  );
  await waitFor("the worker to start a job", () => c.lines.some((l) => /started Job\[\d+\]/.test(l)), 30_000);
  disk.fill();

  const refused = await c.api("/music", {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: new Uint8Array(Buffer.alloc(64 * 1024, 1)),
  });
  expect(refused.status).toBe(507);
  expect(refused.body.error).toMatch(/disk is full/);
  expect((await c.api<Upload[]>("/music")).body.map((m) => m.music_id)).toEqual([music.music_id]);

  const health = await waitFor(
    "/health to say the store cannot write",
    async () => {
      const h = await c.api<{ store?: string }>("/health");
      return h.status === 503 ? h.body : undefined;
    },
    30_000,
  );
  expect(health.store).toMatch(/ENOSPC|full/i);
  const stuck = await c.api<SongState>(`/music/${music.music_id}`);
  expect(stuck.body.status).toBe("separating");

  disk.free();
  const done = await c.waitDone(music.music_id, 60_000);
  expect((await c.download(done.final)).length).toBeGreaterThan(44);
  expect((await c.api("/health")).status).toBe(200);
  expect((await c.api<Upload[]>("/music")).body.map((m) => m.music_id)).toEqual([music.music_id]);
  const jobs = c.server.store.jobsOf(c.server.store.state.music[music.music_id]);
  expect(jobs.every((j) => j.accepted !== undefined)).toBe(true);
}, 180_000);
