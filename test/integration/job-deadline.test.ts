import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import type { StompLink } from "../../src/stomp/link.js";
import { brokerFixture } from "../support/broker-fixture.js";
import { swallowJobs } from "../support/swallow-jobs.js";
import { type SongState, TestCluster } from "../support/test-cluster.js";
import { waitFor } from "../support/wait-for.js";

const fx = brokerFixture("deadline");

/** A cluster whose deadlines are short: 3 s for every job until a result measures the workers' speed. */
async function cluster(retries: string): Promise<TestCluster> {
  const started = await TestCluster.start(fx.broker, {
    splitChunks: "2",
    jobDeadlineMinMs: "1000",
    jobDeadlineFactor: "3",
    jobRetries: retries,
  });
  fx.defer(() => started.stop());
  return started;
}

async function swallowing(of: TestCluster): Promise<{ ids: string[]; link: StompLink }> {
  const consumer = await swallowJobs(fx.broker, of);
  fx.defer(() => consumer.link.close());
  return consumer;
}

async function startSong(of: TestCluster): Promise<number> {
  const music = await of.upload(makeSong(join(fx.dir, "song.mp3"), 4, { title: "Lost", artist: "Jobs" }));
  await of.choose(music.music_id, [music.tracks[2]?.track_id ?? 0]);
  return music.music_id;
}

describe("a job that is lost after it reached a worker", () => {
  it("is published again after its deadline, and its song finishes", async () => {
    const c = await cluster("3");
    const swallowed = await swallowing(c);
    const musicId = await startSong(c);
    await waitFor("both jobs to be swallowed", () => new Set(swallowed.ids).size === 2, 30_000);
    await swallowed.link.close();
    await c.startWorkers(1);
    await c.waitDone(musicId);

    const jobs = Object.values(c.server.store.state.jobs);
    expect(jobs.map((j) => [j.retries, j.attempt])).toEqual([
      [1, 2],
      [1, 2],
    ]);
    const republished = c.lines.filter((l) =>
      /Job\[\d+\] not done within its deadline of [\d.]+ s .* - published again \(retry 1 of 3\)/.test(l),
    );
    expect(republished).toHaveLength(2);
  }, 90_000);

  it("fails its song, naming the job, once it was lost more often than JOB_RETRIES", async () => {
    const c = await cluster("1");
    const swallowed = await swallowing(c);
    const musicId = await startSong(c);
    const failed = await waitFor(
      "the song to fail",
      async () => {
        const { body } = await c.api<SongState>(`/music/${musicId}`);
        return body.status === "failed" ? body : undefined;
      },
      60_000,
    );
    expect(failed.error).toMatch(
      /^Job\[\d+\] \(chunk \d\) not done within its deadline of 3\.0 s .*, after 1 retries$/,
    );
    // Each job was sent twice (the first copy and one retry), and the retries stopped there.
    expect(swallowed.ids.length).toBeGreaterThanOrEqual(3);
    expect(swallowed.ids.length).toBeLessThanOrEqual(4);
    expect(Object.values(c.server.store.state.jobs).every((j) => j.attempt <= 2)).toBe(true);
  }, 90_000);
});
