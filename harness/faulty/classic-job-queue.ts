import type { StompLink } from "../../src/stomp/link.js";
import type { Headers } from "../../src/stomp/session.js";

const withoutType = (headers: Headers): Headers => {
  const { "x-queue-type": _dropped, ...rest } = headers;
  return rest;
};

/**
 * The defect of the classic-jobs variants: every SEND and SUBSCRIBE of the job queue leaves out its queue type,
 * so RabbitMQ declares a classic queue, which lives on one node only. The server and the workers must both carry
 * it (a SEND that names another type than the queue's is refused).
 */
export function declareJobsClassic(link: StompLink, jobs: string): void {
  const publish = link.publish.bind(link);
  link.publish = (destination, headers, body) =>
    publish(destination, destination === jobs ? withoutType(headers) : headers, body);
  const subscribe = link.subscribe.bind(link);
  link.subscribe = (destination, headers, handler) =>
    subscribe(destination, destination === jobs ? withoutType(headers) : headers, handler);
}
