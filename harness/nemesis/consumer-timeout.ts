import { isFrame } from "../wire/wire-query.js";
import { freeze } from "./freeze.js";
import type { Nemesis } from "./nemesis.js";

/** What the broker of a run with this fault is told: a short consumer timeout, checked every second. */
const CONSUMER_TIMEOUT_MS = 5000;
const CHANNEL_TICK_MS = 1000;

/**
 * A worker hangs holding a job (SIGSTOP) while its TCP connection stays up and heart-beats are too slow to
 * notice: only the broker's consumer timeout can take the job back. The broker of the run gets a 5 s
 * consumer_timeout and a 1 s channel tick (3.10 checks it on the tick, once a minute by default). Proven on the
 * wire: the broker's ERROR on that worker's link, naming the timeout, while it hung.
 */
export const consumerTimeout: Nemesis = {
  name: "consumer-timeout",
  summary: `SIGSTOP a worker holding a job until the broker's ${CONSUMER_TIMEOUT_MS / 1000} s consumer timeout takes it back; SIGCONT when healed`,
  redelivers: true,
  silences: true,
  needs: "holding-job",
  // Not drawn by chaos: its rounds' 2 s heart-beats drop a hung worker long before any consumer timeout.
  chaos: undefined,
  attemptOutcome: "frozen",
  brokerEnv: { consumer_timeout: CONSUMER_TIMEOUT_MS, channel_tick_interval: CHANNEL_TICK_MS },
  boundMs: () => CONSUMER_TIMEOUT_MS + CHANNEL_TICK_MS,
  describe: (targets) =>
    `Simulating a hung worker. Stopping ${targets.length} workers past the broker's consumer timeout.`,
  inject: freeze.inject,
  heal: freeze.heal,
  prove(fault, wire) {
    const end = fault.healedAt ?? Number.POSITIVE_INFINITY;
    const error = wire
      .filter(isFrame)
      .find(
        (f) =>
          f.link === fault.link &&
          f.direction === "from-broker" &&
          f.command === "ERROR" &&
          f.at > fault.invokedAt &&
          f.at < end &&
          /timed? ?out|timeout/i.test(`${f.headers.message ?? ""} ${f.text ?? ""}`),
      );
    return error
      ? {
          landed: true,
          at: error.at,
          effect: `the broker's ERROR "${(error.text ?? error.headers.message ?? "").trim()}" ${Math.round(error.at - fault.invokedAt)} ms after the hang`,
        }
      : { landed: false, why: `no consumer-timeout ERROR reached ${fault.link} while it hung` };
  },
};
