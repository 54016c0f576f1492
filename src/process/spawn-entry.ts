import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { execa, type ResultPromise } from "execa";

// Resolved by path rather than import.meta.resolve, which the test runner's module loader lacks.
const TSX = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/loader.mjs"),
).href;

/** Path of a CLI entry in src/cli, run by a child Node with the tsx loader (no build step). */
export const cliEntry = (name: string) => fileURLToPath(new URL(`../cli/${name}.ts`, import.meta.url));

export type Child = ResultPromise<{ reject: false; stdio: ["ignore", "pipe", "pipe"]; buffer: false }>;

/** Starts `src/cli/<name>.ts` as a real process, watched by ENCORE_PARENT_PID so it cannot outlive us. */
export const spawnEntry = (name: string, args: string[], env: Record<string, string>): Child =>
  spawnScript(cliEntry(name), args, env);

/** Starts any TypeScript file as a process the same way (the harness runs its own entries with it). */
export function spawnScript(file: string, args: string[], env: Record<string, string>): Child {
  return execa(process.execPath, ["--import", TSX, file, ...args], {
    env: { ...env, ENCORE_PARENT_PID: String(process.pid) },
    stdio: ["ignore", "pipe", "pipe"],
    reject: false,
    buffer: false,
    // Escalation to SIGKILL is stopChild's decision, with its own grace period.
    forceKillAfterDelay: false,
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
