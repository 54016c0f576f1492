import { copiedHeaders, deliveredOnWire, inject } from "./injected-message.js";
import type { Nemesis } from "./nemesis.js";

/**
 * A malformed result for a real job, published with the harness's own client: every header right, the stems
 * a few bytes of noise. The server must set it aside (dead-letter it) and the song must not hang: the job's
 * real result still completes it, or the song fails with a clear error.
 */
export const badResult: Nemesis = {
  name: "bad-result",
  summary: "publishes a malformed result (headers of a real job, a body of noise) for the server",
  redelivers: false,
  firedBy: ["job-sent"],
  chaos: { targets: "song", triggers: ["job-sent"] },
  describe: () => "Harness: publishing a malformed result.",
  async inject(_target, ctx) {
    const job = copiedHeaders(ctx);
    const headers = {
      "encore-type": "job-done",
      "job-id": job["job-id"] ?? "",
      "music-id": job["music-id"] ?? "",
      "chunk-index": job["chunk-index"] ?? "",
      "worker-id": "harness",
      "job-redelivered": "false",
      "job-delivery-count": "0",
      frames: String(Number(job.end) - Number(job.start)),
      "started-at": String(Date.now()),
      "finished-at": String(Date.now()),
      "synthetic-ms": "0",
      stems: "drums,bass,vocals,other",
    };
    return inject(
      ctx,
      "bad-result",
      ctx.queues.results,
      headers,
      Buffer.from("not four stems of audio"),
      `malformed result for Job[${ctx.frame?.job}]`,
    );
  },
  prove: (fault, wire) => deliveredOnWire(fault, wire, "bad-result"),
};
