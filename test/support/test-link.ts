import type { Logger } from "../../src/log/logger.js";
import { StompLink } from "../../src/stomp/link.js";

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** A reconnecting link to a test's broker: no heart-beats, fast retries, no log lines. */
export function testLink(broker: {
  host: string;
  stompPort: number;
  user: string;
  password: string;
}): StompLink {
  return new StompLink({
    host: broker.host,
    port: broker.stompPort,
    login: broker.user,
    passcode: broker.password,
    vhost: "/",
    heartbeat: [0, 0],
    receiptTimeoutMs: 10_000,
    name: "Test",
    reconnectMinMs: 50,
    reconnectMaxMs: 1000,
    log: quiet,
  });
}
