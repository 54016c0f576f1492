import { execFileSync } from "node:child_process";

/**
 * A stereo song made by ffmpeg (for the demo and the tests): a centred voice-like tone with vibrato, centred bass,
 * instruments panned left and right, and percussive noise bursts every half second.
 */
export function makeSong(
  path: string,
  seconds: number,
  opts: { title?: string; artist?: string } = {},
): string {
  const voice = "0.25*sin(2*PI*(440*t+3*sin(2*PI*5*t)))";
  const bass = "0.2*sin(2*PI*55*t)";
  const burst = (seed: number) => `0.3*(random(${seed})*2-1)*lt(mod(t\\,0.5)\\,0.03)`;
  const left = `${voice}+${bass}+0.2*sin(2*PI*330*t)+0.05*sin(2*PI*550*t)+${burst(0)}`;
  const right = `${voice}+${bass}+0.05*sin(2*PI*330*t)+0.2*sin(2*PI*550*t)+${burst(1)}`;
  execFileSync("ffmpeg", [
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `aevalsrc=exprs='${left}|${right}':s=44100:d=${seconds}`,
    ...(opts.title ? ["-metadata", `title=${opts.title}`] : []),
    ...(opts.artist ? ["-metadata", `artist=${opts.artist}`] : []),
    path,
  ]);
  return path;
}
