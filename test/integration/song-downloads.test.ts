import { readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { brokerFixture } from "../support/broker-fixture.js";
import { TestCluster, type Upload } from "../support/test-cluster.js";

const fx = brokerFixture("downloads");
let cluster: TestCluster;
let upload: Upload;
let finalPath: string;

beforeAll(async () => {
  cluster = await TestCluster.start(fx.broker);
  await cluster.startWorkers(2);
  upload = await cluster.upload(makeSong(join(fx.dir, "song.wav"), 12));
  await cluster.choose(upload.music_id, [upload.tracks[2].track_id]);
  finalPath = (await cluster.waitDone(upload.music_id)).final;
});

// Registered after the fixture's, so it runs before the broker stops.
afterAll(async () => {
  await cluster?.stop();
});

const get = (path: string, headers: Record<string, string> = {}, method = "GET") =>
  fetch(`${cluster.url}${path}`, { headers, method });

/** fetch() adds Cache-Control: no-cache to a conditional request (the Fetch standard), so a plain client asks. */
const conditionalStatus = (path: string, etag: string) =>
  new Promise<number | undefined>((resolve, reject) => {
    http
      .get(`${cluster.url}${path}`, { headers: { "if-none-match": etag } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
      .on("error", reject);
  });

describe("downloads: Content-Length, ETag and Range, so players know the length and can seek", () => {
  it("sends the whole file with its length, an ETag and Accept-Ranges", async () => {
    const onDisk = readFileSync(join(cluster.dataDir, "music", String(upload.music_id), "out", "final.wav"));
    const res = await get(finalPath);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("audio/wav");
    expect(res.headers.get("content-length")).toBe(String(onDisk.length));
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("etag")).toMatch(/^W?\/?".+"$/);
    expect(Buffer.from(await res.arrayBuffer()).equals(onDisk)).toBe(true);

    const head = await get(finalPath, {}, "HEAD");
    expect(head.headers.get("content-length")).toBe(String(onDisk.length));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it("answers a Range with 206 and exactly those bytes, an unsatisfiable one with 416 and {error}", async () => {
    const whole = Buffer.from(await (await get(finalPath)).arrayBuffer());
    const head = await get(finalPath, { range: "bytes=0-43" });
    expect(head.status).toBe(206);
    expect(head.headers.get("content-range")).toBe(`bytes 0-43/${whole.length}`);
    expect(Buffer.from(await head.arrayBuffer()).equals(whole.subarray(0, 44))).toBe(true);

    const tail = await get(finalPath, { range: `bytes=${whole.length - 1000}-` });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(whole.length - 1000))).toBe(true);

    const beyond = await get(finalPath, { range: `bytes=${whole.length + 10}-` });
    expect(beyond.status).toBe(416);
    expect(((await beyond.json()) as { error: string }).error).toMatch(/range .* is not within the file/);
  });

  it("answers a matching If-None-Match with 304, for tracks and the MP3 too", async () => {
    for (const path of [
      finalPath,
      `/music/${upload.music_id}/final.mp3`,
      `/music/${upload.music_id}/tracks/${upload.tracks[0].track_id}.wav`,
    ]) {
      const first = await get(path);
      expect(first.status, path).toBe(200);
      expect((await first.arrayBuffer()).byteLength, path).toBe(Number(first.headers.get("content-length")));
      const etag = first.headers.get("etag") ?? "";
      expect(await conditionalStatus(path, etag), path).toBe(304);
      expect(await conditionalStatus(path, '"another"'), path).toBe(200);
    }
  });
});

describe("the latest choice wins", () => {
  it("a choice made while a remix runs is mixed after it; GET shows what final.wav is made of", async () => {
    const id = upload.music_id;
    const [drums, bass] = [upload.tracks[0], upload.tracks[1]];
    const choose = (track: number) =>
      cluster.api<{ status: string }>(`/music/${id}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([track]),
      });
    const first = await choose(drums.track_id);
    const second = await choose(bass.track_id);
    expect(first.body.status).toBe("merging");
    // The second choice reached the server while the first remix ran: the case this test is about.
    expect(second.body.status).toBe("merging");
    const done = await cluster.waitDone(id);
    expect(done.selected).toEqual([bass.track_id]);
    expect(done.mixed).toEqual([bass.track_id]);
    // A mix of one track is that track: final.wav must be the bass, not the drums chosen first.
    const final = await cluster.download(done.final);
    expect(final.equals(await cluster.download(`/music/${id}/tracks/${bass.track_id}.wav`))).toBe(true);
    expect(final.equals(await cluster.download(`/music/${id}/tracks/${drums.track_id}.wav`))).toBe(false);
  });
});
