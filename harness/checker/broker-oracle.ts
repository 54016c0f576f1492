import type { Checker } from "./checker.js";

/**
 * The broker's own counters for the job queue must agree with the chunk count and the faults, whatever Encore
 * logged: every chunk published and acked once, each extra delivery a redelivery, and nothing left behind.
 */
export const brokerOracle: Checker = {
  name: "broker-oracle",
  title: "broker's counters (management API) agree with the chunks and faults; queues end empty",
  check(input) {
    const { jobs, results, error } = input.broker;
    if (error || !jobs) {
      return {
        check: this.name,
        title: this.title,
        ok: false,
        summary: `no broker counters: ${error ?? "job queue not found"}`,
      };
    }
    const chunks = input.expectedChunks;
    const faults = input.faults.length;
    const problems = [
      jobs.publish !== chunks && `published ${jobs.publish}, expected ${chunks}`,
      jobs.ack !== chunks && `acked ${jobs.ack}, expected ${chunks}`,
      jobs.deliver !== chunks + jobs.redeliver &&
        `delivered ${jobs.deliver}, expected ${chunks} + ${jobs.redeliver} redeliveries`,
      jobs.redeliver < faults && `${jobs.redeliver} redeliveries for ${faults} faults on busy workers`,
      (jobs.ready !== 0 || jobs.unacked !== 0) &&
        `job queue ends with ${jobs.ready} ready and ${jobs.unacked} unacked`,
      results &&
        (results.ready !== 0 || results.unacked !== 0) &&
        `result queue ends with ${results.ready} ready and ${results.unacked} unacked`,
    ].filter((p): p is string => typeof p === "string");
    return {
      check: this.name,
      title: this.title,
      ok: problems.length === 0,
      summary:
        problems.length === 0
          ? `publish ${jobs.publish}, deliver ${jobs.deliver}, redeliver ${jobs.redeliver}, ack ${jobs.ack}; queues empty`
          : problems.join("; "),
      witness: problems.length === 0 ? undefined : { jobs, results },
      figures: { publish: jobs.publish, deliver: jobs.deliver, redeliver: jobs.redeliver, ack: jobs.ack },
    };
  },
};
