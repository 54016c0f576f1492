import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { LocalBroker } from "../../src/broker/local-broker.js";
import { type SongState, TestCluster } from "../support/test-cluster.js";
import { waitFor } from "../support/wait-for.js";

/** Below one 6 s chunk's result (4 stems, 32-bit stereo: about 8.5 MB), above a 2 s one's (2.8 MB). */
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

afterAll(async () => {
  await cluster?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("a result the broker refuses fails its song with the broker's words; the workers serve the next song", async () => {
  cluster = await TestCluster.start(broker, { splitMode: "per-worker", splitChunks: "1" });
  const workers = await cluster.startWorkers(2);
  const big = await cluster.upload(makeSong(join(dir, "big.mp3"), 6, { title: "Big", artist: "Refused" }));
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
