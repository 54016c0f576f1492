/** Where messages go. Jobs sit in a quorum queue so redeliveries carry x-delivery-count. */
export function destinations(prefix: string) {
  return {
    jobs: `/queue/${prefix}.jobs`,
    results: `/queue/${prefix}.results`,
    deadLetter: `/queue/${prefix}.dead-letter`,
    control: `/topic/${prefix}.control`,
  };
}
export type Destinations = ReturnType<typeof destinations>;

/** Every SEND and SUBSCRIBE on the jobs queue must carry this, or RabbitMQ declares a classic queue. */
export const JOB_QUEUE_ARGS = { "x-queue-type": "quorum" } as const;
