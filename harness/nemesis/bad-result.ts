import { STEM_NAMES, type Stems } from "../../src/audio/pcm.js";
import { encodeResult } from "../../src/messages/result-message.js";
import { copiedHeaders, deliveredOnWire, inject } from "./injected-message.js";
import type { Nemesis } from "./nemesis.js";

/** A job-digest that is no job's: what a result carries that was not made from the job the server sent. */
const NO_JOBS_DIGEST = "0".repeat(64);

/**
 * A result for a real job that is not the job's, published with the harness's own client before any worker's.
 * params.kind 0 (the default): every header right, the stems a few bytes of noise (malformed). kind 1: a
 * well-formed result of the right chunk and length, silent stems, and a job-digest that is not the job's (a
 * forgery a server that trusts job ids would merge). The server must set it aside (dead-letter it), and the
 * song must not hang, and its output must still be the reference's: the job's real result completes it.
 */
export const badResult: Nemesis = {
  name: "bad-result",
  summary:
    "publishes a result for a real job that is not its own (a body of noise, or silent stems under another job-digest)",
  redelivers: false,
  firedBy: ["job-sent"],
  chaos: { targets: "song", triggers: ["job-sent"], params: { kind: [0, 1] } },
  describe: () => "Harness: publishing a malformed result.",
  async inject(_target, ctx) {
    const job = copiedHeaders(ctx);
    const frames = Number(job.end) - Number(job.start);
    const now = Date.now();
    const forged = ctx.params.kind === 1;
    const { headers, body } = forged
      ? encodeResult({
          kind: "done",
          jobId: Number(job["job-id"]),
          musicId: Number(job["music-id"]),
          chunkIndex: Number(job["chunk-index"]),
          workerId: "harness",
          redelivered: false,
          deliveryCount: 0,
          frames,
          startedAt: now,
          finishedAt: now,
          syntheticMs: 0,
          stems: Object.fromEntries(STEM_NAMES.map((n) => [n, new Int32Array(frames * 2)])) as Stems,
          jobDigest: NO_JOBS_DIGEST,
        })
      : {
          headers: {
            "encore-type": "job-done",
            "job-id": job["job-id"] ?? "",
            "music-id": job["music-id"] ?? "",
            "chunk-index": job["chunk-index"] ?? "",
            "worker-id": "harness",
            "job-redelivered": "false",
            "job-delivery-count": "0",
            frames: String(frames),
            "started-at": String(now),
            "finished-at": String(now),
            "synthetic-ms": "0",
            stems: "drums,bass,vocals,other",
          },
          body: Buffer.from("not four stems of audio"),
        };
    return inject(
      ctx,
      "bad-result",
      ctx.queues.results,
      headers,
      body,
      `${forged ? "forged (silent, another job-digest)" : "malformed"} result for Job[${ctx.frame?.job}]`,
    );
  },
  prove: (fault, wire) => deliveredOnWire(fault, wire, "bad-result"),
};
