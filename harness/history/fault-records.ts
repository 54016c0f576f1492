import type { LinkFact } from "../checker/checker.js";
import { NEMESES } from "../nemesis/index.js";
import type { WireEvent } from "../wire/wire-tap.js";
import type { FaultRecord } from "./ledger.js";
import type { Operation } from "./operations.js";

/**
 * The faults of a run from the nemesis's own operations, each with its proof: an operation that did not
 * complete ok, or whose effect its nemesis cannot see, is recorded as not landed, with the reason.
 */
export function faultRecords(
  ops: readonly Operation[],
  wire: readonly WireEvent[],
  origin: number,
  heartbeatMs: number,
  links: readonly LinkFact[],
): FaultRecord[] {
  const nemesisOps = ops.filter((o) => o.process === "nemesis");
  const outcomeOf = (invoke: Operation) => nemesisOps.find((o) => o.id === invoke.id && o.type !== "invoke");
  const records: FaultRecord[] = [];
  for (const invoke of nemesisOps.filter((o) => o.type === "invoke" && NEMESES[o.f])) {
    const nemesis = NEMESES[invoke.f];
    const target = invoke.target ?? { index: -1, link: "broker", pid: 0 };
    const outcome = outcomeOf(invoke);
    const heal = nemesisOps.find(
      (o) =>
        o.type === "invoke" &&
        o.f === `heal ${invoke.f}` &&
        o.target?.index === target.index &&
        o.id > invoke.id,
    );
    const healed = heal && outcomeOf(heal);
    const healedAt = healed?.type === "ok" ? healed.at : undefined;
    const params: Record<string, number> = {};
    for (const [k, v] of Object.entries(invoke.value)) if (typeof v === "number") params[k] = v;
    const base = {
      fault: invoke.f,
      worker: links.find((l) => l.link === target.link)?.workerId ?? undefined,
      link: target.link,
      index: target.index,
      pid: target.pid,
      healedAt: healedAt === undefined ? undefined : healedAt - origin,
      attemptOutcome: nemesis.attemptOutcome,
    };
    if (outcome?.type !== "ok") {
      const why = outcome
        ? `${outcome.type === "fail" ? "did not happen" : "may not have happened"}: ${outcome.value.error}`
        : "never completed";
      records.push({ ...base, at: invoke.at - origin, proof: { landed: false, why } });
      continue;
    }
    const music = outcome.value.music;
    if (typeof music === "number") Object.assign(base, { music });
    const node = outcome.value.node;
    if (typeof node === "string") Object.assign(base, { node });
    const proof = nemesis.prove(
      {
        fault: invoke.f,
        link: target.link,
        invokedAt: invoke.at,
        at: outcome.at,
        healInvokedAt: heal?.at,
        healedAt,
        observed: outcome.value,
        params,
        heartbeatMs,
      },
      wire,
    );
    records.push(
      proof.landed
        ? { ...base, at: proof.at - origin, proof: { landed: true, effect: proof.effect } }
        : { ...base, at: outcome.at - origin, proof: { landed: false, why: proof.why } },
    );
  }
  return records;
}
