import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { brokerFixture } from "../support/broker-fixture.js";
import { TestCluster, type Upload } from "../support/test-cluster.js";

const fx = brokerFixture("fuzz");
let cluster: TestCluster;
let song: Upload;

beforeAll(async () => {
  cluster = await TestCluster.start(fx.broker, { maxUploadMb: "1" });
  await cluster.startWorkers(1);
  song = await cluster.upload(makeSong(join(fx.dir, "song.wav"), 2));
  await cluster.choose(song.music_id, [song.tracks[0].track_id, song.tracks[2].track_id]);
  await cluster.waitDone(song.music_id);
});

// Registered after the fixture's, so it runs before the broker stops.
afterAll(async () => {
  await cluster?.stop();
});

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** node:http, not fetch: the path goes out exactly as generated (fetch would normalise it). */
function request(method: string, path: string, type: string | undefined, body: Buffer | undefined) {
  return new Promise<Answer>((resolve, reject) => {
    const url = new URL(cluster.url);
    // Explicit: node:http sends a GET's or OPTIONS's body with no length at all, which no real client does.
    const headers: Record<string, string> = {
      ...(type === undefined ? {} : { "content-type": type }),
      ...(body === undefined ? {} : { "content-length": String(body.length) }),
    };
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"] ?? ""),
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    // A request the server never answers is a finding like a 5xx (and must not hang the test).
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer within 10 s: ${method} ${path}`)));
    req.end(body);
  });
}

/** Every file of the song made before the fuzz, by its digest. */
function snapshot(musicId: number): Record<string, string> {
  const root = join(cluster.dataDir, "music", String(musicId));
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return Object.fromEntries(
    files.map((e) => {
      const path = join(e.parentPath, e.name);
      return [path.slice(root.length), createHash("sha256").update(readFileSync(path)).digest("hex")];
    }),
  );
}

/** Path segments a client could send, right or wrong: ids as written every which way, names, encodings. */
const segment = fc.oneof(
  fc.constantFrom(
    "music",
    "job",
    "tracks",
    "final.wav",
    "final.mp3",
    "health",
    "",
    "..",
    ".",
    "%",
    "%00",
    "%2F",
  ),
  fc.constantFrom(
    "0x1",
    "%201",
    "1.0",
    "01",
    "-1",
    "+1",
    "1e3",
    "99999999999999999999",
    "NaN",
    "null",
    "[1]",
  ),
  fc.integer({ min: -2, max: 6 }).map(String),
  fc.nat().map((n) => `${n}.wav`),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 8 }),
);

const printable = (raw: string) =>
  raw.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c).replace(/%25/g, "%"));

const id = fc.oneof(fc.constantFrom("1", "2", "5", "0x1", "%201", "1.0", "01", "-1", "1e3"), segment);

/** Half the paths are the API's own shapes with odd ids (so requests reach the handlers), half anything. */
const path = fc
  .oneof(
    fc.constantFrom("/music", "/music/", "/job", "/health", "/"),
    id.map((i) => `/music/${i}`),
    fc.tuple(id, id).map(([m, t]) => `/music/${m}/tracks/${t}.wav`),
    fc.tuple(id, fc.constantFrom("final.wav", "final.mp3", "final.ogg")).map(([m, f]) => `/music/${m}/${f}`),
    id.map((i) => `/job/${i}`),
    fc.array(segment, { minLength: 0, maxLength: 5 }).map((parts) => `/${parts.join("/")}`),
  )
  .map(printable)
  // POST /reset would delete the song whose bytes the test compares; it is tested on its own elsewhere.
  .filter((p) => !/reset/i.test(p));

const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "text/plain",
      "application/octet-stream",
      "audio/mpeg",
      "video/mp4",
      "multipart/form-data",
      "multipart/form-data; boundary=xyz",
      "application/x-www-form-urlencoded",
      "",
    ),
    fc.string({ maxLength: 20 }).map(printable),
  ),
  { nil: undefined },
);

const body = fc.option(
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? "null")),
    fc
      .constantFrom("[1", "[]", "[1.5]", '["1","2"]', "null", '"1"', "--xyz\r\n", "{}")
      .map((s) => Buffer.from(s)),
    fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
    fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  ),
  { nil: undefined },
);

const method = fc.constantFrom("GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

interface Request {
  method: string;
  path: string;
  type: string | undefined;
  body: Buffer | undefined;
}

const anyRequest = fc.record({ method, path, type: contentType, body });

/** Uploads and choices are where the work is: a fair share of requests go there, with odd types and bodies. */
const upload = fc.record({
  method: fc.constant("POST"),
  path: fc.constant("/music"),
  type: fc.option(
    fc.constantFrom(
      "multipart/form-data",
      "multipart/form-data; boundary=xyz",
      "multipart/form-data; boundary=",
      "multipart/mixed; boundary=xyz",
      "application/octet-stream",
      "audio/wav",
      "audio/",
    ),
    { nil: undefined },
  ),
  body: fc.option(
    fc.oneof(
      fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)),
      fc
        .string({ maxLength: 300 })
        .map((s) =>
          Buffer.from(`--xyz\r\nContent-Disposition: form-data; name="body"; filename="a.mp3"\r\n\r\n${s}`),
        ),
    ),
    { nil: undefined },
  ),
});

const choice = fc.record({
  method: fc.constant("POST"),
  path: id.map((i) => printable(`/music/${i}`)),
  type: contentType,
  body,
});

const requests = fc.oneof(
  { weight: 4, arbitrary: anyRequest },
  { weight: 1, arbitrary: upload },
  { weight: 1, arbitrary: choice },
);

/** A choice of the song's own tracks is a real change of its mix (allowed, so not a finding): left out. */
function choosesTracks(method: string, body: Buffer | undefined): boolean {
  if (method !== "POST" || body === undefined) return false;
  try {
    const value: unknown = JSON.parse(body.toString("utf8"));
    return Array.isArray(value) && value.length > 0 && value.every((v) => Number.isInteger(v));
  } catch {
    return false;
  }
}

describe("fuzz: random requests against a live server", () => {
  it("every answer is a 2xx, or a 4xx with {error}; never a 5xx; the stored song stays byte-identical", async () => {
    const before = snapshot(song.music_id);
    const listed = (await cluster.api("/music")).body;
    const findings: string[] = [];
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requests, async ({ method: m, path: p, type: t, body: b }: Request) => {
        fc.pre(!choosesTracks(m, b));
        const answer = await request(m, p, t, b);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const what = `${m} ${p} (content-type ${JSON.stringify(t)}, ${b?.length ?? "no"} bytes) → ${answer.status} ${answer.body.slice(0, 200)}`;
        if (answer.status >= 500 || answer.status < 200 || (answer.status >= 300 && answer.status < 400))
          findings.push(what);
        if (answer.status >= 400 && m !== "HEAD") {
          const parsed: unknown = JSON.parse(answer.body);
          const ok =
            typeof parsed === "object" &&
            parsed !== null &&
            Object.keys(parsed).join() === "error" &&
            typeof (parsed as { error: unknown }).error === "string";
          if (!ok || !answer.type.startsWith("application/json")) findings.push(`not {error}: ${what}`);
        }
        if (findings.length > 0) throw new Error(findings.join("\n"));
      }),
      { numRuns: 3000, endOnFailure: true },
    );
    console.log(`fuzz: answers by status: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    expect(findings).toEqual([]);
    expect(snapshot(song.music_id)).toEqual(before);
    const after = (await cluster.api<Upload[]>("/music")).body;
    expect(after.find((s) => s.music_id === song.music_id)).toEqual(
      (listed as unknown as Upload[]).find((s) => s.music_id === song.music_id),
    );
    expect((await cluster.api("/health")).status).toBe(200);
    // No refused upload left a file behind.
    expect(readdirSync(join(cluster.dataDir, "incoming"))).toEqual([]);
  }, 600_000);
});
