import { jobDigest } from "../../src/messages/job-digest.js";
import { copiedHeaders, deliveredOnWire, inject } from "./injected-message.js";
import { type Nemesis, NotLanded } from "./nemesis.js";

/**
 * A forged copy of a real job: the job whose SEND fired it, published with the harness's own client under the
 * same job id. params.kind 0 (the default) names an engine no worker has, with a job-digest made for it as an
 * adversary would, so the copy reads as sound and fails only in the work (every delivery of it, up to the
 * product's limit); kind 1 carries a body one frame short of its headers, a damaged copy. Either way it is not
 * the job the server sent: the product must dead-letter it within its failure limit and finish that song from
 * the real job, as every other song.
 */
export const poisonJob: Nemesis = {
  name: "poison-job",
  summary:
    "publishes a forged copy of a real job (unknown engine, or a body that does not match its headers)",
  redelivers: false,
  firedBy: ["job-sent"],
  chaos: { targets: "song", triggers: ["job-sent"], params: { kind: [0, 1] } },
  describe: () => "Harness: publishing a poison job.",
  async inject(_target, ctx) {
    const headers = copiedHeaders(ctx);
    const frames = Number(headers["context-end"]) - Number(headers["context-start"]);
    if (!(frames > 0)) throw new NotLanded("the triggering job has no sample range to copy");
    const badBody = ctx.params.kind === 1;
    // 16-bit stereo frames, as the job's content-type says; one frame short for the mismatched body.
    const body = Buffer.alloc(badBody ? (frames - 1) * 4 : frames * 4);
    return inject(
      ctx,
      "poison-job",
      ctx.queues.jobs,
      badBody ? headers : forged({ ...headers, engine: "no-such-engine" }, body),
      body,
      `poison copy of Job[${ctx.frame?.job}] (${badBody ? "body one frame short" : "engine no-such-engine"})`,
    );
  },
  prove: (fault, wire) => deliveredOnWire(fault, wire, "poison-job"),
};

/** The headers with a job-digest that matches them and the body: the copy passes a worker's integrity check. */
function forged(headers: Record<string, string>, body: Buffer): Record<string, string> {
  const n = (name: string) => Number(headers[name]);
  const identity = {
    jobId: n("job-id"),
    musicId: n("music-id"),
    chunkIndex: n("chunk-index"),
    chunkCount: n("chunk-count"),
    start: n("start"),
    end: n("end"),
    contextStart: n("context-start"),
    contextEnd: n("context-end"),
    epoch: n("epoch"),
    engine: headers.engine ?? "",
  };
  return { ...headers, "job-digest": jobDigest(identity, body) };
}
