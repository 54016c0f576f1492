import { NEMESES } from "../nemesis/index.js";
import type { Checker } from "./checker.js";
import { heldBy } from "./detection.js";

/**
 * A fault counts only once its effect was seen (the nemesis's proof) on what it needed to hit (a link holding
 * an unACKed job, on the wire). A scheduled fault that did not happen, or cannot be shown to have, makes the
 * run unable to tell: unknown, never pass.
 */
export const faultsLanded: Checker = {
  name: "faults-landed",
  judgesFrom: ["wire", "operations"],
  title: "every scheduled fault happened, its effect was observed, and it hit what it needed to",
  check(input) {
    // A fault fired by the wire hits the triggering link's process when it names no targets.
    const planned = input.plan.faults.reduce((n, f) => n + Math.max(f.trigger ? 1 : 0, f.targets.length), 0);
    const problems: { fault: string; link: string; why: string }[] = [];
    for (const f of input.faults) {
      if (!f.proof.landed) problems.push({ fault: f.fault, link: f.link, why: f.proof.why });
      else if (NEMESES[f.fault]?.needs === "holding-job" && heldBy(input.ledger, f).length === 0)
        problems.push({
          fault: f.fault,
          link: f.link,
          why: `landed ${Math.round(f.at)} ms in while ${f.link} held no unACKed job: nothing to redeliver`,
        });
    }
    const never = planned - input.faults.length;
    if (never > 0)
      problems.push({
        fault: "",
        link: "",
        why: `${never} scheduled faults never ran${input.plan.faults.some((f) => f.trigger) ? " (a wire trigger whose frame never came does not fire)" : ""}`,
      });
    const first = problems[0];
    return {
      status: problems.length === 0 ? "pass" : "unknown",
      summary: first
        ? `${problems.length} of ${planned} faults do not count: ${first.fault ? `${first.fault} of ${first.link} ` : ""}${first.why}`
        : planned === 0
          ? "no faults scheduled"
          : input.faults
              .map((f) => `${f.fault} ${f.link}: ${f.proof.landed ? f.proof.effect : ""}`)
              .join("; "),
      witness: problems.length > 0 ? problems : undefined,
      figures: { planned, landed: input.faults.filter((f) => f.proof.landed).length },
    };
  },
};
