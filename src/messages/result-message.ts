import { STEM_NAMES, type Stems } from "../audio/pcm.js";
import { encodeStems, stemsBodyError } from "../audio/stem-codec.js";
import type { Headers } from "../stomp/session.js";
import { HeaderReader, MalformedMessageError } from "./header-reader.js";

interface ResultBase {
  jobId: number;
  musicId: number;
  workerId: string;
  /** The broker's redelivered flag and x-delivery-count of the job delivery that produced this result. */
  redelivered: boolean;
  deliveryCount: number;
  /** The digest of the job as the worker was given it: the server takes a result only for the job it sent. */
  jobDigest: string;
}

/** "JobDoneMsg": the four stems of one chunk, trimmed to the chunk's own frames. */
export interface DoneResult extends ResultBase {
  kind: "done";
  chunkIndex: number;
  frames: number;
  startedAt: number;
  finishedAt: number;
  /** Part of the processing time that was the synthetic model delay (WORKER_MIN_JOB_MS). */
  syntheticMs: number;
  /** The stems, or their body already encoded (a worker's CPU thread writes it block by block). */
  stems: Stems | Buffer;
}

/** A job the server sent could not be done and was dead-lettered (delivered too often, its result refused). */
export interface FailedResult extends ResultBase {
  kind: "failed";
  reason: string;
}

export type ResultMessage = DoneResult | FailedResult;

/**
 * A done result as the server takes it: its stems stay encoded in the message body, which is stored as it came,
 * their shape checked but not decoded (four decoded stems of a minute's chunk are 84 MB, and the server takes a
 * few results at once).
 */
export type ReceivedDone = Omit<DoneResult, "stems">;
export type ReceivedResult = ReceivedDone | FailedResult;

export function encodeResult(result: ResultMessage): { headers: Headers; body: Buffer } {
  const base: Headers = {
    "encore-type": result.kind === "done" ? "job-done" : "job-failed",
    "job-id": String(result.jobId),
    "music-id": String(result.musicId),
    "worker-id": result.workerId,
    "job-redelivered": String(result.redelivered),
    "job-delivery-count": String(result.deliveryCount),
    "job-digest": result.jobDigest,
  };
  if (result.kind === "failed") return { headers: { ...base, reason: result.reason }, body: Buffer.alloc(0) };
  return {
    headers: {
      ...base,
      "chunk-index": String(result.chunkIndex),
      frames: String(result.frames),
      "started-at": String(result.startedAt),
      "finished-at": String(result.finishedAt),
      "synthetic-ms": String(result.syntheticMs),
      stems: STEM_NAMES.join(","),
      "content-type": "application/x-encore-stems;format=blocks",
    },
    body: Buffer.isBuffer(result.stems) ? result.stems : encodeStems(result.stems),
  };
}

export function parseResult(headers: Headers, body: Buffer): ReceivedResult {
  const h = new HeaderReader(headers);
  const type = h.text("encore-type");
  const base = {
    jobId: h.int("job-id", 1),
    musicId: h.int("music-id", 1),
    workerId: h.text("worker-id"),
    redelivered: h.flag("job-redelivered"),
    deliveryCount: h.int("job-delivery-count"),
    jobDigest: h.text("job-digest"),
  };
  if (type === "job-failed") return { kind: "failed", ...base, reason: h.text("reason") };
  if (type !== "job-done")
    throw new MalformedMessageError(`encore-type is "${type}", expected job-done or job-failed`);
  if (h.text("stems") !== STEM_NAMES.join(","))
    throw new MalformedMessageError(`stems are "${headers.stems}", expected ${STEM_NAMES.join(",")}`);
  const frames = h.int("frames", 1);
  const problem = stemsBodyError(body, frames);
  if (problem) throw new MalformedMessageError(problem);
  return {
    kind: "done",
    ...base,
    chunkIndex: h.int("chunk-index"),
    frames,
    startedAt: h.int("started-at"),
    finishedAt: h.int("finished-at"),
    syntheticMs: h.int("synthetic-ms"),
  };
}
