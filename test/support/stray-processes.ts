import { execFileSync } from "node:child_process";

/** Processes Encore starts: its CLIs, a private broker node (named encore-<port>), an epmd, a broker reaper. */
const OURS =
  /src\/cli\/\w+\.[jt]s|harness\/faulty\/[\w-]+\.[jt]s|beam\.smp.*encore-\d+|\bepmd\b|while kill -0 \d+/;

/** Live processes of ours; a zombie (already dead, waiting for its parent to reap it) is not one. */
export function encoreProcesses(): Map<number, string> {
  const out = execFileSync("ps", ["-eo", "pid=,stat=,args="], { encoding: "utf8" });
  const found = new Map<number, string>();
  for (const line of out.split("\n")) {
    const match = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!match || match[2].startsWith("Z") || !OURS.test(match[3]) || Number(match[1]) === process.pid)
      continue;
    found.set(Number(match[1]), match[3].slice(0, 160));
  }
  return found;
}
