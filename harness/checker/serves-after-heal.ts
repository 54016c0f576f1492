import { connectionLives, framesOn } from "../wire/wire-query.js";
import type { Checker } from "./checker.js";

/** Where the scenario asks for it: each healed worker link subscribes to the job queue again on a new connection. */
export const servesAfterHeal: Checker = {
  name: "serves-after-heal",
  judgesFrom: ["wire", "operations"],
  title: "a healed worker connects again and subscribes to the job queue (where the scenario requires it)",
  check(input) {
    if (!input.scenario.servesAfterHeal) return { status: "pass", summary: "not required by this scenario" };
    const healed = input.faults.filter((f) => f.link.startsWith("worker-") && f.healedAt !== undefined);
    if (healed.length === 0) return { status: "unknown", summary: "no worker fault was healed" };
    const lives = connectionLives(input.wire);
    const back = healed.map((f) => {
      const healedAt = (f.healedAt ?? 0) + input.origin;
      const subscribe = framesOn(input.wire, f.link, "to-broker", healedAt).find(
        (s) =>
          s.command === "SUBSCRIBE" &&
          s.headers.destination === input.queues.jobs &&
          (lives.get(s.connection)?.openedAt ?? 0) >= healedAt,
      );
      return {
        link: f.link,
        fault: f.fault,
        resubscribedMs: subscribe ? Math.round(subscribe.at - healedAt) : null,
      };
    });
    const missing = back.filter((b) => b.resubscribedMs === null);
    return {
      status: missing.length === 0 ? "pass" : "fail",
      summary:
        missing.length === 0
          ? back.map((b) => `${b.link} subscribed again ${b.resubscribedMs} ms after the heal`).join("; ")
          : `${missing[0].link} never subscribed to the job queue again after its ${missing[0].fault} was healed`,
      witness: missing.length ? back : undefined,
    };
  },
};
