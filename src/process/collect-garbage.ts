import v8 from "node:v8";
import vm from "node:vm";

// --expose-gc does not give `gc` to a context that is already running; a context made after it is set has it.
v8.setFlagsFromString("--expose-gc");
const gc: unknown = vm.runInNewContext("gc");

/**
 * Work on this many bytes of audio (about 6 s) leaves enough garbage to be worth a full collection after it; a
 * 1 s chunk's job is done in a few ms, and a full collection of the main thread took 11 ms here.
 */
export const WORTH_COLLECTING_BYTES = 2 ** 20;

/**
 * A full collection, for the moment a thread has just dropped tens of MB of buffers (a job's body, its result, a
 * block's working arrays): V8 would otherwise wait until more pile up, and a worker's peak would hold several
 * jobs' garbage.
 */
export function collectGarbage(): void {
  if (typeof gc === "function") gc();
}
