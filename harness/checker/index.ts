import { ackedOnce } from "./acked-once.js";
import { badInputSetAside } from "./bad-input-set-aside.js";
import { brokerOracle } from "./broker-oracle.js";
import type { Checker } from "./checker.js";
import { confirmedBeforeAck } from "./confirmed-before-ack.js";
import { detection } from "./detection.js";
import { failover } from "./failover.js";
import { faultsLanded } from "./faults-landed.js";
import { historyComplete } from "./history-complete.js";
import { liveness } from "./liveness.js";
import { noneLost } from "./none-lost.js";
import { outputOracle } from "./output-oracle.js";
import { resetCancels } from "./reset-cancels.js";
import { selfReport } from "./self-report.js";
import { servesAfterHeal } from "./serves-after-heal.js";

/** The checks every run is judged by, in report order. */
export const CHECKERS: readonly Checker[] = [
  ackedOnce,
  confirmedBeforeAck,
  noneLost,
  brokerOracle,
  outputOracle,
  liveness,
  resetCancels,
  badInputSetAside,
  detection,
  faultsLanded,
  servesAfterHeal,
  failover,
  historyComplete,
  selfReport,
];
