import { ackedOnce } from "./acked-once.js";
import { brokerOracle } from "./broker-oracle.js";
import type { Checker } from "./checker.js";
import { detection } from "./detection.js";
import { liveness } from "./liveness.js";
import { noneLost } from "./none-lost.js";
import { outputOracle } from "./output-oracle.js";

/** The checks every run is judged by, in report order. */
export const CHECKERS: readonly Checker[] = [
  ackedOnce,
  noneLost,
  brokerOracle,
  outputOracle,
  liveness,
  detection,
];
