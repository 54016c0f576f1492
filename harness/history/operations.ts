import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { monotonicMs } from "../../src/events/event-log.js";
import { isJsonObject } from "../json-object.js";

/**
 * The harness's own operations, Jepsen's way: each is an `invoke`, then `ok` (it happened, with what was
 * observed), `fail` (it certainly did not happen) or `info` (nobody can tell). Faults and heals are the
 * nemesis's operations; uploads and polls the client's. One JSON line each, appended synchronously.
 */
export type OpType = "invoke" | "ok" | "fail" | "info";

export interface OpTarget {
  /** 1.. a worker, 0 the server, -1 the broker. */
  index: number;
  link: string;
  pid: number;
}

export interface Operation {
  process: "nemesis" | "client";
  type: OpType;
  /** The fault ("kill"), its heal ("heal freeze"), or the client call ("upload"). */
  f: string;
  /** Pairs an outcome with its invoke. */
  id: number;
  /** CLOCK_MONOTONIC ms, as on the wire and in the product's events. */
  at: number;
  target?: OpTarget;
  /** What was asked (invoke), observed (ok) or why not (fail, info). */
  value: Record<string, string | number | boolean | null>;
}

export type OpValue = Operation["value"];

export class OperationLog {
  private next = 0;

  constructor(readonly path: string) {}

  invoke(process: Operation["process"], f: string, value: OpValue = {}, target?: OpTarget): Operation {
    const op: Operation = { process, type: "invoke", f, id: ++this.next, at: monotonicMs(), target, value };
    this.write(op);
    return op;
  }

  complete(invoked: Operation, type: Exclude<OpType, "invoke">, value: OpValue): Operation {
    const op: Operation = { ...invoked, type, at: monotonicMs(), value };
    this.write(op);
    return op;
  }

  private write(op: Operation): void {
    appendFileSync(this.path, `${JSON.stringify(op)}\n`);
  }
}

const TYPES: readonly string[] = ["invoke", "ok", "fail", "info"];

function asOperation(v: unknown): Operation | undefined {
  if (!isJsonObject(v) || !isJsonObject(v.value)) return undefined;
  if (v.process !== "nemesis" && v.process !== "client") return undefined;
  if (typeof v.type !== "string" || !TYPES.includes(v.type)) return undefined;
  if (typeof v.f !== "string" || typeof v.id !== "number" || typeof v.at !== "number") return undefined;
  const t = v.target;
  let target: OpTarget | undefined;
  if (t !== undefined) {
    if (
      !isJsonObject(t) ||
      typeof t.index !== "number" ||
      typeof t.link !== "string" ||
      typeof t.pid !== "number"
    )
      return undefined;
    target = { index: t.index, link: t.link, pid: t.pid };
  }
  const value: OpValue = {};
  for (const [k, x] of Object.entries(v.value)) {
    if (x !== null && !["string", "number", "boolean"].includes(typeof x)) return undefined;
    value[k] = x as string | number | boolean | null;
  }
  return { process: v.process, type: v.type as OpType, f: v.f, id: v.id, at: v.at, target, value };
}

/** The operations of a run, and the lines that are not operations ("line N: …"): a gap in the history. */
export function readOperations(path: string): { ops: Operation[]; torn: string[] } {
  const ops: Operation[] = [];
  const torn: string[] = [];
  if (!existsSync(path)) return { ops, torn: [`${path} is missing`] };
  const lines = readFileSync(path, "utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  lines.forEach((line, i) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    const op = asOperation(parsed);
    if (op) ops.push(op);
    else torn.push(`line ${i + 1}: not an operation: ${line.slice(0, 80)}`);
  });
  return { ops, torn };
}
