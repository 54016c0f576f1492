import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";
import { type Child, spawnScript } from "../../src/process/spawn-entry.js";

export const SCENARIO_CLI = fileURLToPath(new URL("../../harness/cli/scenario.ts", import.meta.url));

export interface CliRun {
  code: number | undefined;
  output: string;
  outDir: string;
  report: () => ReportJson;
}

export interface ReportJson {
  verdict: string;
  seed: number;
  environment: { broker: { kind: string; image?: string | null }; toxiproxy: { kind: string } };
  checks: {
    check: string;
    ok: boolean;
    summary: string;
    witness?: { job?: number; history?: { frame: string }[] };
  }[];
  detections: {
    fault: string;
    worker?: string;
    detectionMs: number | null;
    boundMs: number | null;
    job: number | null;
  }[];
  faults: { fault: string; worker?: string; at: number; healedAt?: number }[];
  chunks: {
    job: number;
    deliveries: { worker: string; at: number; redelivered: boolean; outcome: string }[];
    resultsAcked: number;
    duplicatesDropped: number;
  }[];
  timings: { wallMs: number };
}

/**
 * Runs `npm run scenario` as a real process (as a user would), its report in a temp dir. The dir is removed
 * when the test passes; a failing test keeps it and prints where it is.
 */
export const runScenarioCli = (
  args: string[],
  onLine?: (line: string, child: Child) => void,
  env: Record<string, string> = {},
): Promise<CliRun> => runHarnessCli(SCENARIO_CLI, args, onLine, env);

export const GATE_CLI = fileURLToPath(new URL("../../harness/cli/gate.ts", import.meta.url));

/** Runs a harness command (`npm run scenario`, `npm run gate`) the same way, with --out in a temp dir. */
export async function runHarnessCli(
  cli: string,
  args: string[],
  onLine?: (line: string, child: Child) => void,
  env: Record<string, string> = {},
): Promise<CliRun> {
  const outDir = mkdtempSync(join(tmpdir(), "encore-scenario-test-"));
  onTestFinished(({ task }) => {
    if (task.result?.state === "pass") rmSync(outDir, { recursive: true, force: true });
    else process.stderr.write(`${task.name}: the run's reports are kept in ${outDir}\n`);
  });
  const child = spawnScript(cli, [...args, "--out", outDir], {
    ...(process.env as Record<string, string>),
    ...env,
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    if (process.env.ENCORE_TEST_LOG) process.stdout.write(text);
    for (const line of text.split("\n")) onLine?.(line, child);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const result = await child;
  return {
    code: result.exitCode,
    output,
    outDir,
    report: () => JSON.parse(readFileSync(join(outDir, "report.json"), "utf8")) as ReportJson,
  };
}
