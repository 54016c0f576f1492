import { addBothWays, removeBothWays } from "./link-toxics.js";
import type { Nemesis } from "./nemesis.js";
import { stompRoundTripMs } from "./stomp-round-trip.js";

/**
 * Slow links (latency ± jitter, both ways): the cluster must finish with no spurious redelivery. Proven by
 * STOMP round trips through the link's proxy against the same straight to the broker, while it is active.
 */
export const latency: Nemesis = {
  name: "latency",
  summary: "adds latencyMs ± jitterMs (default 200 ± 100) to a link, both ways",
  redelivers: false,
  chaos: { targets: "unhealthy", forSeconds: [50, 200], params: { latencyMs: [50, 300], jitterMs: [0, 50] } },
  describe: (targets) => `Simulating slow network on ${targets.length} links.`,
  async inject(target, ctx) {
    const asked = { latency: ctx.params.latencyMs ?? 200, jitter: ctx.params.jitterMs ?? 100 };
    const added = await addBothWays(target, ctx, "latency", "latency", asked);
    const { host, stompPort, user, password } = ctx.broker;
    const direct = await stompRoundTripMs(host, stompPort, user, password);
    const slowed = await stompRoundTripMs(
      "127.0.0.1",
      ctx.proxies.ports(target.link)[0] ?? 0,
      user,
      password,
    );
    if (direct === undefined || slowed === undefined) return added;
    // A round trip crosses the toxic twice: once with CONNECT, once with CONNECTED.
    return { ...added, observedMs: Math.round((slowed - direct) / 2) };
  },
  heal: (target, ctx) => removeBothWays(target, ctx, "latency"),
  prove(fault) {
    const observed = fault.observed.observedMs;
    const asked = Number(fault.observed.latency);
    const floor = (asked - Number(fault.observed.jitter)) / 2;
    if (typeof observed !== "number") return { landed: false, why: "the round-trip probe got no answer" };
    if (observed < floor)
      return { landed: false, why: `observed ${observed} ms of added delay each way, asked ${asked} ms` };
    return {
      landed: true,
      at: fault.at,
      effect: `${observed} ms added each way (asked ${asked} ± ${fault.observed.jitter})`,
    };
  },
};
