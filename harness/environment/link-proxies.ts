import { Toxiproxy, type Proxy as ToxiproxyProxy } from "toxiproxy-node-client";

/**
 * One Toxiproxy proxy per STOMP link (`server`, `worker-1`, …) in front of the broker, so a fault can hit one
 * link. Processes connect to their proxy's port instead of the broker's; each proxy forwards to its link's wire
 * tap, which forwards to the broker, so the tap sees what reached the broker and what the broker sent.
 */
export class LinkProxies {
  readonly client: Toxiproxy;
  private readonly proxies = new Map<string, ToxiproxyProxy>();

  constructor(url: string) {
    this.client = new Toxiproxy(url);
  }

  /** One proxy per link, each to its own upstream (the link's wire tap, which forwards to the broker). */
  async create(names: readonly string[], upstream: (name: string) => string): Promise<void> {
    for (const name of names) {
      const proxy = await this.client.createProxy({
        name,
        listen: "127.0.0.1:0",
        upstream: upstream(name),
        enabled: true,
      });
      this.proxies.set(name, proxy);
    }
  }

  /** The port a process on this link connects to. */
  port(name: string): number {
    const proxy = this.proxies.get(name);
    if (!proxy) throw new Error(`no proxy for link ${name}`);
    return Number(proxy.listen.split(":").pop());
  }

  get(name: string): Promise<ToxiproxyProxy> {
    return this.client.get(name);
  }

  /** Heals every link: all toxics removed, every proxy enabled. */
  heal(): Promise<void> {
    return this.client.reset();
  }

  async remove(): Promise<void> {
    for (const name of this.proxies.keys()) await (await this.client.get(name)).remove().catch(() => {});
    this.proxies.clear();
  }
}
