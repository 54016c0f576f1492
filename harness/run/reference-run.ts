import { join } from "node:path";
import { monotonicMs } from "../../src/events/event-log.js";
import { spawnEntry } from "../../src/process/spawn-entry.js";

export interface ReferenceResult {
  ms?: number;
  error?: string;
}

/** The single-process reference on the same song file: every stem, the mix of `tracks`, and its MP3. */
export async function runReference(
  songFile: string,
  dir: string,
  tracks: readonly string[],
): Promise<ReferenceResult> {
  const started = monotonicMs();
  try {
    const ref = await spawnEntry(
      "separate",
      ["--input", songFile, "--out", dir, "--tracks", tracks.join(",")],
      process.env as Record<string, string>,
    );
    if (ref.exitCode !== 0) return { error: `the reference run failed (exit ${ref.exitCode})` };
  } catch (error) {
    return { error: `the reference run could not start: ${(error as Error).message}` };
  }
  return { ms: Math.round(monotonicMs() - started) };
}

/**
 * The references, made one after another while the harness waits for the queues and the broker's counters to
 * settle (about 10 s in which the cluster is idle): before the song they slowed the broker's boot, after the
 * run they added their whole time to it.
 */
export class References {
  private readonly made = new Map<string, Promise<ReferenceResult>>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly outDir: string) {}

  static dir(label: string): string {
    return join("reference", label);
  }

  start(label: string, songFile: string, tracks: readonly string[]): void {
    const result = this.chain.then(() =>
      runReference(songFile, join(this.outDir, References.dir(label)), tracks),
    );
    this.chain = result;
    this.made.set(label, result);
  }

  /** Resolves once every reference started is done (runReference never rejects). */
  async settled(): Promise<void> {
    await this.chain;
  }

  result(label: string): Promise<ReferenceResult> {
    return this.made.get(label) ?? Promise.resolve({ error: "not made: the song did not finish" });
  }
}
