import { Worker } from "node:worker_threads";
import type { ChunkSpan } from "../audio/separate-chunk.js";
import type { MixdownPlan } from "../server/mixdown.js";
import type { CpuReply, CpuTask } from "./cpu-thread-main.js";
import { compiledPath, fromRoot, RUNS_COMPILED } from "./project-paths.js";

// Node 20 does not run `--import tsx` in worker threads (nodejs/node#47747): from source, the thread starts at
// an entry that registers tsx itself. Compiled, this module may be inside a worker's bundle, elsewhere in dist/.
const THREAD_ENTRY = RUNS_COMPILED
  ? compiledPath(fromRoot("src/process/cpu-thread-main.ts"))
  : new URL("./cpu-thread-entry.mjs", import.meta.url);

interface Pending {
  resolve: (body: Uint8Array | undefined) => void;
  reject: (error: Error) => void;
}

/**
 * Separation, merge and mix on a thread of their own: a chunk takes seconds to minutes of CPU, a long song's merge
 * seconds, and on the event loop they would starve the STOMP heart-beats until the broker or the process
 * dropped a healthy connection mid-job.
 */
export class CpuThread {
  private thread: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  /**
   * The chunk's result body (stem-body-format.ts). `input` stays the caller's: the thread gets a copy of just its
   * samples (a clone of a view would copy its whole ArrayBuffer), transferred.
   */
  async separate(engine: string, input: Int16Array, span: ChunkSpan, burnMs = 0): Promise<Buffer> {
    const copy = input.slice();
    const body = await this.run({ task: "separate", engine, input: copy, span, burnMs }, [copy.buffer]);
    if (!body) throw new Error("the CPU thread returned no result body");
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }

  async mixdown(plan: MixdownPlan): Promise<void> {
    await this.run({ task: "mixdown", plan });
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.terminate();
  }

  private run(task: CpuTask, transfer: ArrayBuffer[] = []): Promise<Uint8Array | undefined> {
    const thread = this.thread ?? this.start();
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      thread.postMessage({ ...task, id }, transfer);
    });
  }

  private start(): Worker {
    const thread = new Worker(THREAD_ENTRY);
    // An idle thread must not keep a stopping process alive.
    thread.unref();
    thread.on("message", (reply: CpuReply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      if ("error" in reply) pending.reject(new Error(reply.error));
      else pending.resolve(reply.body);
    });
    const fail = (error: Error) => {
      if (this.thread === thread) this.thread = undefined;
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    };
    thread.on("error", fail);
    thread.on("exit", (code) => fail(new Error(`the CPU thread exited (code ${code})`)));
    this.thread = thread;
    return thread;
  }
}
