import { describe, expect, it } from "vitest";
import { runScenarioCli } from "./run-cli.js";

/**
 * Each new scenario against a deliberately broken product (harness/faulty): the run must fail, and the check
 * that names the defect must say so. (The same scenarios pass on the product: see gate.test.ts.)
 */
describe("the new scenarios catch deliberately broken products", () => {
  // Timeout: a hung song waits out its budget and the quiescence before it is judged.
  it.each([
    ["poison-job", ["--worker-kind", "no-delivery-limit"], "bad-input-set-aside", /past the limit of 5/],
    [
      "poison-job",
      ["--worker-kind", "stop-after-nack"],
      "bad-input-set-aside",
      /never sent to the dead-letter queue/,
    ],
    [
      "reset-mid-song",
      ["--worker-kind", "ignores-reset"],
      "reset-cancels",
      /after the reset and worked on: its result was sent/,
    ],
    ["many-songs", ["--server-kind", "dedup-by-chunk"], "liveness", /not done within/],
    [
      "consumer-timeout",
      ["--worker-kind", "ack-on-current-connection"],
      "acked-once",
      /on a connection that did not deliver what they name/,
    ],
    [
      "bad-result",
      ["--server-kind", "crash-on-malformed"],
      "bad-input-set-aside",
      /never sent to the dead-letter queue/,
    ],
    [
      "broker-crash-unconfirmed",
      ["--worker-kind", "ack-before-receipt"],
      "confirmed-before-ack",
      /job ACKs came before their result was confirmed: Job\[\d+\] on worker-\d: ACKed at \d+ ms, \d+ ms after its result SEND, before its RECEIPT/,
    ],
    [
      "cut-on-ack",
      ["--worker-kind", "no-reconnect"],
      "serves-after-heal",
      /worker-\d never subscribed to the job queue again after its cut was healed/,
    ],
    [
      "worker-crash-on-receipt",
      ["--server-kind", "requeues-duplicates"],
      "broker-oracle",
      /result queue ends with [1-9]\d* ready/,
    ],
    [
      "forged-result",
      ["--server-kind", "trusts-job-id"],
      "output-oracle",
      /drums\.wav: differs by up to \d+ LSB/,
    ],
    ["server-crash-publishing", ["--server-kind", "memory-only"], "liveness", /not done within/],
    ["server-crash-timed", ["--server-kind", "memory-only"], "liveness", /not done within/],
    ["server-restart", ["--server-kind", "memory-only"], "liveness", /not done within/],
    ["server-crash-merge", ["--server-kind", "ack-before-save"], "liveness", /a result ACKed and not kept/],
  ])(
    "%s %s: %s fails",
    async (scenario, flags, check, witness) => {
      const run = await runScenarioCli([scenario, "--broker", "local", "--seed", "31", ...flags]);
      expect(run.code, run.output).toBe(1);
      const verdict = run.report().checks.find((c) => c.check === check);
      expect(verdict?.ok).toBe(false);
      expect(verdict?.summary).toMatch(witness);
      expect(run.output).toContain(
        `replay: npm run scenario ${scenario} -- --seed 31 --broker local ${flags.join(" ")}`,
      );
    },
    300_000,
  );
});
