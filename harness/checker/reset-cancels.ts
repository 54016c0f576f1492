import { chunkWire } from "../history/ledger.js";
import { isFrame } from "../wire/wire-query.js";
import type { Checker } from "./checker.js";

/**
 * After POST /reset answered: every song uploaded before it is gone (GET answers 404), and no job of those
 * songs is worked on any more: a delivery of one that starts after the reset must be ACKed without a result
 * (cancelled) or end with its connection (unfinished). Songs uploaded after the reset are judged like any
 * other (liveness, output oracle). From the client's own calls and the wire.
 */
export const resetCancels: Checker = {
  name: "reset-cancels",
  judgesFrom: ["wire", "operations"],
  title:
    "after a reset, old songs are gone and no old job is worked on: each later delivery ends cancelled or unfinished",
  check(input) {
    const resets = input.ops.filter((o) => o.f === "reset" && o.type === "ok");
    if (resets.length === 0) return { status: "pass", summary: "no reset in this run" };
    const gone = input.songs.filter((s) => s.expect === "gone");
    const problems: { song?: string; job?: number; why: string; history?: unknown }[] = [];
    // A song the client could not read after the reset (the server down): nobody can tell whether it is gone.
    const unread = gone.filter((s) => !s.afterReset && s.musicId !== null);
    for (const s of gone) {
      if (s.afterReset && s.afterReset.status !== 404)
        problems.push({
          song: s.label,
          why: `GET /music/${s.musicId} answered ${s.afterReset.status}${s.afterReset.songStatus ? ` (${s.afterReset.songStatus})` : ""} after the reset, not 404`,
        });
    }
    const resetAt = Math.min(...resets.map((r) => r.at)) - input.origin;
    const goneMusic = new Set(gone.map((s) => s.musicId));
    const resultSends = input.wire.filter(
      (e) =>
        isFrame(e) &&
        e.command === "SEND" &&
        e.headers.destination === input.queues.results &&
        e.headers["encore-type"] === "job-done",
    );
    let later = 0;
    for (const chunk of input.ledger.filter((c) => goneMusic.has(c.music))) {
      for (const d of chunk.deliveries.filter((x) => x.at > resetAt)) {
        later++;
        const worked = resultSends.find(
          (f) =>
            isFrame(f) &&
            f.headers["job-id"] === String(chunk.job) &&
            f.link === d.link &&
            f.at - input.origin >= d.at &&
            f.at - input.origin <= (d.endedAt ?? Number.POSITIVE_INFINITY),
        );
        if (worked)
          problems.push({
            job: chunk.job,
            why: `Job[${chunk.job}] of a reset song was delivered to ${d.link} ${Math.round(d.at - resetAt)} ms after the reset and worked on: its result was sent`,
            history: chunkWire(input.wire, chunk.job, input.origin),
          });
      }
    }
    const first = problems[0];
    const cannotTell = gone.length === 0 || unread.length > 0;
    return {
      status: problems.length > 0 ? "fail" : cannotTell ? "unknown" : "pass",
      summary: first
        ? `${first.song ? `song ${first.song}: ` : ""}${first.why}`
        : gone.length === 0
          ? "a reset was done, but no song was uploaded before it: nothing to judge"
          : unread.length > 0
            ? `the client could not read Music[${unread[0].musicId}] after the reset: whether it is gone cannot be told`
            : `${gone.length} songs gone after the reset (404); ${later} later deliveries of their jobs, none worked on`,
      witness: first && problems,
      figures: { goneSongs: gone.length, laterDeliveries: later },
    };
  },
};
