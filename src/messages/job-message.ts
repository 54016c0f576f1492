import { asBuffer, CHANNELS, int16View } from "../audio/pcm.js";
import type { Headers } from "../stomp/session.js";
import { HeaderReader, MalformedMessageError } from "./header-reader.js";
import { type JobIdentity, jobDigest } from "./job-digest.js";

/** One chunk to separate: its ids and sample ranges in headers, its audio (with context) lossless in the body. */
export interface JobMessage extends JobIdentity {
  /** How many times the server has published this job (1 unless a restart republished it). */
  attempt: number;
  publishedAt: number;
  samples: Int16Array;
}

/** A job as a worker read it: with the digest of what it was given (checked against the one the server sent). */
export interface ReceivedJob extends JobMessage {
  digest: string;
  /** How often workers failed at it (copies they sent back carry the count): connection losses are not counted. */
  failures: number;
}

/** Set by a worker on the copy it sends back after a failure; the server's jobs have none. */
export const FAILURES_HEADER = "x-encore-failures";

export function encodeJob(job: JobMessage): { headers: Headers; body: Buffer } {
  const body = asBuffer(job.samples);
  return {
    headers: {
      "job-digest": jobDigest(job, body),
      "encore-type": "job",
      "job-id": String(job.jobId),
      "music-id": String(job.musicId),
      "chunk-index": String(job.chunkIndex),
      "chunk-count": String(job.chunkCount),
      start: String(job.start),
      end: String(job.end),
      "context-start": String(job.contextStart),
      "context-end": String(job.contextEnd),
      epoch: String(job.epoch),
      attempt: String(job.attempt),
      engine: job.engine,
      "published-at": String(job.publishedAt),
      "content-type": "audio/L16;rate=44100;channels=2",
    },
    body,
  };
}

export function parseJob(headers: Headers, body: Buffer): ReceivedJob {
  const h = new HeaderReader(headers);
  if (h.text("encore-type") !== "job")
    throw new MalformedMessageError(`encore-type is "${headers["encore-type"]}", expected job`);
  const job = {
    jobId: h.int("job-id", 1),
    musicId: h.int("music-id", 1),
    chunkIndex: h.int("chunk-index"),
    chunkCount: h.int("chunk-count", 1),
    start: h.int("start"),
    end: h.int("end", 1),
    contextStart: h.int("context-start"),
    contextEnd: h.int("context-end", 1),
    epoch: h.int("epoch"),
    attempt: h.optionalInt("attempt", 1),
    engine: h.text("engine"),
    publishedAt: h.int("published-at"),
  };
  if (job.chunkIndex >= job.chunkCount)
    throw new MalformedMessageError(`chunk-index ${job.chunkIndex} >= chunk-count ${job.chunkCount}`);
  if (!(job.contextStart <= job.start && job.start < job.end && job.end <= job.contextEnd)) {
    throw new MalformedMessageError(
      `sample ranges out of order: context ${job.contextStart}..${job.contextEnd}, chunk ${job.start}..${job.end}`,
    );
  }
  const expected = (job.contextEnd - job.contextStart) * CHANNELS * 2;
  if (body.length !== expected)
    throw new MalformedMessageError(`body has ${body.length} bytes, expected ${expected}`);
  const digest = jobDigest(job, body);
  if (digest !== h.text("job-digest"))
    throw new MalformedMessageError(
      "its job-digest does not match its headers and body: not the job the server sent",
    );
  return { ...job, samples: int16View(body), digest, failures: h.optionalInt(FAILURES_HEADER, 0) };
}
