import v8 from "node:v8";
import vm from "node:vm";

// --expose-gc does not give `gc` to a context that is already running; a context made after it is set has it.
v8.setFlagsFromString("--expose-gc");
const gc: unknown = vm.runInNewContext("gc");

/**
 * A full collection, for the moment a process has just dropped tens of MB of buffers (a job's body, its result):
 * V8 would otherwise wait until more pile up, and a worker's peak would hold several jobs' garbage.
 */
export function collectGarbage(): void {
  if (typeof gc === "function") gc();
}
