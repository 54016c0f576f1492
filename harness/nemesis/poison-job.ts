import { copiedHeaders, deliveredOnWire, inject } from "./injected-message.js";
import { type Nemesis, NotLanded } from "./nemesis.js";

/**
 * A job every worker must fail on, for a real song: a copy of the job whose SEND fired it, published with the
 * harness's own client, naming an engine no worker has (params.kind 0, the default) or carrying a body that
 * does not match its headers (params.kind 1). The product must dead-letter it within its delivery limit and
 * fail that song with a clear error, while every other song completes.
 */
export const poisonJob: Nemesis = {
  name: "poison-job",
  summary:
    "publishes a poison copy of a real job (unknown engine, or a body that does not match its headers)",
  redelivers: false,
  firedBy: ["job-sent"],
  chaos: { targets: "song", triggers: ["job-sent"], params: { kind: [0, 1] } },
  describe: () => "Harness: publishing a poison job.",
  async inject(_target, ctx) {
    const headers = copiedHeaders(ctx);
    const frames = Number(headers["context-end"]) - Number(headers["context-start"]);
    if (!(frames > 0)) throw new NotLanded("the triggering job has no sample range to copy");
    const badBody = ctx.params.kind === 1;
    return inject(
      ctx,
      "poison-job",
      ctx.queues.jobs,
      badBody ? headers : { ...headers, engine: "no-such-engine" },
      // 16-bit stereo frames, as the job's content-type says; one frame short for the mismatched body.
      Buffer.alloc(badBody ? (frames - 1) * 4 : frames * 4),
      `poison copy of Job[${ctx.frame?.job}] (${badBody ? "body one frame short" : "engine no-such-engine"})`,
    );
  },
  prove: (fault, wire) => deliveredOnWire(fault, wire, "poison-job"),
};
