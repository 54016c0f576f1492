import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { LocalBroker } from "../../src/broker/local-broker.js";
import { TestCluster } from "../support/test-cluster.js";
import { waitFor } from "../support/wait-for.js";

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const dir = mkdtempSync(join(tmpdir(), "encore-reconcile-"));
const brokerDir = join(dir, "broker");
let broker: LocalBroker | undefined;
let cluster: TestCluster | undefined;

afterAll(async () => {
  await cluster?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the server's start, on a broker that lost its data", () => {
  it("sends again the jobs it had sent and the broker no longer holds, and the song is done", async () => {
    broker = await LocalBroker.start({ log: quiet, dir: brokerDir });
    cluster = await TestCluster.start(broker, { splitChunks: "3" });
    const music = await cluster.upload(
      makeSong(join(dir, "song.mp3"), 4, { title: "Wiped", artist: "Data" }),
    );
    await cluster.choose(music.music_id, [music.tracks[2]?.track_id ?? 0]);
    const store = () => cluster?.server.store.state.jobs ?? {};
    await waitFor("the 3 jobs to be on the queue", () => Object.values(store()).every((j) => j.published));
    await cluster.stopServer();

    // The same node, ports and name, on new data: its queues and the epoch stream are gone with their messages.
    await broker.stop();
    for (const sub of ["mnesia", "log", "home"])
      rmSync(join(brokerDir, sub), { recursive: true, force: true });
    broker = await LocalBroker.start({ log: quiet, dir: brokerDir });

    const before = cluster.lines.length;
    await cluster.startServer();
    expect(cluster.lines.slice(before).join("\n")).toMatch(
      /the broker holds no epoch .* none of the 3 jobs sent and not done \(1 songs\) is queued - they are sent again/,
    );
    await cluster.startWorkers(1);
    await cluster.waitDone(music.music_id);
    expect(Object.values(store()).map((j) => j.attempt)).toEqual([2, 2, 2]);
  }, 120_000);
});
