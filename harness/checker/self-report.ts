import { isFrame } from "../wire/wire-query.js";
import type { Checker, CheckInput } from "./checker.js";

interface Claim {
  /** The product event that makes the claim. */
  event: string;
  /** What the wire must hold for it to be true, as `link/job`. */
  wants: (link: string, job: number) => string;
  says: string;
}

/** Each claim a process makes about its own STOMP traffic, and the wire fact that must back it. */
const CLAIMS: readonly Claim[] = [
  { event: "ack-receipted", wants: (l, j) => `ack ${l}/${j}`, says: "its ACK of the job was receipted" },
  { event: "result-published", wants: (l, j) => `result ${l}/${j}`, says: "it published the job's result" },
  { event: "job-published", wants: (l, j) => `job ${l}/${j}`, says: "it published the job" },
  { event: "result-accepted", wants: (l, j) => `take ${l}/${j}`, says: "it accepted the job's result" },
];

/** Everything the wire shows, in the claims' terms. */
function wireFacts(input: CheckInput): Set<string> {
  const facts = new Set<string>();
  for (const c of input.ledger) {
    for (const d of c.deliveries) if (d.outcome === "acked") facts.add(`ack ${d.link}/${c.job}`);
    if (c.published > 0) facts.add(`job server/${c.job}`);
    if (c.resultsAcked > 0) facts.add(`take server/${c.job}`);
  }
  for (const a of input.strayAcks) if (a.belongsTo) facts.add(`ack ${a.link}/${a.belongsTo.job}`);
  for (const f of input.wire.filter(isFrame))
    if (f.command === "SEND" && f.direction === "to-broker" && f.headers.destination === input.queues.results)
      facts.add(`result ${f.link}/${f.headers["job-id"]}`);
  return facts;
}

/**
 * The product's logs are diagnostics, not evidence: this check only looks for a process claiming an ACK, a
 * publish or an accept that the wire contradicts (a frame that never reached the broker).
 */
export const selfReport: Checker = {
  name: "self-report",
  judgesFrom: ["wire"],
  title: "no process claims an ACK, a publish or an accept that the wire contradicts",
  check(input) {
    const linkOf = new Map(input.links.map((l) => [l.pid, l.link]));
    const facts = wireFacts(input);
    const false_: { at: number; link: string; job: number; claim: string }[] = [];
    let checked = 0;
    for (const e of input.history) {
      const claim = CLAIMS.find((c) => c.event === e.type);
      const link = linkOf.get(e.pid);
      if (!claim || link === undefined || e.job === undefined) continue;
      checked++;
      if (!facts.has(claim.wants(link, e.job)))
        false_.push({
          at: Math.round(e.mono - input.origin),
          link,
          job: e.job,
          claim: `${e.type}: ${claim.says}`,
        });
    }
    const first = false_[0];
    return {
      status: first ? "fail" : "pass",
      summary: first
        ? `${false_.length} claims the wire contradicts: ${first.link} said ${first.claim} (Job[${first.job}], ${first.at} ms), and no such frame reached the broker`
        : `${checked} claims, each backed by the wire`,
      witness: first ? false_.slice(0, 10) : undefined,
      figures: { claims: checked, contradicted: false_.length },
    };
  },
};
