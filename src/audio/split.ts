import { CHANNELS } from "./pcm.js";

/** One chunk of a song, in frames: [start, end) is its own part, [contextStart, contextEnd) what is sent. */
export interface ChunkPlan {
  index: number;
  count: number;
  start: number;
  end: number;
  contextStart: number;
  contextEnd: number;
}

/** Splits `frames` into `count` near-equal chunks (fewer if the song is shorter), each padded by `context`. */
export function planChunks(frames: number, count: number, context: number): ChunkPlan[] {
  if (!Number.isInteger(frames) || frames < 1) throw new Error(`cannot split ${frames} frames`);
  const n = Math.max(1, Math.min(count, frames));
  return Array.from({ length: n }, (_, index) => {
    const start = Math.floor((index * frames) / n);
    const end = Math.floor(((index + 1) * frames) / n);
    return {
      index,
      count: n,
      start,
      end,
      contextStart: Math.max(0, start - context),
      contextEnd: Math.min(frames, end + context),
    };
  });
}

export interface SplitPolicy {
  mode: "per-worker" | "seconds";
  perWorker: number;
  chunkSeconds: number;
  maxChunkSeconds: number;
}

/** How many chunks a song of `frames` gets: by mode, but never chunks longer than maxChunkSeconds. */
export function chunkCount(frames: number, rate: number, policy: SplitPolicy): number {
  const seconds = policy.mode === "per-worker" ? Number.POSITIVE_INFINITY : policy.chunkSeconds;
  const longest = Math.max(1, Math.round(Math.min(seconds, policy.maxChunkSeconds) * rate));
  return Math.max(policy.mode === "per-worker" ? policy.perWorker : 1, Math.ceil(frames / longest));
}

/** The samples a chunk's job carries: its own part plus context (a view, not a copy). */
export const chunkInput = (song: Int16Array, plan: Pick<ChunkPlan, "contextStart" | "contextEnd">) =>
  song.subarray(plan.contextStart * CHANNELS, plan.contextEnd * CHANNELS);
