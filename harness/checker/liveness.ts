import { resultsTaken } from "../history/wire-ledger.js";
import type { Checker, CheckInput, JudgedSong } from "./checker.js";

/**
 * Why a song that hangs with every chunk's result ACKed by the server hangs: a result ACKed just before the
 * server died, and so acknowledged to the broker without being kept.
 */
function ackedNotKept(input: CheckInput, s: JudgedSong): string | undefined {
  const chunks = input.ledger.filter((c) => c.music === s.musicId);
  if (s.done || chunks.length < s.chunks || chunks.some((c) => c.resultsAcked === 0)) return undefined;
  const acks = resultsTaken(input.wire, input.queues, s.musicId);
  for (const death of input.faults.filter((f) => f.link === "server" && f.proof.landed)) {
    const last = acks.filter((a) => a.frame.at - input.origin <= death.at).at(-1);
    if (last)
      return `every chunk's result was ACKed by the server, Job[${last.job}]'s ${Math.round(death.at - (last.frame.at - input.origin))} ms before the ${death.fault}: a result ACKed and not kept`;
  }
  return `every chunk's result was ACKed by the server, yet the song never finished`;
}

/** Why a song did not end as the harness's own actions require, within its budget; undefined if it did. */
function unfinished(s: JudgedSong): string | undefined {
  const failedClearly = s.status === "failed" && (s.error ?? "").trim().length > 0;
  const late = s.done && (s.elapsedMs ?? Number.POSITIVE_INFINITY) > s.budgetMs;
  if (s.expect === "gone") return undefined;
  if (s.expect === "done-or-failed" && failedClearly) return undefined;
  if (s.status === "failed")
    return `failed ("${(s.error ?? "").slice(0, 200)}") although nothing the harness did allows it to fail`;
  if (late) return `done after ${((s.elapsedMs ?? 0) / 1000).toFixed(2)} s, over the budget`;
  return s.done ? undefined : `not done within ${(s.budgetMs / 1000).toFixed(2)} s (status ${s.status})`;
}

/**
 * Every song ends as it must, within the scenario's budget from its jobs being sent: done (a poison copy of one
 * of its jobs is not its job), or failed with an error text where a malformed result for it allowed it. Judged
 * from the client's own polls.
 */
export const liveness: Checker = {
  name: "liveness",
  judgesFrom: ["operations"],
  trustsBroker: true,
  title:
    "every song ends within the budget: done, or failed with a clear error where a malformed result allowed it",
  check(input) {
    const songs = input.songs.filter((s) => s.expect !== "gone");
    const bad = songs.flatMap((s) => {
      const why = unfinished(s);
      const diagnosis = why && s.status !== "failed" && ackedNotKept(input, s);
      return why ? [{ song: s.label, music: s.musicId, why: diagnosis ? `${why}: ${diagnosis}` : why }] : [];
    });
    const first = bad[0];
    const slowest = Math.max(0, ...songs.map((s) => s.elapsedMs ?? 0));
    return {
      // With every song reset away nothing shows the cluster alive, nor dead: a schedule's doing, not the product's.
      status: bad.length > 0 ? "fail" : songs.length > 0 ? "pass" : "unknown",
      summary: first
        ? `song ${first.song} (Music[${first.music}]): ${first.why}`
        : songs.length === 0
          ? "no song was left to finish"
          : `${songs
              .map((s) =>
                s.done
                  ? `${s.label} done in ${((s.elapsedMs ?? 0) / 1000).toFixed(2)} s`
                  : `${s.label} failed: ${(s.error ?? "").slice(0, 120)}`,
              )
              .join("; ")} (budget ${(songs[0].budgetMs / 1000).toFixed(2)} s each)`,
      witness: first && {
        songs: bad,
        unfinished: input.ledger
          .filter((c) => c.resultsAcked === 0 && bad.some((b) => b.music === c.music))
          .map((c) => c.job),
      },
      figures: { songs: songs.length, slowestMs: slowest, budgetMs: songs[0]?.budgetMs ?? null },
    };
  },
};
