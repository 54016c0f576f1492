import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { freePort } from "../../src/broker/free-port.js";
import { EmbeddedCluster } from "../../src/cluster/embedded-cluster.js";
import { createLogger } from "../../src/log/logger.js";
import { waitFor } from "../support/wait-for.js";

const dir = mkdtempSync(join(tmpdir(), "encore-embedded-"));
let cluster: EmbeddedCluster | undefined;

afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("npm start stopped mid-song (Ctrl-C) and started again on the same data finishes the song", async () => {
  const port = await freePort();
  const argv = ["--data-dir", join(dir, "data"), "--port", String(port), "--count", "1"];
  const env = ["--split-chunks", "4", "--min-job-ms", "2000"];
  const lines: string[] = [];
  const start = () =>
    EmbeddedCluster.start(
      [...argv, ...env],
      createLogger(() => {}),
      (l) => lines.push(l),
    );
  cluster = await start();
  const url = cluster.url;
  const song = readFileSync(makeSong(join(dir, "song.mp3"), 8, { title: "Again", artist: "Restart" }));
  const uploaded = await fetch(`${url}/music`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: new Uint8Array(song),
  });
  const music = (await uploaded.json()) as { music_id: number; tracks: { track_id: number }[] };
  await fetch(`${url}/music/${music.music_id}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(music.tracks.map((t) => t.track_id)),
  });
  await waitFor(
    "the first result to be taken",
    () => lines.some((l) => /JobDoneMsg\[\d+\] - ACK - job time/.test(l)),
    60_000,
  );
  await cluster.stop();
  const taken = lines.filter((l) => /JobDoneMsg\[\d+\] - ACK - job time/.test(l)).length;
  expect(taken).toBeLessThan(4);

  cluster = await start();
  expect(lines.join("\n")).not.toMatch(/failed/i);
  await waitFor(
    "the song to finish after the restart",
    async () => {
      const state = (await (await fetch(`${url}/music/${music.music_id}`)).json()) as { progress: number };
      return state.progress === 100;
    },
    90_000,
  );
}, 240_000);
