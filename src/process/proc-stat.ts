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

/** The state letter of each process in the group, zombies included. */
export function groupStates(group: number): string[] {
  const states: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat?.group === group) states.push(stat.state);
  }
  return states;
}

/**
 * Whether any process of the group still runs. A zombie does not: it holds no port or registration any
 * more, and an orphaned one waits for PID 1 to reap it, which took over a second in these containers.
 */
export const groupRuns = (group: number): boolean =>
  groupStates(group).some((state) => state !== "Z" && state !== "X");
