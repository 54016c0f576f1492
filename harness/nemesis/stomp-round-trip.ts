import { stompAnswers } from "../../src/broker/stomp-probe.js";
import { monotonicMs } from "../../src/events/event-log.js";

/** Median ms of `times` STOMP CONNECT → CONNECTED round trips (TCP connect included), undefined if none answered. */
export async function stompRoundTripMs(
  host: string,
  port: number,
  login: string,
  passcode: string,
  times = 3,
): Promise<number | undefined> {
  const rtts: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = monotonicMs();
    if (await stompAnswers(host, port, login, passcode, 10_000)) rtts.push(monotonicMs() - started);
  }
  rtts.sort((a, b) => a - b);
  return rtts.length ? rtts[Math.floor(rtts.length / 2)] : undefined;
}
