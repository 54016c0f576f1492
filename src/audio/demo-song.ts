import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";

export interface SongTones {
  voiceHz: number;
  bassHz: number;
  leftHz: number;
  rightHz: number;
}

const DEFAULT_TONES: SongTones = { voiceHz: 440, bassHz: 55, leftHz: 330, rightHz: 550 };

/**
 * A stereo song made by ffmpeg (for the demo, the tests and the harness): a centred voice-like tone with
 * vibrato, centred bass, instruments panned left and right, and percussive noise bursts every half second.
 * The same tones give the same file.
 */
export interface SongOptions {
  title?: string;
  artist?: string;
  tones?: SongTones;
}

function songArgs(path: string, seconds: number, opts: SongOptions): string[] {
  const { voiceHz, bassHz, leftHz, rightHz } = opts.tones ?? DEFAULT_TONES;
  const voice = `0.25*sin(2*PI*(${voiceHz}*t+3*sin(2*PI*5*t)))`;
  const bass = `0.2*sin(2*PI*${bassHz}*t)`;
  const burst = (seed: number) => `0.3*(random(${seed})*2-1)*lt(mod(t\\,0.5)\\,0.03)`;
  const left = `${voice}+${bass}+0.2*sin(2*PI*${leftHz}*t)+0.05*sin(2*PI*${rightHz}*t)+${burst(0)}`;
  const right = `${voice}+${bass}+0.05*sin(2*PI*${leftHz}*t)+0.2*sin(2*PI*${rightHz}*t)+${burst(1)}`;
  return [
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `aevalsrc=exprs='${left}|${right}':s=44100:d=${seconds}`,
    ...(opts.title ? ["-metadata", `title=${opts.title}`] : []),
    ...(opts.artist ? ["-metadata", `artist=${opts.artist}`] : []),
    "-bitexact",
    path,
  ];
}

export function makeSong(path: string, seconds: number, opts: SongOptions = {}): string {
  execFileSync("ffmpeg", songArgs(path, seconds, opts));
  return path;
}

/** makeSong without blocking the event loop: the harness makes its songs while it starts the broker. */
export async function makeSongAsync(path: string, seconds: number, opts: SongOptions = {}): Promise<string> {
  await promisify(execFile)("ffmpeg", songArgs(path, seconds, opts));
  return path;
}
