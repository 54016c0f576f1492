import type { ToxicType, Proxy as ToxiproxyProxy } from "toxiproxy-node-client";
import type { OpValue } from "../history/operations.js";
import type { FaultTarget, NemesisContext } from "./nemesis.js";

/**
 * Adds the same toxic to both directions of a link (its way to every node of a cluster), named after the fault
 * so healing removes exactly it.
 */
export async function addBothWays(
  target: FaultTarget,
  ctx: NemesisContext,
  fault: string,
  type: ToxicType,
  attributes: Record<string, number>,
): Promise<OpValue> {
  for (const proxy of await ctx.proxies.ofLink(target.link))
    for (const stream of ["upstream", "downstream"] as const)
      await proxy.addToxic({ name: `${fault}_${stream}`, type, stream, toxicity: 1, attributes });
  return { toxic: type, ...attributes };
}

export async function removeBothWays(
  target: FaultTarget,
  ctx: NemesisContext,
  fault: string,
): Promise<OpValue> {
  let removed = 0;
  for (const proxy of await ctx.proxies.ofLink(target.link)) {
    for (const stream of ["upstream", "downstream"]) {
      const toxic = await proxy.getToxic(`${fault}_${stream}`).catch(() => undefined);
      if (toxic) {
        await toxic.remove();
        removed++;
      }
    }
  }
  return { removed };
}

/** Disables or re-enables a link's proxies: disabled, a proxy closes its connections and refuses new ones. */
export async function setLinkEnabled(
  target: FaultTarget,
  ctx: NemesisContext,
  enabled: boolean,
): Promise<void> {
  await setEnabled(await ctx.proxies.ofLink(target.link), enabled);
}

export async function setEnabled(proxies: readonly ToxiproxyProxy[], enabled: boolean): Promise<void> {
  await Promise.all(
    proxies.map((proxy) => proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream })),
  );
}
