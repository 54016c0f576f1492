import { monotonicMs } from "../../src/events/event-log.js";
import type { BrokerNode } from "../environment/broker-environment.js";
import type { OpValue } from "../history/operations.js";
import { connectionLives, openAt } from "../wire/wire-query.js";
import type { WireEvent } from "../wire/wire-tap.js";
import { type FaultWindow, type NemesisContext, NotLanded, type Proof } from "./nemesis.js";

/** The node a node fault names with params.node (1-based, in the cluster's order; 1 when absent). */
export function nodeParam(ctx: NemesisContext): BrokerNode {
  const nodes = ctx.broker.nodes ?? [];
  if (nodes.length === 0)
    throw new NotLanded(`the ${ctx.broker.kind} broker is one node: a node fault needs --broker cluster`);
  const index = ctx.params.node ?? 1;
  const node = nodes[index - 1];
  if (!node) throw new NotLanded(`params.node is ${index}: the cluster has nodes 1 to ${nodes.length}`);
  return node;
}

/** kill -9 of the node's processes; resolves once they are gone. */
export async function crashNode(node: BrokerNode, more: OpValue = {}): Promise<OpValue> {
  if (!node.kill9) throw new NotLanded(`${node.label} cannot be killed by the harness (not its process)`);
  await node.kill9();
  return { node: node.label, killed: node.name, effectAt: monotonicMs(), ...more };
}

/** Boots the node again on its data; what it took. */
export async function restartNode(node: BrokerNode): Promise<OpValue> {
  if (!node.restart) return { restarted: false };
  const started = monotonicMs();
  await node.restart();
  return { restarted: true, node: node.label, bootMs: Math.round(monotonicMs() - started) };
}

/**
 * The node's side of every client connection through it went at once: each connection open to it when the fault
 * was asked for closed within `withinMs`, and (when `refused`) none opened to it until healed. A node no client
 * was connected to proves nothing on the wire: then the operation's own observation must.
 */
export function provenOnNode(
  fault: FaultWindow,
  wire: readonly WireEvent[],
  what: string,
  withinMs: number,
  refused: boolean,
): Proof {
  const node = fault.observed.node;
  if (typeof node !== "string") return { landed: false, why: "the operation named no node" };
  const open = openAt(wire, fault.invokedAt).filter((c) => c.node === node);
  const stillOpen = open.filter((c) => c.closedAt === undefined || c.closedAt > fault.invokedAt + withinMs);
  if (stillOpen.length > 0)
    return {
      landed: false,
      why: `connection ${stillOpen[0]?.connection} (${stillOpen[0]?.link}) to ${node} stayed open ${withinMs} ms after the ${what}`,
    };
  if (refused) {
    const end = fault.healedAt ?? Number.POSITIVE_INFINITY;
    const through = [...connectionLives(wire).values()].find(
      (c) => c.node === node && c.openedAt > fault.invokedAt + withinMs && c.openedAt < end,
    );
    // A connection the tap accepted is not one the node answered: only a CONNECTED from it would be.
    const answered =
      through &&
      wire.some(
        (e) =>
          e.kind === "frame" &&
          e.connection === through.connection &&
          e.direction === "from-broker" &&
          e.command === "CONNECTED",
      );
    if (answered)
      return {
        landed: false,
        why: `connection ${through.connection} (${through.link}) got through to ${node}`,
      };
  }
  if (open.length === 0) {
    const effectAt = fault.observed.effectAt;
    return typeof effectAt === "number"
      ? { landed: true, at: effectAt, effect: `${what} of ${node} (no client was connected to it)` }
      : { landed: false, why: `no client was connected to ${node}, and nothing else showed the ${what}` };
  }
  const closed = open.map((c) => c.closedAt ?? fault.at);
  return {
    landed: true,
    at: Math.min(...closed),
    effect: `${what} of ${node}: its ${open.length} client connections (${[...new Set(open.map((c) => c.link))].join(", ")}) closed within ${Math.round(Math.max(...closed) - fault.invokedAt)} ms`,
  };
}
