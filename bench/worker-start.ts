import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { LocalBroker } from "../src/broker/local-broker.js";
import { loadSettings, settingsEnv } from "../src/config/settings.js";
import { forwardLines } from "../src/process/forward-output.js";
import { cliEntry, nodeArgsFor, stopChild } from "../src/process/spawn-entry.js";

/**
 * How long N workers take from spawn to "connected" on a broker that is already up, run as tsx source and as
 * the build's JavaScript side by side (alternating, `--rounds` each), with each worker's RSS once connected.
 *
 *   npm run bench:worker-start -- [--workers 12] [--rounds 3]
 */
const { values } = parseArgs({
  options: { workers: { type: "string", default: "12" }, rounds: { type: "string", default: "3" } },
});
const count = Number(values.workers);
const rounds = Number(values.rounds);
if (!Number.isInteger(count) || count < 1)
  throw new Error(`--workers must be a whole number from 1, got ${values.workers}`);
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`--rounds must be a whole number from 1, got ${values.rounds}`);

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

interface StartFigures {
  allConnectedMs: number;
  maxRssMb: number;
}

async function startWorkers(compiled: boolean, env: Record<string, string>): Promise<StartFigures> {
  const started = performance.now();
  const children = Array.from({ length: count }, () =>
    execa(process.execPath, nodeArgsFor(cliEntry("worker"), compiled), {
      env: { ...env, ENCORE_PARENT_PID: String(process.pid) },
      stdio: ["ignore", "pipe", "pipe"],
      reject: false,
      buffer: false,
    }),
  );
  try {
    const connected = children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          forwardLines(child.stdout, (line) => {
            if (/Worker\[\w+\] connected/.test(line)) resolve();
          });
          void child.then((r) => reject(new Error(`a worker exited before connecting (exit ${r.exitCode})`)));
        }),
    );
    await Promise.all(connected);
    const allConnectedMs = performance.now() - started;
    return { allConnectedMs, maxRssMb: Math.max(...children.map((c) => rssMb(c.pid ?? 0))) };
  } finally {
    await Promise.all(children.map((child) => stopChild(child, 3000)));
  }
}

const broker = await LocalBroker.start({ log: { info: () => {}, warn: () => {}, error: () => {} } });
try {
  const settings = loadSettings([], process.env, {
    brokerHost: broker.host,
    brokerStompPort: String(broker.stompPort),
    queuePrefix: "worker-start-bench",
  });
  const env = { ...process.env, ...settingsEnv(settings) } as Record<string, string>;
  const figures = { tsx: [] as StartFigures[], compiled: [] as StartFigures[] };
  for (let round = 0; round < rounds; round++) {
    figures.tsx.push(await startWorkers(false, env));
    figures.compiled.push(await startWorkers(true, env));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const row = (name: string, runs: StartFigures[]) =>
    `${name.padEnd(9)} ${count} workers connected in ${(median(runs.map((r) => r.allConnectedMs)) / 1000).toFixed(2)} s (median of ${rounds}: ${runs.map((r) => (r.allConnectedMs / 1000).toFixed(2)).join(", ")}), largest RSS ${median(runs.map((r) => r.maxRssMb)).toFixed(0)} MB`;
  process.stdout.write(`${row("tsx", figures.tsx)}\n${row("compiled", figures.compiled)}\n`);
  const ratio =
    median(figures.tsx.map((r) => r.allConnectedMs)) / median(figures.compiled.map((r) => r.allConnectedMs));
  process.stdout.write(`compiled starts ${ratio.toFixed(2)}× faster than tsx\n`);
} finally {
  await broker.stop();
}
