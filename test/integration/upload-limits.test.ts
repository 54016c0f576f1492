import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { brokerFixture } from "../support/broker-fixture.js";
import { TestCluster, type Upload } from "../support/test-cluster.js";

const fx = brokerFixture("limits");
let song: string;

beforeAll(() => {
  song = makeSong(join(fx.dir, "song.wav"), 2);
});

async function start(overrides: Parameters<typeof TestCluster.start>[1] = {}): Promise<TestCluster> {
  const cluster = await TestCluster.start(fx.broker, overrides);
  fx.defer(() => cluster.stop());
  return cluster;
}

const ffmpeg = (...args: string[]) => execFileSync("ffmpeg", ["-loglevel", "error", "-y", ...args]);

const postFile = (cluster: TestCluster, bytes: BodyInit, init: RequestInit = {}) =>
  cluster.api<Upload & { error?: string }>("/music", {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: bytes,
    ...init,
  });

/** Nothing of a refused upload is left: no song listed, no song directory, no file waiting in incoming/. */
async function expectNothingStored(cluster: TestCluster): Promise<void> {
  expect((await cluster.api("/music")).body).toEqual([]);
  expect(existsSync(join(cluster.dataDir, "music"))).toBe(false);
  expect(readdirSync(join(cluster.dataDir, "incoming"))).toEqual([]);
}

describe("upload limits: refused before any work, nothing stored, no id used", () => {
  it("a 30-minute MP3 of 1.8 MB is refused by its decoded length (MAX_SONG_SECONDS), then a real song gets id 1", async () => {
    const long = join(fx.dir, "silence-30min.mp3");
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "1800", "-b:a", "8k", long);
    expect(readFileSync(long).length).toBeLessThan(2 * 1024 * 1024);
    const cluster = await start();
    const res = await postFile(cluster, readFileSync(long));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/the song is 1800\.\d+ s long, longer than MAX_SONG_SECONDS=900/);
    await expectNothingStored(cluster);

    const ok = await postFile(cluster, readFileSync(song));
    expect(ok.status).toBe(200);
    expect(ok.body.music_id).toBe(1);
    expect(ok.body.tracks.map((t) => t.track_id)).toEqual([1, 2, 3, 4]);
  });

  it("a truncated MP3 gets 422 naming what was decoded, unless ALLOW_PARTIAL_AUDIO", async () => {
    const whole = join(fx.dir, "twenty.mp3");
    ffmpeg("-i", makeSong(join(fx.dir, "twenty.wav"), 20), "-b:a", "128k", whole);
    const head = readFileSync(whole).subarray(0, 3 * 1024);
    const strict = await start();
    const res = await postFile(strict, head);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(
      /damaged or truncated: ffmpeg decoded only 0\.\d+ s of the 20\.\d+ s it declares \(ALLOW_PARTIAL_AUDIO=true/,
    );
    await expectNothingStored(strict);

    const lenient = await start({ allowPartialAudio: "true" });
    const kept = await postFile(lenient, head);
    expect(kept.status).toBe(200);
    expect(kept.body.music_id).toBe(1);
    // The whole file is a sound song on either server.
    expect((await postFile(strict, readFileSync(whole))).status).toBe(200);
  });

  it("a song that would pass the disk budget (MAX_STORED_MB) gets 422 naming the budget", async () => {
    const cluster = await start({ maxStoredMb: "1" });
    const res = await postFile(cluster, readFileSync(song));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/no room for this song: it needs about \d+ MB .* MAX_STORED_MB=1 MB/);
    await expectNothingStored(cluster);
  });

  it("an upload past MAX_UPLOAD_MB is refused while it streams (no Content-Length), and the next one gets id 1", async () => {
    const cluster = await start({ maxUploadMb: "1" });
    const piece = new Uint8Array(64 * 1024).fill(7);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // 4 MB in all, more than the limit; the server stops reading at 1 MB.
        if (sent >= 64) controller.close();
        else {
          sent++;
          controller.enqueue(piece);
        }
      },
    });
    const res = await postFile(cluster, body, { duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/larger than MAX_UPLOAD_MB \(1048576 bytes\)/);
    await expectNothingStored(cluster);

    const form = new FormData();
    form.append("body", new Blob([new Uint8Array(2 * 1024 * 1024)]), "big.wav");
    const multipart = await cluster.api("/music", { method: "POST", body: form });
    expect(multipart.status).toBe(413);
    await expectNothingStored(cluster);

    const ok = await postFile(cluster, readFileSync(song));
    expect(ok.body.music_id).toBe(1);
  });

  it("an upload interrupted by a crash is removed at the next start", async () => {
    const cluster = await start();
    await cluster.stopServer();
    mkdirSync(join(cluster.dataDir, "incoming"), { recursive: true });
    writeFileSync(join(cluster.dataDir, "incoming", "left-over"), "half an upload");
    await cluster.startServer();
    expect(existsSync(join(cluster.dataDir, "incoming", "left-over"))).toBe(false);
  });
});
