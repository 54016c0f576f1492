import { badResult } from "./bad-result.js";
import { bandwidth } from "./bandwidth.js";
import { brokerCrash } from "./broker-crash.js";
import { consumerTimeout } from "./consumer-timeout.js";
import { cut } from "./cut.js";
import { flap } from "./flap.js";
import { freeze } from "./freeze.js";
import { kill } from "./kill.js";
import { latency } from "./latency.js";
import { leaderCrash } from "./leader-crash.js";
import type { Nemesis } from "./nemesis.js";
import { nodeCrash } from "./node-crash.js";
import { nodeCut } from "./node-cut.js";
import { nodeFreeze } from "./node-freeze.js";
import { partition } from "./partition.js";
import { poisonJob } from "./poison-job.js";
import { serverKill } from "./server-kill.js";
import { serverStop } from "./server-stop.js";

/** Every fault the schedule can name. A new fault is a new file listed here. */
export const NEMESES: Readonly<Record<string, Nemesis>> = Object.fromEntries(
  [
    kill,
    freeze,
    consumerTimeout,
    partition,
    cut,
    flap,
    latency,
    bandwidth,
    brokerCrash,
    serverKill,
    serverStop,
    poisonJob,
    badResult,
    nodeCrash,
    leaderCrash,
    nodeFreeze,
    nodeCut,
  ].map((n) => [n.name, n]),
);
