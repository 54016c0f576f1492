import { type Settings, settingsEnv } from "../config/settings.js";
import type { Logger } from "../log/logger.js";
import { forwardLines } from "../process/forward-output.js";
import { type Child, spawnEntry, stopChild } from "../process/spawn-entry.js";

/**
 * N worker processes like the original's `make workers`: WORKERS_HEALTHY that stay up and WORKERS_UNHEALTHY
 * that are SIGKILLed WORKER_SIMULATE_CRASH_AFTER seconds after start (its crash simulation).
 */
export class WorkerFleet {
  private readonly children: Child[] = [];
  private crashTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly log: Logger,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  start(): void {
    const env = { ...process.env, ...settingsEnv(this.settings) } as Record<string, string>;
    const spawnWorker = () => {
      const child = spawnEntry("worker", [], env);
      forwardLines(child.stdout, this.write);
      forwardLines(child.stderr, this.write);
      this.children.push(child);
      return child;
    };
    for (let i = 0; i < this.settings.workersHealthy; i++) spawnWorker();
    const unhealthy = Array.from({ length: this.settings.workersUnhealthy }, spawnWorker);
    this.log.info(
      `Workers: started ${this.settings.workersHealthy} healthy and ${unhealthy.length} unhealthy workers`,
    );
    if (unhealthy.length > 0) {
      this.crashTimer = setTimeout(() => {
        this.log.warn(`Simulating workers crash. Killing ${unhealthy.length} workers.`);
        for (const child of unhealthy) child.kill("SIGKILL");
      }, this.settings.workerSimulateCrashAfter * 1000);
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.crashTimer);
    await Promise.all(this.children.map((child) => stopChild(child)));
  }
}
