import { execa } from "execa";
import { LocalBroker } from "../../src/broker/local-broker.js";
import { loadSettings, settingsEnv } from "../../src/config/settings.js";
import { forwardLines } from "../../src/process/forward-output.js";
import { cliEntry, nodeArgsFor, stopChild } from "../../src/process/spawn-entry.js";
import { statusMb } from "../proc-status.js";
import { median } from "../scenario-runs.js";
import { type Benchmark, figure } from "../suite/benchmark.js";

const WORKERS = 12;
const ROUNDS = 3;

interface Start {
  allConnectedMs: number;
  maxRssMb: number;
}

/** Spawns the workers at once; resolves when every one has logged "connected", with the largest RSS then. */
async function startWorkers(compiled: boolean, env: Record<string, string>): Promise<Start> {
  const started = performance.now();
  const children = Array.from({ length: WORKERS }, () =>
    execa(process.execPath, nodeArgsFor(cliEntry("worker"), compiled), {
      env: { ...env, ENCORE_PARENT_PID: String(process.pid) },
      stdio: ["ignore", "pipe", "pipe"],
      reject: false,
      buffer: false,
    }),
  );
  try {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            forwardLines(child.stdout, (line) => {
              if (/Worker\[\w+\] connected/.test(line)) resolve();
            });
            void child.then((r) =>
              reject(new Error(`a worker exited before connecting (exit ${r.exitCode})`)),
            );
          }),
      ),
    );
    const allConnectedMs = performance.now() - started;
    return { allConnectedMs, maxRssMb: Math.max(...children.map((c) => statusMb(c.pid ?? 0, "VmRSS"))) };
  } finally {
    await Promise.all(children.map((child) => stopChild(child, 3000)));
  }
}

/** 12 workers from spawn to connected on a broker already up: the build's JavaScript against tsx, alternating. */
export const workerStart: Benchmark = {
  name: "worker-start",
  description: `${WORKERS} workers spawned at once until all are connected, compiled against tsx (median of ${ROUNDS})`,
  async run() {
    const broker = await LocalBroker.start({ log: { info: () => {}, warn: () => {}, error: () => {} } });
    try {
      const settings = loadSettings([], process.env, {
        brokerHost: broker.host,
        brokerStompPort: String(broker.stompPort),
        queuePrefix: "bench-worker-start",
      });
      const env = { ...process.env, ...settingsEnv(settings) } as Record<string, string>;
      const tsx: Start[] = [];
      const compiled: Start[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        tsx.push(await startWorkers(false, env));
        compiled.push(await startWorkers(true, env));
      }
      const ms = (runs: Start[]) => median(runs.map((r) => r.allConnectedMs)) / 1000;
      const mb = (runs: Start[]) => median(runs.map((r) => r.maxRssMb));
      return [
        figure(
          `${WORKERS} workers connected after spawn`,
          "s",
          ms(compiled),
          { label: "under tsx", value: ms(tsx) },
          "lower",
          { text: "≤ 3 s after the broker is ready", reached: (s) => s <= 3 },
        ),
        figure(
          "largest worker RSS once connected",
          "MB",
          mb(compiled),
          { label: "under tsx", value: mb(tsx) },
          "lower",
        ),
      ];
    } finally {
      await broker.stop();
    }
  },
};
