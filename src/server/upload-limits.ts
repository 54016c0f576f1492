import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { CHANNELS, SAMPLE_RATE, STEM_NAMES } from "../audio/pcm.js";
import { MAX_STEM_BYTES_PER_FRAME } from "../audio/stem-codec.js";
import { HttpError } from "./http-error.js";

/** What an upload must stay within before any of its work is queued (settings MAX_SONG_SECONDS, …). */
export interface UploadLimits {
  maxSongSeconds: number;
  maxStoredBytes: number;
  allowPartialAudio: boolean;
}

/**
 * Disk a song needs per frame: its PCM, the results of its chunks at their widest (context overlap not counted: it
 * is small),
 * and the served outputs (a WAV per stem and the final mix). The MP3 is a few percent of that.
 */
export const STORED_BYTES_PER_FRAME =
  CHANNELS * 2 + MAX_STEM_BYTES_PER_FRAME + (STEM_NAMES.length + 1) * CHANNELS * 2;

/** A decoded length this far below what the container declares is a damaged or truncated file. */
const PARTIAL_BELOW = 0.9;

const secondsText = (s: number) => `${s.toFixed(2)} s`;

export function checkDeclaredLength(declaredSeconds: number | undefined, limits: UploadLimits): void {
  if (declaredSeconds !== undefined && declaredSeconds > limits.maxSongSeconds)
    tooLong(declaredSeconds, limits);
}

/** After decoding (stopped just past the limit): too long, or only part of the file decoded. */
export function checkDecoded(
  decodedSeconds: number,
  declaredSeconds: number | undefined,
  errors: readonly string[],
  limits: UploadLimits,
): void {
  if (decodedSeconds > limits.maxSongSeconds) tooLong(decodedSeconds, limits, "at least ");
  if (limits.allowPartialAudio) return;
  const allow = "(ALLOW_PARTIAL_AUDIO=true keeps what could be decoded)";
  if (declaredSeconds !== undefined && decodedSeconds < PARTIAL_BELOW * declaredSeconds) {
    throw new HttpError(
      422,
      `the file is damaged or truncated: ffmpeg decoded only ${secondsText(decodedSeconds)} of the ${secondsText(declaredSeconds)} it declares ${allow}`,
    );
  }
  if (errors.length > 0) {
    throw new HttpError(
      422,
      `the file is damaged: ffmpeg reported ${errors.length} decode error${errors.length === 1 ? "" : "s"}, the first: "${errors[0]}" ${allow}`,
    );
  }
}

/** The song's estimated needs on top of what DATA_DIR already holds must fit MAX_STORED_MB. */
export async function checkDiskBudget(dataDir: string, seconds: number, limits: UploadLimits): Promise<void> {
  const needed = Math.ceil(seconds * SAMPLE_RATE) * STORED_BYTES_PER_FRAME;
  const used = await bytesUnder(dataDir);
  if (used + needed > limits.maxStoredBytes) {
    const mb = (bytes: number) => `${Math.ceil(bytes / 2 ** 20)} MB`;
    throw new HttpError(
      422,
      `no room for this song: it needs about ${mb(needed)} and ${mb(used)} of the disk budget MAX_STORED_MB=${mb(limits.maxStoredBytes)} are in use (POST /reset frees it)`,
    );
  }
}

function tooLong(seconds: number, limits: UploadLimits, qualifier = ""): never {
  throw new HttpError(
    422,
    `the song is ${qualifier}${secondsText(seconds)} long, longer than MAX_SONG_SECONDS=${limits.maxSongSeconds}`,
  );
}

async function bytesUnder(path: string): Promise<number> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) total += await bytesUnder(child);
    else total += (await stat(child).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
