import { describe, expect, it } from "vitest";
import { STEM_NAMES } from "../../src/audio/pcm.js";
import { decodeStems } from "../../src/audio/stem-codec.js";
import { MalformedMessageError } from "../../src/messages/header-reader.js";
import { encodeJob, FAILURES_HEADER, parseJob } from "../../src/messages/job-message.js";
import { encodeResult, parseResult } from "../../src/messages/result-message.js";

const job = {
  jobId: 3,
  musicId: 1,
  chunkIndex: 1,
  chunkCount: 4,
  start: 100,
  end: 200,
  contextStart: 50,
  contextEnd: 260,
  epoch: 1,
  attempt: 1,
  engine: "dsp",
  publishedAt: 1_700_000_000_000,
  samples: Int16Array.from({ length: 420 }, (_, i) => ((i * 37) % 65536) - 32768),
};

/** STOMP delivers header values as strings. */
const asStrings = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));

describe("job messages", () => {
  it("round-trip losslessly, with the digest of what was sent", () => {
    const { headers, body } = encodeJob(job);
    expect(parseJob(asStrings(headers), Buffer.from(body))).toEqual({
      ...job,
      digest: headers["job-digest"],
      failures: 0,
    });
    expect(headers["job-digest"]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a republished job (another attempt, another time) has the same digest", () => {
    const again = encodeJob({ ...job, attempt: 2, publishedAt: job.publishedAt + 5000 });
    expect(again.headers["job-digest"]).toBe(encodeJob(job).headers["job-digest"]);
  });

  it.each([
    [{ engine: "no-such-engine" }],
    [{ "chunk-count": "5" }],
    [{ epoch: "2" }],
    [{ "music-id": "2" }],
  ])("reject a copy whose headers were changed, %j, as not the job the server sent", (patch) => {
    const { headers, body } = encodeJob(job);
    expect(() => parseJob({ ...asStrings(headers), ...patch }, body)).toThrow(/not the job the server sent/);
  });

  it("a copy a worker sent back after failures is the same job, with its failure count", () => {
    const { headers, body } = encodeJob(job);
    const back = parseJob({ ...asStrings(headers), [FAILURES_HEADER]: "3" }, body);
    expect(back).toMatchObject({ digest: headers["job-digest"], failures: 3 });
  });

  it("reject a copy whose audio was changed, even with a consistent length", () => {
    const { headers, body } = encodeJob(job);
    const changed = Buffer.from(body);
    changed[10] ^= 1;
    expect(() => parseJob(asStrings(headers), changed)).toThrow(/not the job the server sent/);
  });

  it.each([
    [{ "job-id": "abc" }, /header "job-id" is "abc"/],
    [{ "job-id": "" }, /missing header "job-id"/],
    [{ "chunk-index": "4" }, /chunk-index 4 >= chunk-count 4/],
    [{ start: "300" }, /sample ranges out of order/],
    [{ "encore-type": "result" }, /expected job/],
    [{ "job-digest": "" }, /missing header "job-digest"/],
    [{ [FAILURES_HEADER]: "-1" }, /header "x-encore-failures" is "-1"/],
    [{ [FAILURES_HEADER]: "many" }, /header "x-encore-failures" is "many"/],
  ])("reject %j", (patch, message) => {
    const { headers, body } = encodeJob(job);
    expect(() => parseJob({ ...asStrings(headers), ...patch }, body)).toThrow(message);
  });

  it("reject a body of the wrong length", () => {
    const { headers, body } = encodeJob(job);
    expect(() => parseJob(asStrings(headers), body.subarray(2))).toThrow(MalformedMessageError);
  });
});

describe("result messages", () => {
  const stems = Object.fromEntries(
    STEM_NAMES.map((n, k) => [n, Int32Array.from({ length: 20 }, (_, i) => i * (k + 1) - 70000)]),
  ) as never;
  const done = {
    kind: "done" as const,
    jobId: 3,
    musicId: 1,
    chunkIndex: 1,
    workerId: "5d52b7f",
    redelivered: true,
    deliveryCount: 2,
    frames: 10,
    startedAt: 1,
    finishedAt: 2,
    syntheticMs: 0,
    stems,
    jobDigest: "ab".repeat(32),
  };

  it("round-trip losslessly, including a failure report", () => {
    const { headers, body } = encodeResult(done);
    const { stems: sent, ...described } = done;
    expect(parseResult(asStrings(headers), body)).toEqual(described);
    const received = decodeStems(body, done.frames);
    for (const name of STEM_NAMES) expect(Array.from(received[name])).toEqual(Array.from(sent[name]));
    const failed = {
      kind: "failed" as const,
      jobId: 3,
      musicId: 1,
      workerId: "w",
      redelivered: false,
      deliveryCount: 0,
      reason: "bad",
      jobDigest: "cd".repeat(32),
    };
    const f = encodeResult(failed);
    expect(parseResult(asStrings(f.headers), f.body)).toEqual(failed);
  });

  it.each([
    [{ frames: "11" }, /blocks of 10 frames, expected 11/],
    [{ stems: "vocals,drums,bass,other" }, /stems are/],
    [{ "job-redelivered": "maybe" }, /expected true or false/],
    [{ "encore-type": "nope" }, /expected job-done or job-failed/],
    [{ "job-digest": "" }, /missing header "job-digest"/],
  ])("reject %j", (patch, message) => {
    const { headers, body } = encodeResult(done);
    expect(() => parseResult({ ...asStrings(headers), ...patch }, body)).toThrow(message);
  });
});
