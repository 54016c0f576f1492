import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { LocalBroker } from "../../src/broker/local-broker.js";
import { destinations } from "../../src/messages/destinations.js";
import { type SongState, TestCluster } from "../support/test-cluster.js";
import { testLink } from "../support/test-link.js";
import { waitFor } from "../support/wait-for.js";
import { publishWholeJob } from "../support/whole-job.js";

/**
 * Below one 15 s chunk's result (at least 8 bytes a frame however narrowly its stems are stored: 5.3 MB),
 * above a 2 s one's (at most 32 bytes a frame: 2.8 MB).
 */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

let broker: LocalBroker;
let dir: string;
let cluster: TestCluster | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "encore-refused-"));
  broker = await LocalBroker.start({ log: { info: () => {}, warn: () => {}, error: () => {} } });
  // Read by each channel as it opens: every connection of this test's cluster has the small limit.
  await broker.setEnv({ max_message_size: MAX_MESSAGE_BYTES });
});

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("a result the broker refuses fails its song with the broker's words; the workers serve the next song", async () => {
  cluster = await TestCluster.start(broker, { splitMode: "per-worker", splitChunks: "1" });
  const workers = await cluster.startWorkers(2);
  const big = await cluster.upload(makeSong(join(dir, "big.mp3"), 15, { title: "Big", artist: "Refused" }));
  await cluster.choose(big.music_id, [big.tracks[0]?.track_id ?? 0]);
  const failed = await waitFor(
    "the song with the refused result to fail",
    async () => {
      const { body } = (await cluster?.api<SongState>(`/music/${big.music_id}`)) ?? { body: undefined };
      return body?.status === "failed" ? body : undefined;
    },
    60_000,
  );
  expect(failed.error).toMatch(/refused/);
  expect(failed.error).toMatch(/max/i);

  for (const n of [1, 2]) {
    const small = await cluster.upload(
      makeSong(join(dir, `small-${n}.mp3`), 2, { title: `Small ${n}`, artist: "Fits" }),
    );
    await cluster.choose(small.music_id, [small.tracks[0]?.track_id ?? 0]);
    await cluster.waitDone(small.music_id, 60_000);
  }
  expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
}, 180_000);

it("a forged job under a real job id, whose result the broker refuses, is set aside; the real song is done", async () => {
  cluster = await TestCluster.start(broker, { splitMode: "per-worker", splitChunks: "1" });
  const song = await cluster.upload(makeSong(join(dir, "real.mp3"), 2, { title: "Real", artist: "Fits" }));
  await cluster.choose(song.music_id, [song.tracks[0]?.track_id ?? 0]);
  const server = cluster.server;
  const [real] = await waitFor("the song's job to be sent", () => {
    const jobs = Object.values(server.store.state.jobs);
    return jobs.length === 1 && jobs.every((j) => j.published) ? jobs : undefined;
  });
  if (!real) throw new Error("no job");
  // 15 s of noise with a digest of its own (anyone can compute one): sound as a job, its result over 5.3 MB.
  const link = testLink(broker);
  await link.start();
  await publishWholeJob(
    link,
    destinations(cluster.settings.queuePrefix).jobs,
    { jobId: real.job_id, musicId: real.music_id, epoch: real.epoch, engine: "dsp" },
    Int16Array.from({ length: 15 * 44_100 * 2 }, (_, i) => ((i * 7919) % 20_000) - 10_000),
  );
  await link.close();
  const workers = await cluster.startWorkers(2);
  await cluster.waitDone(song.music_id, 60_000);
  await waitFor("the forged job's refusal to be reported and set aside", () =>
    cluster?.lines.some((l) =>
      /failure report for Job\[\d+\] .* is of a job the server did not send .* - dead-lettered, the song goes on/.test(
        l,
      ),
    ),
  );
  expect(cluster.lines.some((l) => /its result was refused/.test(l))).toBe(true);
  const next = await cluster.upload(makeSong(join(dir, "next.mp3"), 2, { title: "Next", artist: "Fits" }));
  await cluster.choose(next.music_id, [next.tracks[0]?.track_id ?? 0]);
  await cluster.waitDone(next.music_id, 60_000);
  expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
}, 180_000);
