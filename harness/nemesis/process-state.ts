import { monotonicMs } from "../../src/events/event-log.js";
import { procStat } from "../../src/process/proc-stat.js";

/** The process's state letter from /proc (R, S, T, Z, …), or undefined once it is gone. */
export const processState = (pid: number): string | undefined => procStat(pid)?.state;

export const isAlive = (pid: number) => {
  const state = processState(pid);
  return state !== undefined && state !== "Z" && state !== "X";
};

/** Polls until `seen(state)` holds; the monotonic time it first held, or undefined after `timeoutMs`. */
export async function awaitState(
  pid: number,
  seen: (state: string | undefined) => boolean,
  timeoutMs: number,
): Promise<number | undefined> {
  const deadline = monotonicMs() + timeoutMs;
  for (;;) {
    if (seen(processState(pid))) return monotonicMs();
    if (monotonicMs() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Sends a signal to a live process; a process already gone (or a zombie) is a fault that cannot land. */
export function signalLive(pid: number, signal: NodeJS.Signals): boolean {
  if (pid <= 0 || !isAlive(pid)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
