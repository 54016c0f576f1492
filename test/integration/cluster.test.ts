import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxDifference } from "../../src/audio/compare-wav.js";
import { makeSong } from "../../src/audio/demo-song.js";
import { decodeToPcm } from "../../src/audio/ffmpeg.js";
import { decodeStems } from "../../src/audio/stem-codec.js";
import { decodeWav } from "../../src/audio/wav.js";
import { LocalBroker } from "../../src/broker/local-broker.js";
import { destinations, QUORUM_QUEUE } from "../../src/messages/destinations.js";
import { encodeResult } from "../../src/messages/result-message.js";
import { spawnEntry } from "../../src/process/spawn-entry.js";
import { resultFile } from "../../src/server/mixdown.js";
import { StompLink } from "../../src/stomp/link.js";
import { linkOptions } from "../../src/stomp/link-options.js";
import { type SongState, TestCluster, type Upload } from "../support/test-cluster.js";
import { waitFor } from "../support/wait-for.js";

let broker: LocalBroker;
let dir: string;
let song: string;
const referenceCache = new Map<string, Buffer>();

/** final.wav of the single-process reference CLI, run as its own process on the same file. */
async function reference(tracks: string[]): Promise<Buffer> {
  const key = tracks.join(",");
  const cached = referenceCache.get(key);
  if (cached) return cached;
  const out = join(dir, `reference-${key.replaceAll(",", "-")}`);
  const run = await spawnEntry(
    "separate",
    ["--input", song, "--out", out, "--tracks", key],
    process.env as Record<string, string>,
  );
  if (run.exitCode !== 0) throw new Error(`reference failed with ${run.exitCode}`);
  const wav = readFileSync(join(out, "final.wav"));
  referenceCache.set(key, wav);
  return wav;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "encore-cluster-test-"));
  song = makeSong(join(dir, "song.mp3"), 12, { title: "Fixture Song", artist: "The Testers" });
  broker = await LocalBroker.start({ log: { info: () => {}, warn: () => {}, error: () => {} } });
});

afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a song through the cluster", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await TestCluster.start(broker, { splitChunks: "5" });
    await cluster.startWorkers(3);
  });
  afterAll(() => cluster?.stop());

  it("uploads, separates on workers and equals the single-process reference", async () => {
    const music = await cluster.upload(song);
    expect(music).toMatchObject({ name: "Fixture Song", band: "The Testers" });
    expect(music.tracks.map((t) => t.name)).toEqual(["drums", "bass", "vocals", "other"]);
    const karaoke = music.tracks.filter((t) => t.name !== "vocals").map((t) => t.track_id);
    await cluster.choose(music.music_id, karaoke);
    const done = await cluster.waitDone(music.music_id);
    expect(done.final).toBe(`/music/${music.music_id}/final.wav`);

    const final = await cluster.download(done.final);
    expect(maxDifference(final, await reference(["drums", "bass", "other"]))).toBeLessThanOrEqual(1);
    const input = await decodeToPcm(song);
    expect(decodeWav(final).samples.length).toBe(input.length);
    const mp3 = await cluster.download(done.final_mp3);
    expect(mp3.subarray(0, 3).toString("latin1") === "ID3" || mp3[0] === 0xff).toBe(true);

    // Every chunk was accepted exactly once, each by some worker.
    const jobs = (await cluster.api<number[]>("/job")).body;
    expect(jobs).toHaveLength(5);
    for (const id of jobs) {
      const { body } = await cluster.api<{ time: number; size: number }>(`/job/${id}`);
      expect(body).toMatchObject({ job_id: id, music_id: music.music_id, duplicates_dropped: 0 });
      expect(body.time).toBeGreaterThan(0);
      expect(body.size).toBeGreaterThan(0);
    }
    expect(cluster.lines.some((l) => /Server: Music\[\d+\] - total time: \d+\.\d\d\[s\]/.test(l))).toBe(true);
  });

  it("choosing every track gives the decoded input back exactly; a new choice remixes", async () => {
    const [music] = (await cluster.api<Upload[]>("/music")).body;
    await cluster.choose(
      music.music_id,
      music.tracks.map((t) => t.track_id),
    );
    const done = await waitFor("remix", async () => {
      const { body } = await cluster.api<SongState>(`/music/${music.music_id}`);
      return body.status === "done" && body.selected.length === 4 && body.final ? body.final : undefined;
    });
    const final = decodeWav(await cluster.download(done)).samples;
    const input = await decodeToPcm(song);
    expect(
      Buffer.from(final.buffer, final.byteOffset, final.byteLength).equals(Buffer.from(input.buffer)),
    ).toBe(true);
  });

  it("drops a duplicate result and keeps the output", async () => {
    const [music] = (await cluster.api<Upload[]>("/music")).body;
    const store = cluster.server.store;
    const job = store.jobsOf(store.state.music[music.music_id])[2];
    const before = await cluster.download(`/music/${music.music_id}/final.wav`);
    const duplicate = encodeResult({
      kind: "done",
      jobId: job.job_id,
      musicId: job.music_id,
      chunkIndex: job.chunk_index,
      workerId: "zombie0",
      redelivered: true,
      deliveryCount: 1,
      frames: job.end - job.start,
      startedAt: Date.now() - 10,
      finishedAt: Date.now(),
      syntheticMs: 0,
      stems: decodeStems(readFileSync(resultFile(store, job.music_id, job.job_id)), job.end - job.start),
      jobDigest: job.digest ?? "",
    });
    const link = new StompLink(linkOptions(cluster.settings, "Test", cluster.log));
    await link.start();
    await link.publish(
      destinations(cluster.settings.queuePrefix).results,
      { ...duplicate.headers, ...QUORUM_QUEUE },
      duplicate.body,
    );
    await link.close();
    await waitFor("duplicate dropped", () => cluster.server.collector.counters.duplicates === 1);
    expect(
      cluster.lines.some((l) =>
        l.includes(`JobDoneMsg[${job.job_id}] - duplicate from Worker[zombie0] dropped`),
      ),
    ).toBe(true);
    expect((await cluster.api(`/job/${job.job_id}`)).body.duplicates_dropped).toBe(1);
    expect(job.accepted?.worker_id).not.toBe("zombie0");
    expect((await cluster.download(`/music/${music.music_id}/final.wav`)).equals(before)).toBe(true);
  });

  it("dead-letters a malformed job and a malformed result, and the workers keep serving", async () => {
    const queues = destinations(cluster.settings.queuePrefix);
    const link = new StompLink(linkOptions(cluster.settings, "Test", cluster.log));
    await link.start();
    const dead: Record<string, string>[] = [];
    link.subscribe(queues.deadLetter, { ack: "client-individual", ...QUORUM_QUEUE }, (d) => {
      dead.push(d.headers);
      void d.ack();
    });
    await link.publish(
      queues.jobs,
      {
        "encore-type": "job",
        "job-id": "999999",
        "music-id": "1",
        "chunk-index": "x",
        "x-queue-type": "quorum",
        persistent: "true",
      },
      Buffer.from("not audio"),
    );
    await link.publish(
      queues.results,
      { "encore-type": "job-done", "job-id": "abc", ...QUORUM_QUEUE, persistent: "true" },
      Buffer.from("junk"),
    );
    await waitFor("two dead letters", () => dead.length >= 2, 20_000);
    expect(dead.map((h) => h["x-encore-reason"]).join("\n")).toMatch(
      /malformed job: header "chunk-index" is "x"/,
    );
    expect(dead.map((h) => h["x-encore-reason"]).join("\n")).toMatch(
      /malformed result: header "job-id" is "abc"/,
    );
    expect(cluster.lines.some((l) => / - ERROR - Worker\[\w+\]: malformed job/.test(l))).toBe(true);
    await link.close();

    // Not a job the server sent, so no song hears of it: the next one is served as ever.
    const music = await cluster.upload(song);
    await cluster.choose(music.music_id, [music.tracks[2].track_id]);
    await cluster.waitDone(music.music_id);
    expect(cluster.workers.every((w) => w.child.exitCode === null)).toBe(true);
  });
});

describe("faults", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await TestCluster.start(broker, { splitChunks: "4" });
    await cluster.startWorkers(2, { WORKER_MIN_JOB_MS: "1000" });
  });
  afterAll(() => cluster?.stop());

  it("a worker killed with SIGKILL mid-job: its chunk is redelivered and the song completes", async () => {
    const [victim] = await cluster.startWorkers(1, { WORKER_MIN_JOB_MS: "4000" });
    const music = await cluster.upload(song);
    await cluster.choose(
      music.music_id,
      [1, 2, 4].map((k) => music.tracks[k - 1].track_id),
    );
    const started = await waitFor("victim to start a job", () =>
      victim.lines.map((l) => /started Job\[(\d+)\]/.exec(l)?.[1]).find(Boolean),
    );
    victim.child.kill("SIGKILL");
    const done = await cluster.waitDone(music.music_id);
    const job = cluster.server.store.state.jobs[Number(started)];
    expect(job.accepted?.redelivered).toBe(true);
    expect(job.accepted?.delivery_count).toBeGreaterThanOrEqual(1);
    expect(
      cluster.lines.some((l) => new RegExp(`started Job\\[${started}\\]\\. \\(redelivered`).test(l)),
    ).toBe(true);
    const final = await cluster.download(done.final);
    expect(maxDifference(final, await reference(["drums", "bass", "other"]))).toBeLessThanOrEqual(1);
  });

  it("a frozen worker (SIGSTOP) is dropped by missed heart-beats; its chunk is redelivered and its late result dropped", async () => {
    const [frozen] = await cluster.startWorkers(1, { WORKER_MIN_JOB_MS: "3000" });
    const music = await cluster.upload(song);
    await cluster.choose(
      music.music_id,
      [1, 2, 4].map((k) => music.tracks[k - 1].track_id),
    );
    const started = Number(
      await waitFor("the frozen worker to start a job", () =>
        frozen.lines.map((l) => /started Job\[(\d+)\]/.exec(l)?.[1]).find(Boolean),
      ),
    );
    frozen.child.kill("SIGSTOP");
    const frozenAt = Date.now();
    const store = cluster.server.store;
    await waitFor(
      "another worker to finish the frozen chunk",
      () => store.state.jobs[started]?.accepted,
      30_000,
    );
    const detectedMs = Date.now() - frozenAt;
    frozen.child.kill("SIGCONT");
    const done = await cluster.waitDone(music.music_id);
    expect(store.state.jobs[started].accepted?.redelivered).toBe(true);
    // Heart-beats of 2 s: RabbitMQ drops the silent connection after about 2.3 × 2 s, plus the other worker's job.
    expect(detectedMs).toBeLessThan(20_000);
    await waitFor(
      "the zombie's late result to be dropped",
      () => store.state.jobs[started].duplicates === 1,
      30_000,
    );
    const final = await cluster.download(done.final);
    expect(maxDifference(final, await reference(["drums", "bass", "other"]))).toBeLessThanOrEqual(1);
    frozen.child.kill("SIGTERM");
  });

  it("a server restart mid-song loses nothing: the song completes from the saved state", async () => {
    const music = await cluster.upload(song);
    await cluster.choose(music.music_id, music.tracks.map((t) => t.track_id).slice(0, 3));
    await cluster.stopServer();
    await cluster.startServer();
    expect((await cluster.api<Upload[]>("/music")).body.map((m) => m.music_id)).toContain(music.music_id);
    // The stop let the publishing finish: every job went out once, none is left for this start to send again.
    const jobs = cluster.server.store.jobsOf(cluster.server.store.state.music[music.music_id]);
    expect(jobs.map((j) => [j.published, j.attempt])).toEqual(jobs.map(() => [true, 1]));
    const done = await cluster.waitDone(music.music_id);
    const final = await cluster.download(done.final);
    expect(maxDifference(final, await reference(["drums", "bass", "vocals"]))).toBeLessThanOrEqual(1);
  });

  it("POST /reset cancels work in flight without completing it, and the cluster keeps working", async () => {
    const music = await cluster.upload(song);
    const seen = cluster.lines.length;
    await cluster.choose(music.music_id, [music.tracks[0].track_id]);
    await waitFor("a job of this song to start", () =>
      cluster.lines.slice(seen).some((l) => /started Job\[/.test(l)),
    );
    const reset = await cluster.api("/reset", { method: "POST" });
    expect(reset.status).toBe(200);
    expect(reset.body.cancelled_jobs).toBeGreaterThan(0);
    expect((await cluster.api("/music")).body).toEqual([]);
    expect((await cluster.api("/job")).body).toEqual([]);
    expect((await cluster.api(`/music/${music.music_id}`)).status).toBe(404);
    await waitFor(
      "workers to drop cancelled jobs",
      () => cluster.lines.some((l) => /cancelled by a reset/.test(l)),
      20_000,
    );
    const next = await cluster.upload(song);
    await cluster.choose(next.music_id, [next.tracks[3].track_id]);
    await cluster.waitDone(next.music_id);
  });
});
