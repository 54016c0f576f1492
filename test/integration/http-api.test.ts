import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { LocalBroker } from "../../src/broker/local-broker.js";
import { TestCluster } from "../support/test-cluster.js";

let broker: LocalBroker;
let cluster: TestCluster;
let dir: string;
let song: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "encore-http-test-"));
  song = makeSong(join(dir, "song.wav"), 2);
  broker = await LocalBroker.start({ log: { info: () => {}, warn: () => {}, error: () => {} } });
  cluster = await TestCluster.start(broker, { maxUploadMb: "1" });
});

afterAll(async () => {
  await cluster?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, body: BodyInit, type: string) =>
  cluster.api(path, { method: "POST", headers: { "content-type": type }, body });

describe("bad requests get a clear 4xx and change nothing", () => {
  it.each([
    [
      "a non-audio upload",
      () => post("/music", Buffer.from("this is not audio at all"), "application/octet-stream"),
      400,
      /not an audio file/,
    ],
    ["an empty upload", () => post("/music", Buffer.alloc(0), "application/octet-stream"), 400, /empty/],
    ["an upload as JSON", () => post("/music", "{}", "application/json"), 415, /octet-stream/],
    ["an upload of an unsupported type", () => post("/music", "hello", "text/plain"), 415, /octet-stream/],
    [
      "an upload over MAX_UPLOAD_MB",
      () => post("/music", Buffer.alloc(2 * 1024 * 1024, 1), "application/octet-stream"),
      413,
      /the upload is 2097152 bytes, more than MAX_UPLOAD_MB \(1048576 bytes\)/,
    ],
    [
      "a multipart upload without field 'body'",
      () => {
        const form = new FormData();
        form.append("file", new Blob([Buffer.from("x")]), "x.mp3");
        return cluster.api("/music", { method: "POST", body: form });
      },
      400,
      /no file field named 'body'/,
    ],
    ["an unknown music id", () => cluster.api("/music/999"), 404, /music 999 not found/],
    ["a music id that is not a number", () => cluster.api("/music/abc"), 400, /id/],
    [
      "processing an unknown music",
      () => post("/music/999", "[1]", "application/json"),
      404,
      /music 999 not found/,
    ],
    ["an unknown job", () => cluster.api("/job/4242"), 404, /job 4242 not found/],
    ["a hexadecimal music id", () => cluster.api("/music/0x1"), 400, /decimal.*got "0x1"/],
    ["a music id with a space", () => cluster.api("/music/%201"), 400, /decimal.*got " 1"/],
    ["a music id with a leading zero", () => cluster.api("/music/01"), 400, /decimal/],
    ["a fractional job id", () => cluster.api("/job/1.0"), 400, /decimal.*got "1.0"/],
    ["a track id that is not a number", () => cluster.api("/music/1/tracks/x.wav"), 400, /track id/],
    ["an unknown route", () => cluster.api("/nope"), 404, /no such resource: GET \/nope/],
    ["an unknown track file", () => cluster.api("/music/999/tracks/5.wav"), 404, /music 999 not found/],
    ["a bad percent-encoding", () => cluster.api("/music/%E0%A4%A"), 400, /./],
    [
      "a method a route does not have",
      () => cluster.api("/music", { method: "DELETE" }),
      405,
      /DELETE is not allowed on \/music; allowed: GET, HEAD, POST/,
    ],
    [
      "multipart with no boundary",
      () => post("/music", "--x\r\n", "multipart/form-data"),
      400,
      /multipart upload is malformed/,
    ],
    [
      "multipart with a wrong boundary",
      () => post("/music", "--abc\r\nContent-Disposition: form-data", "multipart/form-data; boundary=xyz"),
      400,
      /multipart upload is malformed/,
    ],
    [
      "multipart that ends inside the file (no closing boundary)",
      () =>
        post(
          "/music",
          '--xyz\r\nContent-Disposition: form-data; name="body"; filename="a.mp3"\r\n\r\nID3',
          "multipart/form-data; boundary=xyz",
        ),
      400,
      /ended inside the file 'body'/,
    ],
    [
      "a track choice sent as text/plain",
      () => post("/music/1", "[1]", "text/plain"),
      415,
      /JSON array with content-type application\/json/,
    ],
    [
      "a track choice sent as audio",
      () => post("/music/1", "[1]", "application/octet-stream"),
      415,
      /JSON array/,
    ],
  ])("%s", async (_name, call, status, message) => {
    const res = await call();
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(message);
  });

  it("track choices are validated: bad JSON, not an array, not integers, unknown track (405 as the original)", async () => {
    const music = await cluster.upload(song);
    const id = music.music_id;
    for (const [body, status, message] of [
      ["[1, 2", 400, /JSON/i],
      ['{"tracks": [1]}', 400, /array/],
      ['["drums"]', 400, /track ids must be whole numbers .*got "drums" at position 0/],
      ['["1","2"]', 400, /track ids must be whole numbers .*got "1"/],
      ['"1"', 400, /JSON array of track ids.*got "1"/],
      ["1", 400, /JSON array of track ids/],
      ["null", 400, /JSON array of track ids.*got null/],
      ["[1.5]", 400, /whole numbers/],
      ["[]", 400, /at least one track/],
      ["[123456]", 405, /track 123456 not found/],
    ] as const) {
      const res = await post(`/music/${id}`, body, "application/json");
      expect(res.status, body).toBe(status);
      expect(res.body.error, body).toMatch(message);
    }
    const state = await cluster.api(`/music/${id}`);
    expect(state.body).toMatchObject({ status: "uploaded", progress: 0, final: null });
    expect((await cluster.api(`/music/${id}/final.wav`)).status).toBe(409);
    expect((await cluster.api("/job")).body).toEqual([]);
  });

  it("accepts the original's multipart field 'body' and reports defaults for untagged files", async () => {
    const form = new FormData();
    form.append("body", new Blob([readFileSync(song)]), "My Tune.wav");
    const res = await cluster.api("/music", { method: "POST", body: form });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "My Tune", band: "Unknown" });
    expect(res.body.tracks).toHaveLength(4);
  });

  it("serves the web page and a health check", async () => {
    const page = await fetch(`${cluster.url}/`);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain("Encore");
    expect((await cluster.api("/health")).body).toEqual({ status: "ok", broker: "connected", store: "ok" });
  });
});
