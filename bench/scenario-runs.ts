import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromRoot } from "../src/process/project-paths.js";
import { nodeArgsFor } from "../src/process/spawn-entry.js";

const CLI = fromRoot("harness/cli/scenario.ts");

export interface ScenarioRun {
  code: number | null;
  verdict: string;
  /** Jobs sent → song done, ms; null if it did not finish. */
  songMs: number | null;
  wallMs: number;
  /** The CLI process from spawn to exit, ms: the wall time a user waits. */
  processMs: number;
  /** Each check's status and summary, for a line per run. */
  checks: { check: string; status: string; summary: string }[];
  /** The run's folder, kept when it did not pass. */
  dir?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/**
 * One `npm run scenario` as a child process, its report read back. The folder is removed when it passed, or
 * always when `keepFailures` is false. `compiled: false` runs the harness and its processes under tsx.
 */
export async function runScenario(
  args: readonly string[],
  keepFailures = true,
  compiled?: boolean,
): Promise<ScenarioRun> {
  const dir = mkdtempSync(join(tmpdir(), "encore-bench-run-"));
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgsFor(CLI, compiled), ...args, "--out", dir], {
    stdio: "ignore",
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const processMs = performance.now() - started;
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
  } catch {
    report = undefined;
  }
  const song = isRecord(report) && isRecord(report.song) ? report.song : {};
  const timings = isRecord(report) && isRecord(report.timings) ? report.timings : {};
  const checks = isRecord(report) && Array.isArray(report.checks) ? report.checks.filter(isRecord) : [];
  const run: ScenarioRun = {
    code,
    verdict:
      isRecord(report) && typeof report.verdict === "string" ? report.verdict : `no report (exit ${code})`,
    songMs: typeof song.elapsedMs === "number" ? song.elapsedMs : null,
    wallMs: typeof timings.wallMs === "number" ? timings.wallMs : Number.NaN,
    processMs,
    checks: checks.map((c) => ({
      check: String(c.check),
      status: String(c.status),
      summary: String(c.summary),
    })),
  };
  if (run.verdict === "pass" || !keepFailures) rmSync(dir, { recursive: true, force: true });
  else run.dir = dir;
  return run;
}

/** Keeps `cores` cores busy with spinning processes until stopped, or this process ends (Ctrl-C, a kill). */
export function burnCpu(cores: number): () => void {
  const burners = Array.from({ length: cores }, () =>
    spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }),
  );
  const stop = () => {
    for (const b of burners) b.kill("SIGKILL");
  };
  process.once("exit", stop);
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      stop();
      process.exit(130);
    });
  return stop;
}

export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
