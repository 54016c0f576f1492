import { NEMESES } from "../nemesis/index.js";
import type { Checker } from "./checker.js";
import { detections } from "./detection.js";

/**
 * The broker's own counters for the job queue must agree with the job SENDs on the wire (and the harness's own),
 * whatever Encore logged: every job published and acked once, each extra delivery a redelivery, at least one redelivery per
 * fault that cost a held job, and nothing left behind once every process has stopped. A broker restart zeroes
 * its counters; then only the end state can be compared.
 */
export const brokerOracle: Checker = {
  name: "broker-oracle",
  judgesFrom: ["broker", "operations"],
  trustsBroker: true,
  title: "broker's counters (management API) agree with the chunks and faults; queues end empty",
  check(input) {
    const { jobs, results, error } = input.broker;
    if (error || !jobs) {
      return {
        status: "unknown",
        summary: `the broker could not be read: ${error ?? "job queue not found"}`,
      };
    }
    // Every job SEND the taps saw reach the broker, and every job the harness published itself.
    const injected = input.ops.filter((o) => o.f === "poison-job" && o.type === "ok").length;
    const chunks = input.ledger.reduce((n, c) => n + c.published, 0) + injected;
    const restarted = input.faults.some((f) => f.fault === "broker-crash" && f.proof.landed);
    const costly = detections(input).filter((d) => d.job !== null && NEMESES[d.fault]?.redelivers).length;
    const problems = [
      !restarted && jobs.publish !== chunks && `published ${jobs.publish}, expected ${chunks}`,
      !restarted && jobs.ack !== chunks && `acked ${jobs.ack}, expected ${chunks}`,
      !restarted &&
        jobs.deliver !== chunks + jobs.redeliver &&
        `delivered ${jobs.deliver}, expected ${chunks} + ${jobs.redeliver} redeliveries`,
      !restarted &&
        jobs.redeliver < costly &&
        `${jobs.redeliver} redeliveries for ${costly} faults that cost a held job`,
      (jobs.ready !== 0 || jobs.unacked !== 0) &&
        `job queue ends with ${jobs.ready} ready and ${jobs.unacked} unacked`,
      results &&
        (results.ready !== 0 || results.unacked !== 0) &&
        `result queue ends with ${results.ready} ready and ${results.unacked} unacked`,
    ].filter((p): p is string => typeof p === "string");
    const counters = `publish ${jobs.publish}, deliver ${jobs.deliver}, redeliver ${jobs.redeliver}, ack ${jobs.ack}`;
    return {
      status: problems.length === 0 ? "pass" : "fail",
      summary:
        problems.length > 0
          ? problems.join("; ")
          : restarted
            ? `queues empty; counters since the broker restart: ${counters}`
            : `${counters}; queues empty`,
      witness: problems.length === 0 ? undefined : { jobs, results },
      figures: { publish: jobs.publish, deliver: jobs.deliver, redeliver: jobs.redeliver, ack: jobs.ack },
    };
  },
};
