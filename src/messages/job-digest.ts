import { createHash } from "node:crypto";

/** What makes a job the job it is: everything the worker's result depends on. */
export interface JobIdentity {
  jobId: number;
  musicId: number;
  chunkIndex: number;
  chunkCount: number;
  /** Frames [start, end) of the song are this chunk's own; [contextStart, contextEnd) is what the body holds. */
  start: number;
  end: number;
  contextStart: number;
  contextEnd: number;
  /** The server's reset epoch: jobs of an older epoch were cancelled by POST /reset. */
  epoch: number;
  engine: string;
}

/**
 * SHA-256 of a job's identity and audio. The server keeps it with the job's record; a worker recomputes it from
 * what it was given and echoes it in its result or failure report, so the server takes neither from a job it
 * did not send as it is (a forged or damaged copy that carries a real job id). Attempt and publish time are
 * left out: a republished job is the same job.
 */
export function jobDigest(job: JobIdentity, body: Buffer): string {
  const identity = [
    job.jobId,
    job.musicId,
    job.chunkIndex,
    job.chunkCount,
    job.start,
    job.end,
    job.contextStart,
    job.contextEnd,
    job.epoch,
    job.engine,
  ].join("|");
  return createHash("sha256").update(identity).update("\n").update(body).digest("hex");
}
