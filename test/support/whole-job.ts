import { QUORUM_QUEUE } from "../../src/messages/destinations.js";
import { encodeJob } from "../../src/messages/job-message.js";
import type { StompLink } from "../../src/stomp/link.js";

/**
 * Publishes a one-chunk job over all of `samples` (16-bit stereo) as anyone with a STOMP client could: its
 * job-digest is computed from its own content, so a worker takes it as sound.
 */
export async function publishWholeJob(
  link: StompLink,
  jobsQueue: string,
  job: { jobId: number; musicId: number; epoch: number; engine: string },
  samples: Int16Array,
): Promise<void> {
  const frames = samples.length / 2;
  const { headers, body } = encodeJob({
    ...job,
    chunkIndex: 0,
    chunkCount: 1,
    start: 0,
    end: frames,
    contextStart: 0,
    contextEnd: frames,
    attempt: 1,
    publishedAt: Date.now(),
    samples,
  });
  await link.publish(jobsQueue, { ...headers, ...QUORUM_QUEUE, persistent: "true" }, body);
}
