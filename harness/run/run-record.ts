import type { CheckInput, Verdict } from "../checker/checker.js";

/** Everything a finished run produced; the reports are written from this alone. */
export interface RunRecord {
  input: CheckInput;
  checks: Verdict[];
  ok: boolean;
  seed: number;
  replay: string;
  environment: { broker: { kind: string; description: string; why: string } };
  timings: {
    startedAt: string;
    brokerReadyMs: number;
    clusterReadyMs: number;
    songMs: number | null;
    referenceMs: number | null;
    wallMs: number;
  };
  timeline: string[];
}
