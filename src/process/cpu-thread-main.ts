import { parentPort } from "node:worker_threads";
import { getEngine } from "../audio/engines/index.js";
import { type ChunkSpan, separateChunkBody } from "../audio/separate-chunk.js";
import { type MixdownPlan, mixdown } from "../server/mixdown.js";
import { collectGarbage, WORTH_COLLECTING_BYTES } from "./collect-garbage.js";

/** The CPU-heavy steps of the product, as plain data a thread can take. */
export type CpuTask =
  /** `burnMs`: CPU to spend first (a test mode for a model slow because it computes). */
  | { task: "separate"; engine: string; input: Int16Array; span: ChunkSpan; burnMs: number }
  | { task: "mixdown"; plan: MixdownPlan };

/** `body`: a separated chunk's result body, its ArrayBuffer transferred (never copied between the threads). */
export type CpuReply = { id: number; body?: Uint8Array } | { id: number; error: string };

/** Spins for `ms`: work the thread cannot interleave with anything, as a real model's is. */
function burn(ms: number): number {
  const until = performance.now() + ms;
  let spins = 0;
  while (performance.now() < until) spins++;
  return spins;
}

async function run(task: CpuTask): Promise<Uint8Array | undefined> {
  if (task.task === "mixdown") {
    await mixdown(task.plan);
    return undefined;
  }
  burn(task.burnMs);
  const afterBlock = task.input.byteLength >= WORTH_COLLECTING_BYTES ? collectGarbage : undefined;
  return separateChunkBody(getEngine(task.engine), task.input, task.span, { afterBlock });
}

parentPort?.on("message", async (request: CpuTask & { id: number }) => {
  let reply: CpuReply;
  try {
    reply = { id: request.id, body: await run(request) };
  } catch (error) {
    reply = { id: request.id, error: (error as Error).message };
  }
  const body = "body" in reply ? reply.body : undefined;
  parentPort?.postMessage(reply, body ? [body.buffer as ArrayBuffer] : []);
});
