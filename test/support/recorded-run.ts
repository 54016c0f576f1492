import type { Verdict } from "../../harness/checker/checker.js";
import { CHECKERS } from "../../harness/checker/index.js";
import { checkInput, judge, type Recordings, readRecordings } from "../../harness/run/judge-run.js";
import type { WireFrame } from "../../harness/wire/wire-query.js";

/** Every check but the output oracle: a recorded fixture keeps no audio. */
export const NOT_OUTPUT = CHECKERS.filter((c) => c.name !== "output-oracle");

export const fixture = (name: string) => new URL(`../fixtures/runs/${name}`, import.meta.url).pathname;

/** A recorded run (test/fixtures/runs/<name>), edited, judged by every check but the output oracle. */
export async function judged(
  name: string,
  edit: (r: Recordings) => void = () => {},
): Promise<Record<string, Verdict>> {
  const recordings = readRecordings(fixture(name));
  edit(recordings);
  const verdicts = await judge(checkInput(recordings), NOT_OUTPUT);
  return Object.fromEntries(verdicts.map((v) => [v.check, v]));
}

export const frames = (r: Recordings) => r.wire.filter((e): e is WireFrame => e.kind === "frame");
