import { execFileSync } from "node:child_process";

/** Processes Encore starts: its CLIs, a private broker node (named encore-<port>), an epmd, a broker reaper. */
const OURS = /src\/cli\/\w+\.ts|beam\.smp.*encore-\d+|\bepmd\b|while kill -0 \d+/;

export function encoreProcesses(): Map<number, string> {
  const out = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  const found = new Map<number, string>();
  for (const line of out.split("\n")) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (match && OURS.test(match[2]) && Number(match[1]) !== process.pid)
      found.set(Number(match[1]), match[2].slice(0, 160));
  }
  return found;
}
