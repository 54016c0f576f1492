import { Cleanup } from "./cleanup.js";

/**
 * The cleanups of a batch of runs (npm run gate, chaos): the batch's own (a shared broker) and the run now on.
 * Ctrl-C or SIGTERM undoes both and exits 130. A single run is a batch of one.
 */
export class BatchCleanup {
  readonly batch = new Cleanup();
  private current: Cleanup | undefined;
  interrupted = false;

  /** A run that begins after Ctrl-C (the batch was between runs) is undone as it goes. */
  readonly track = (cleanup: Cleanup | undefined): void => {
    this.current = cleanup;
    if (this.interrupted) void cleanup?.run();
  };

  /** process.on, not once: execa's signal-exit re-raises a signal that no other listener is left to handle. */
  handleSignals(): void {
    const interrupt = (signal: string) => {
      if (this.interrupted) return;
      this.interrupted = true;
      process.stderr.write(`\n${signal}: stopping everything...\n`);
      Promise.all([this.current?.run(), this.batch.run()]).then(() => process.exit(130));
    };
    process.on("SIGINT", () => interrupt("SIGINT"));
    process.on("SIGTERM", () => interrupt("SIGTERM"));
  }

  /** Undoes the batch's own; reports what failed. */
  async finish(): Promise<void> {
    for (const f of await this.batch.run()) process.stderr.write(`cleanup: ${f}\n`);
  }
}
