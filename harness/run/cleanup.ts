/**
 * Everything a run starts registers how to undo it; undo runs last-in first-out on success, failure, error
 * and Ctrl-C alike, and every step runs even if an earlier one fails.
 */
export class Cleanup {
  private readonly steps: { what: string; undo: () => Promise<void> | void }[] = [];
  private running: Promise<string[]> | undefined;

  /** After run() began (Ctrl-C while the run was still starting things), a step is undone at once instead. */
  add(what: string, undo: () => Promise<void> | void): void {
    if (!this.running) {
      this.steps.push({ what, undo });
      return;
    }
    const late = attempt(what, undo);
    this.running = Promise.all([this.running, late]).then(([failures, more]) => [...failures, ...more]);
  }

  /** Runs every step once; returns the failures as messages. */
  run(): Promise<string[]> {
    this.running ??= (async () => {
      const failures: string[] = [];
      for (const step of this.steps.splice(0).reverse())
        failures.push(...(await attempt(step.what, step.undo)));
      return failures;
    })();
    return this.running;
  }
}

/** Runs `undo` (its synchronous part at once); resolves with its failure as a message, if it failed. */
async function attempt(what: string, undo: () => Promise<void> | void): Promise<string[]> {
  try {
    await undo();
    return [];
  } catch (error) {
    return [`${what}: ${(error as Error).message}`];
  }
}
