import { readFileSync } from "node:fs";

/** A memory field of /proc/PID/status (VmRSS, VmHWM, …) in MB; 0 when the process lacks it. */
export function statusMb(pid: number | "self", field: string): number {
  const kB = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
    readFileSync(`/proc/${pid}/status`, "utf8"),
  )?.[1];
  return Number(kB ?? 0) / 1024;
}
