import type { Checker } from "./checker.js";

/** The checks judge the harness's own record: a gap in it (a torn line, a link it could not decode) leaves them unable to tell. */
export const historyComplete: Checker = {
  name: "history-complete",
  judgesFrom: [],
  title: "the harness's own record (wire.jsonl, history.jsonl) is whole",
  check(input) {
    const frames = input.wire.filter((e) => e.kind === "frame").length;
    return input.gaps.length === 0
      ? {
          status: "pass",
          summary: `${frames} frames on ${new Set(input.wire.map((e) => e.connection)).size} connections, ${input.ops.length} operations`,
          figures: { frames, operations: input.ops.length },
        }
      : {
          status: "unknown",
          summary: `${input.gaps.length} gaps in the record: ${input.gaps[0].what}`,
          witness: input.gaps.slice(0, 20),
          figures: { frames, operations: input.ops.length },
        };
  },
};
