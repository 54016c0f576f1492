import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";

const TSX = import.meta.resolve("tsx");

/** Path of a CLI entry in src/cli, run by a child Node with the tsx loader (no build step). */
export const cliEntry = (name: string) => fileURLToPath(new URL(`../cli/${name}.ts`, import.meta.url));

export type Child = ResultPromise<{ reject: false; stdio: ["ignore", "pipe", "pipe"]; buffer: false }>;

/** Starts `src/cli/<name>.ts` as a real process, watched by ENCORE_PARENT_PID so it cannot outlive us. */
export function spawnEntry(name: string, args: string[], env: Record<string, string>): Child {
  return execa(process.execPath, ["--import", TSX, cliEntry(name), ...args], {
    env: { ...env, ENCORE_PARENT_PID: String(process.pid) },
    stdio: ["ignore", "pipe", "pipe"],
    reject: false,
    buffer: false,
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await child;
  clearTimeout(timer);
}
