import { monotonicMs } from "../../src/events/event-log.js";
import { publishOnce } from "../client/stomp-publisher.js";
import type { OpValue } from "../history/operations.js";
import { isFrame } from "../wire/wire-query.js";
import type { WireEvent } from "../wire/wire-tap.js";
import { type FaultWindow, type NemesisContext, NotLanded, type Proof } from "./nemesis.js";

/** Marks a message the harness published itself; the ledger leaves such messages out of the chunks' records. */
export const INJECTED = "x-harness-injected";

/** Headers a SEND must not copy from another frame: the broker sets them, or they describe that frame's body. */
const NOT_COPIED = new Set(["destination", "receipt", "content-length", "message-id", "subscription", "ack"]);

export function copiedHeaders(ctx: NemesisContext): Record<string, string> {
  if (!ctx.frame) throw new NotLanded("fired by no frame: it copies the ids of a real job from the wire");
  return Object.fromEntries(Object.entries(ctx.frame.frame.headers).filter(([k]) => !NOT_COPIED.has(k)));
}

/** Publishes the message with the harness's own connection to the broker; ok once the broker confirmed it. */
export async function inject(
  ctx: NemesisContext,
  kind: string,
  destination: string,
  headers: Record<string, string>,
  body: Buffer,
  what: string,
): Promise<OpValue> {
  const { broker, frame } = ctx;
  await publishOnce(
    { host: broker.host, port: broker.stompPort, user: broker.user, password: broker.password },
    destination,
    // The product's queues are quorum queues (README): a SEND that names no type is refused as inequivalent.
    { "x-queue-type": "quorum", ...headers, persistent: "true", [INJECTED]: kind },
    body,
  );
  return { published: what, job: frame?.job ?? null, music: frame?.music ?? null, effectAt: monotonicMs() };
}

/** Landed once the broker delivered the injected message to one of the product's processes, on the wire. */
export function deliveredOnWire(fault: FaultWindow, wire: readonly WireEvent[], kind: string): Proof {
  const deliveries = wire.filter(
    (e) => isFrame(e) && e.command === "MESSAGE" && e.headers[INJECTED] === kind && e.at >= fault.invokedAt,
  );
  const first = deliveries[0];
  if (!first || !isFrame(first))
    return { landed: false, why: `the broker never delivered the ${kind} message to any process` };
  return {
    landed: true,
    at: first.at,
    effect: `${fault.observed.published}: delivered ${deliveries.length} times, first to ${first.link}`,
  };
}
