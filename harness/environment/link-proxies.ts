import { Toxiproxy, type Proxy as ToxiproxyProxy } from "toxiproxy-node-client";

/**
 * One Toxiproxy proxy per STOMP link (`server`, `worker-1`, …) in front of the broker, so a fault can hit one
 * link. Processes connect to their proxy's port instead of the broker's.
 */
export class LinkProxies {
  readonly client: Toxiproxy;
  private readonly proxies = new Map<string, ToxiproxyProxy>();

  constructor(url: string) {
    this.client = new Toxiproxy(url);
  }

  async create(names: readonly string[], upstream: string): Promise<void> {
    for (const name of names) {
      const proxy = await this.client.createProxy({ name, listen: "127.0.0.1:0", upstream, enabled: true });
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

  /** Points every link at a new upstream (the broker came back on another port). */
  async retarget(upstream: string): Promise<void> {
    for (const name of this.proxies.keys()) {
      const proxy = await this.client.get(name);
      await proxy.update({ enabled: proxy.enabled, listen: proxy.listen, upstream });
    }
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
