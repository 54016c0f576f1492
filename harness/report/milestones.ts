import type { CheckInput } from "../checker/checker.js";

export interface Milestone {
  label: string;
  /** ms since the run started (monotonic). */
  at: number;
}

/** Event types that mark the song's progress, each shown once: the first time it happened. */
const MARKS: [type: string, label: string][] = [
  ["job-published", "jobs sent"],
  ["merge-started", "merge started"],
  ["merge-finished", "merge finished"],
  ["song-done", "song done"],
  ["song-failed", "song failed"],
];

/** The song's progress through the run, from the recorded history; marks it never reached are absent. */
export function milestones(input: Pick<CheckInput, "history" | "origin">): Milestone[] {
  return MARKS.flatMap(([type, label]) => {
    const first = input.history.find((e) => e.type === type);
    return first ? [{ label, at: first.mono - input.origin }] : [];
  });
}
