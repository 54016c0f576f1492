import { once } from "node:events";
import { stat, truncate } from "node:fs/promises";
import { PassThrough } from "node:stream";
import ffmpeg from "fluent-ffmpeg";
import { BYTES_PER_FRAME, CHANNELS, SAMPLE_RATE } from "./pcm.js";

/** All ffmpeg use goes through this module (fluent-ffmpeg over Debian's ffmpeg binary). */

export interface AudioInfo {
  title?: string;
  artist?: string;
  durationSeconds?: number;
}

export class NotAudioError extends Error {}

export function probe(path: string): Promise<AudioInfo> {
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(path, (error, data) => {
      if (error) {
        reject(new NotAudioError(`not an audio file ffmpeg can read (${firstLine(error)})`));
        return;
      }
      if (!data.streams.some((s) => s.codec_type === "audio")) {
        reject(new NotAudioError("the file has no audio stream"));
        return;
      }
      const tags = { ...lowerKeys(data.format.tags), ...lowerKeys(data.streams[0]?.tags) };
      const duration = Number(data.format.duration);
      resolve({
        title: stringTag(tags.title),
        artist: stringTag(tags.artist ?? tags.album_artist),
        durationSeconds: Number.isFinite(duration) ? duration : undefined,
      });
    });
  });
}

/** Decodes any format ffmpeg reads into 16-bit interleaved stereo at SAMPLE_RATE. */
export async function decodeToPcm(path: string): Promise<Int16Array> {
  return (await decodeAudio(path)).samples;
}

export interface DecodedAudio {
  samples: Int16Array;
  /** What ffmpeg reported as errors while decoding (damaged frames, data it skipped); empty for a sound file. */
  errors: string[];
}

/** ffmpeg decoding to raw PCM, stopping after `maxSeconds` when given, its error reports collected. */
function pcmCommand(path: string, maxSeconds: number | undefined, errors: string[]) {
  const command = ffmpeg(path)
    // At this level every line ffmpeg writes is an error it met (and decoded past).
    .inputOptions(["-v", "error"])
    .noVideo()
    .audioChannels(CHANNELS)
    .audioFrequency(SAMPLE_RATE)
    .audioCodec("pcm_s16le")
    .format("s16le");
  if (maxSeconds !== undefined) command.duration(maxSeconds);
  return command.on("stderr", (line: string) => {
    if (line.trim() !== "") errors.push(line.trim());
  });
}

/** decodeToPcm, stopping after `maxSeconds` when given, and keeping ffmpeg's error reports. */
export function decodeAudio(path: string, maxSeconds?: number): Promise<DecodedAudio> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const errors: string[] = [];
    const out = new PassThrough();
    out.on("data", (c: Buffer) => chunks.push(c));
    pcmCommand(path, maxSeconds, errors)
      .on("error", (error: Error) =>
        reject(new NotAudioError(`ffmpeg could not decode the audio (${firstLine(error)})`)),
      )
      .on("end", () => {
        const all = Buffer.concat(chunks);
        const whole = all.length - (all.length % BYTES_PER_FRAME);
        resolve({ samples: new Int16Array(Uint8Array.prototype.slice.call(all, 0, whole).buffer), errors });
      })
      .pipe(out, { end: true });
  });
}

/**
 * decodeAudio into a file instead of memory (an hour of audio is 635 MB of PCM): ffmpeg writes it, cut to whole
 * frames; resolves with their count and ffmpeg's error reports.
 */
export async function decodeAudioToFile(
  path: string,
  pcmFile: string,
  maxSeconds?: number,
): Promise<{ frames: number; errors: string[] }> {
  const errors: string[] = [];
  await new Promise<void>((resolve, reject) => {
    pcmCommand(path, maxSeconds, errors)
      .on("error", (error: Error) =>
        reject(new NotAudioError(`ffmpeg could not decode the audio (${firstLine(error)})`)),
      )
      .on("end", () => resolve())
      .save(pcmFile);
  });
  const { size } = await stat(pcmFile);
  if (size % BYTES_PER_FRAME !== 0) await truncate(pcmFile, size - (size % BYTES_PER_FRAME));
  return { frames: Math.floor(size / BYTES_PER_FRAME), errors };
}

/** An MP3 encoder fed 16-bit interleaved stereo PCM at SAMPLE_RATE as it is made. */
export interface Mp3Encoder {
  /** Resolves once ffmpeg has room for more; rejects when ffmpeg has failed. */
  write(pcm: Buffer): Promise<void>;
  /** Ends the input and resolves once `mp3Path` is written whole. */
  finish(): Promise<void>;
  /** Stops ffmpeg; what it wrote is left for the caller to remove. */
  abort(): Promise<void>;
}

/**
 * The same encoding as encodeMp3, of PCM handed in while it is made: the merge feeds it block by block, so the
 * MP3 is done about when the merge is, not a whole encode later.
 */
export function mp3Encoder(mp3Path: string): Mp3Encoder {
  // Room for a few of the merge's blocks, so it runs ahead of the encoder instead of in step with it.
  const input = new PassThrough({ highWaterMark: 8 * 2 ** 20 });
  let failure: Error | undefined;
  let aborted = false;
  const command = mp3Command(
    ffmpeg(input)
      .inputFormat("s16le")
      .inputOptions(["-ar", String(SAMPLE_RATE), "-ac", String(CHANNELS)]),
  );
  const done = new Promise<void>((resolve, reject) => {
    command
      // fluent-ffmpeg starts ffmpeg a moment after save(): an abort before that cannot kill it, so it is killed here.
      .on("start", () => {
        if (aborted) command.kill("SIGKILL");
      })
      .on("error", (error: Error) => {
        failure = new Error(`mp3 encoding failed: ${firstLine(error)}`);
        // The stdin pipe may still hold what ffmpeg never read: nothing is written into it after this.
        input.destroy();
        reject(failure);
      })
      .on("end", () => resolve())
      .save(mp3Path);
  });
  // Seen only through write() and finish(); an abort's kill is expected.
  done.catch(() => {});
  return {
    async write(pcm) {
      if (failure) throw failure;
      if (!input.write(pcm)) await Promise.race([once(input, "drain"), done]);
      if (failure) throw failure;
    },
    async finish() {
      input.end();
      await done;
    },
    async abort() {
      aborted = true;
      // Ended, too: ffmpeg then stops even if it was killed before it started reading.
      input.end();
      command.kill("SIGKILL");
      await done.catch(() => {});
    },
  };
}

export function encodeMp3(wavPath: string, mp3Path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    mp3Command(ffmpeg(wavPath))
      .on("error", (error: Error) => reject(new Error(`mp3 encoding failed: ${firstLine(error)}`)))
      .on("end", () => resolve())
      .save(mp3Path);
  });
}

const mp3Command = (command: ffmpeg.FfmpegCommand) =>
  command.audioCodec("libmp3lame").audioBitrate(192).format("mp3");
const firstLine = (error: Error) => String(error.message).split("\n")[0];
const stringTag = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
const lowerKeys = (tags: Record<string, unknown> | undefined) =>
  Object.fromEntries(Object.entries(tags ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
