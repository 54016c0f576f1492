import { readdirSync, readFileSync } from "node:fs";

/** A process's state letter (R, S, T, Z, …) and process group from /proc, or undefined once it is gone. */
export function procStat(pid: number): { state: string; group: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The fields follow the command name, which may contain spaces and parentheses.
    const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: state ?? "", group: Number(group) };
  } catch {
    return undefined;
  }
}

/** The pids of the group's processes, zombies included. */
export const groupMembers = (group: number): number[] =>
  readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => procStat(pid)?.group === group);

/**
 * Whether the process still runs: some thread of it is not a zombie. A multi-threaded process's first thread
 * shows Z as soon as it exits, while the others still run and hold its sockets; the process's files close only
 * when its last thread is gone.
 */
export function processRuns(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).some((tid) => {
      const state = procStat(Number(tid))?.state;
      return state !== undefined && state !== "Z" && state !== "X";
    });
  } catch {
    return false;
  }
}

/**
 * Whether any process of the group still runs. A zombie does not: it holds no port or registration any
 * more, and an orphaned one waits for PID 1 to reap it, which took over a second in these containers.
 */
export const groupRuns = (group: number): boolean => groupMembers(group).some(processRuns);
