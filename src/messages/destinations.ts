/** Where messages go. Jobs sit in a quorum queue, so redeliveries carry x-delivery-count. */
export function destinations(prefix: string) {
  return {
    jobs: `/queue/${prefix}.jobs`,
    results: `/queue/${prefix}.results`,
    deadLetter: `/queue/${prefix}.dead-letter`,
    epochs: `/queue/${prefix}.epochs`,
  };
}
export type Destinations = ReturnType<typeof destinations>;

/**
 * Every SEND and SUBSCRIBE on the job, result and dead-letter queues carries this, or RabbitMQ declares a classic
 * queue: one node's, lost with it in a cluster. A quorum queue is replicated on every node of the cluster.
 */
export const QUORUM_QUEUE = { "x-queue-type": "quorum" } as const;

/**
 * The epochs are a stream: a worker that (re)connects reads the last one at once (`x-stream-offset: last`), so a
 * reset reaches the workers that were down, cut off or not yet started when it was announced. Small segments
 * and a size cap keep only the recent ones; the last segment is always kept.
 */
export const EPOCH_STREAM_ARGS = {
  "x-queue-type": "stream",
  "x-max-length-bytes": "1000000",
  "x-stream-max-segment-size-bytes": "100000",
} as const;

/** How long a reader of the epoch stream waits for its last message before it takes the stream to be empty. */
export const EPOCH_WAIT_MS = 5000;

/**
 * How a reader subscribes to the epochs: from the last one on. Individual ACKs: a worker's one channel carries its
 * job subscription too, and a cumulative ("client") ACK of an epoch would also ACK the job in hand (seen: the
 * job's own ACK then failed with "unknown delivery tag").
 */
export const EPOCH_READ_ARGS = {
  ...EPOCH_STREAM_ARGS,
  ack: "client-individual",
  "prefetch-count": "16",
  "x-stream-offset": "last",
} as const;
