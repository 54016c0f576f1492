import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { execa, type ResultPromise } from "execa";
import { ExplainedError } from "../log/explained-error.js";
import { compiledPath, fromRoot, RUNS_COMPILED } from "./project-paths.js";

// Resolved by path rather than import.meta.resolve, which the test runner's module loader lacks.
const TSX = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/loader.mjs"),
).href;

/**
 * Children run the build's JavaScript when we do, or when ENCORE_COMPILED=1 (the test runner sets it after
 * building): a worker under tsx takes about a second longer to start. Otherwise they run the source with tsx.
 */
const CHILDREN_COMPILED = RUNS_COMPILED || process.env.ENCORE_COMPILED === "1";

/** Path of a CLI entry's source in src/cli; spawnScript runs it compiled or with tsx. */
export const cliEntry = (name: string) => fromRoot("src", "cli", `${name}.ts`);

export type Child = ResultPromise<{ reject: false; stdio: ["ignore", "pipe", "pipe"]; buffer: false }>;

/** Starts `src/cli/<name>.ts` as a real process, watched by ENCORE_PARENT_PID so it cannot outlive us. */
export const spawnEntry = (name: string, args: string[], env: Record<string, string>): Child =>
  spawnScript(cliEntry(name), args, env);

/** The node arguments that run a TypeScript file of the project: its compiled JavaScript, or the file with tsx. */
export function nodeArgsFor(source: string, compiled = CHILDREN_COMPILED): string[] {
  if (!compiled) return ["--import", TSX, source];
  const file = compiledPath(source);
  if (!existsSync(file)) throw new ExplainedError(`${file} is missing: run npm run build`);
  return ["--enable-source-maps", file];
}

/**
 * glibc's allocator, unless the caller's environment says otherwise. By default every thread that allocates gets
 * an arena of its own, and a freed buffer above the mmap threshold raises that threshold to its size, so jobs' and
 * results' tens of MB are kept in arenas after they are freed. Measured with a 10-minute song on 4 workers
 * (`npm run bench:upload-rss -- --minutes 10`): server peak 275 → 208 MB, worker 176 → 158 MB, 9 % slower.
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: "2",
  MALLOC_MMAP_THRESHOLD_: String(8 * 2 ** 20),
};

/** Starts any TypeScript file of the project as a process the same way (the harness runs its own entries). */
export function spawnScript(source: string, args: string[], env: Record<string, string>): Child {
  return execa(process.execPath, [...nodeArgsFor(source), ...args], {
    env: {
      ...MALLOC_ENV,
      ...(process.env as Record<string, string>),
      ...env,
      ENCORE_PARENT_PID: String(process.pid),
    },
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
