import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { destinations, QUORUM_QUEUE } from "../../src/messages/destinations.js";
import { FAILURES_HEADER } from "../../src/messages/job-message.js";
import type { Headers } from "../../src/stomp/session.js";
import { brokerFixture } from "../support/broker-fixture.js";
import { TestCluster } from "../support/test-cluster.js";
import { testLink } from "../support/test-link.js";
import { waitFor } from "../support/wait-for.js";
import { publishWholeJob } from "../support/whole-job.js";

const fx = brokerFixture("failure-count");

async function cluster(): Promise<TestCluster> {
  const started = await TestCluster.start(fx.broker, { splitChunks: "1", jobMaxFailures: "5" });
  fx.defer(() => started.stop());
  return started;
}

describe("the limit on a job's failures", () => {
  it("does not count lost connections: a job whose worker was killed 6 times in its hands is done", async () => {
    const c = await cluster();
    const song = makeSong(join(fx.dir, "song.mp3"), 3, { title: "Six", artist: "Kills" });
    const music = await c.upload(song);
    await c.choose(music.music_id, [music.tracks[2]?.track_id ?? 0]);
    for (let kill = 1; kill <= 6; kill++) {
      const [victim] = await c.startWorkers(1, { WORKER_MIN_JOB_MS: "60000" });
      if (!victim) throw new Error("no worker started");
      await waitFor(
        `worker ${kill} to start the job`,
        () => victim.lines.some((l) => /started Job/.test(l)),
        30_000,
      );
      victim.child.kill("SIGKILL");
      await waitFor(
        `worker ${kill} to exit`,
        () => victim.child.exitCode !== null || victim.child.signalCode !== null,
      );
    }
    await c.startWorkers(1);
    await c.waitDone(music.music_id);
    const [job] = Object.values(c.server.store.state.jobs);
    // RabbitMQ 3.10 counted each lost connection as a delivery: above JOB_MAX_FAILURES, and the job was still done.
    expect(job?.accepted?.delivery_count).toBeGreaterThanOrEqual(6);
    expect(c.lines.some((l) => /dead-letter/.test(l))).toBe(false);
  }, 180_000);

  it("counts failures in the work across workers: the job goes back with its count, and is set aside at the limit", async () => {
    const c = await cluster();
    await c.startWorkers(2);
    const queues = destinations(c.settings.queuePrefix);
    const link = testLink(fx.broker);
    fx.defer(() => link.close());
    await link.start();
    const dead: Headers[] = [];
    await link.subscribe(queues.deadLetter, { ack: "client-individual", ...QUORUM_QUEUE }, (d) => {
      dead.push(d.headers);
      void d.ack();
    });
    // A job sound in every way but its engine, which no worker has: it fails in the work, every time.
    await publishWholeJob(
      link,
      queues.jobs,
      { jobId: 999_001, musicId: 999_001, epoch: 1, engine: "no-such-engine" },
      new Int16Array(4410 * 2),
    );
    await waitFor("the job to be dead-lettered", () => dead.length > 0, 60_000);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.[FAILURES_HEADER]).toBe("4");
    expect(dead[0]?.["x-encore-reason"]).toMatch(/^Job\[999001\] failed 5 times, last: unknown engine/);
    const sentBack = c.lines.filter((l) =>
      /Job\[999001\] failed: .* - sent back to the queue \(failure \d of 5\)/.test(l),
    );
    expect(sentBack).toHaveLength(4);
  }, 90_000);
});
