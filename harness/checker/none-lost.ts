import { type ChunkLedger, chunkWire } from "../history/ledger.js";
import { type Checker, type CheckInput, finishingSongs } from "./checker.js";

/** Chunk indexes of the songs that must finish that no job SEND on the wire ever named. */
export function missingChunks(input: CheckInput): { song: string; music: number | null; chunk: number }[] {
  return finishingSongs(input).flatMap((s) =>
    Array.from({ length: s.chunks }, (_, chunk) => chunk)
      .filter(
        (chunk) => !input.ledger.some((c) => c.music === s.musicId && c.chunk === chunk && c.published > 0),
      )
      .map((chunk) => ({ song: s.label, music: s.musicId, chunk })),
  );
}

/** The ledger's chunks of the songs that must finish. */
export const finishingChunks = (input: CheckInput) => {
  const ids = new Set(finishingSongs(input).map((s) => s.musicId));
  return input.ledger.filter((c) => ids.has(c.music));
};

const lostWhy = (c: ChunkLedger): string | undefined =>
  c.resultsPublished === 0
    ? `Job[${c.job}] (chunk ${c.chunk}): no result ever reached the broker: it is lost`
    : c.resultsAcked === 0
      ? `Job[${c.job}] (chunk ${c.chunk}): ${c.resultsPublished} results reached the broker, the server ACKed none`
      : c.resultsAcked < c.resultsReceipted
        ? `Job[${c.job}]: the broker confirmed ${c.resultsReceipted} results, the server ACKed only ${c.resultsAcked}`
        : undefined;

/**
 * From the wire: every chunk's result reached the broker and the server took it (ACKed it on the connection
 * that delivered it); every result the broker confirmed was taken. That exactly one was merged is the output
 * oracle's to prove: a chunk merged twice or not at all changes the output.
 */
export const noneLost: Checker = {
  name: "none-lost",
  judgesFrom: ["wire"],
  trustsBroker: true,
  title:
    "no chunk lost: each chunk of every song that must finish was published, its result reached the broker and the server ACKed it",
  check(input) {
    const chunks = finishingChunks(input);
    const bad = chunks.filter((c) => lostWhy(c) !== undefined);
    const missing = missingChunks(input);
    const first = bad[0];
    const extra = chunks.reduce((n, c) => n + c.duplicatesDropped, 0);
    const songs = finishingSongs(input).length;
    const ok = bad.length === 0 && missing.length === 0 && (chunks.length > 0 || songs === 0);
    return {
      status: ok ? "pass" : "fail",
      summary: first
        ? (lostWhy(first) ?? "")
        : missing.length > 0
          ? `${missing.length} chunks were never published: chunk ${missing[0].chunk} of song ${missing[0].song} (Music[${missing[0].music}]) first`
          : `${chunks.length} chunks of ${songs} songs: each result reached the broker and the server ACKed it; ${extra} extra results ACKed (dropped)`,
      witness:
        missing.length > 0 && !first
          ? { missing }
          : first && {
              job: first.job,
              chunk: first.chunk,
              deliveries: first.deliveries,
              history: chunkWire(input.wire, first.job, input.origin),
            },
      figures: {
        taken: chunks.filter((c) => c.resultsAcked >= 1).length,
        extraResults: extra,
      },
    };
  },
};
