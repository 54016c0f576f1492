/** What a fault acts on: a worker process (network faults will add links). */
export interface FaultTarget {
  /** 1-based worker number in start order. */
  index: number;
  pid: number;
  /** The worker's own id (Worker[5d52b7f]), once it has said it. */
  workerId: string | undefined;
}

/**
 * One kind of fault, like one Toxiproxy toxic: inject it into a target and, if it can be undone, heal it.
 * Adding a fault is adding a file and listing it in index.ts.
 */
export interface Nemesis {
  readonly name: string;
  readonly summary: string;
  /** The timeline line for people, in the original's words where it had them. */
  describe(targets: readonly FaultTarget[]): string;
  inject(target: FaultTarget): void;
  heal?(target: FaultTarget): void;
}

/** Sends a signal; a process that is already gone is not an error (a fault on the dead is a no-op). */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}
