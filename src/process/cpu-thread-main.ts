import { parentPort } from "node:worker_threads";
import { getEngine } from "../audio/engines/index.js";
import type { Stems } from "../audio/pcm.js";
import { type ChunkSpan, separateChunk } from "../audio/separate-chunk.js";
import { type MixdownPlan, mixdown } from "../server/mixdown.js";

/** The CPU-heavy steps of the product, as plain data a thread can take. */
export type CpuTask =
  /** `burnMs`: CPU to spend first (a test mode for a model slow because it computes). */
  | { task: "separate"; engine: string; input: Int16Array; span: ChunkSpan; burnMs: number }
  | { task: "mixdown"; plan: MixdownPlan };

export type CpuReply = { id: number; stems?: Stems } | { id: number; error: string };

/** Spins for `ms`: work the thread cannot interleave with anything, as a real model's is. */
function burn(ms: number): number {
  const until = performance.now() + ms;
  let spins = 0;
  while (performance.now() < until) spins++;
  return spins;
}

async function run(task: CpuTask): Promise<Stems | undefined> {
  if (task.task === "mixdown") {
    await mixdown(task.plan);
    return undefined;
  }
  burn(task.burnMs);
  return separateChunk(getEngine(task.engine), task.input, task.span);
}

parentPort?.on("message", async (request: CpuTask & { id: number }) => {
  let reply: CpuReply;
  try {
    reply = { id: request.id, stems: await run(request) };
  } catch (error) {
    reply = { id: request.id, error: (error as Error).message };
  }
  const stems = "stems" in reply ? reply.stems : undefined;
  parentPort?.postMessage(reply, stems ? Object.values(stems).map((s) => s.buffer as ArrayBuffer) : []);
});
