import { Toxiproxy, type Proxy as ToxiproxyProxy } from "toxiproxy-node-client";

/** A proxy's name: its link's, and with a cluster the node it goes to (`worker-1@node-2`). */
export const proxyName = (link: string, node: string | undefined) =>
  node === undefined ? link : `${link}@${node}`;

/**
 * One Toxiproxy proxy per STOMP link (`server`, `worker-1`, …) and broker node, so a fault can hit one link, or
 * one link's way to one node. Processes connect to their proxies' ports instead of the broker's; each proxy
 * forwards to its own wire tap, which forwards to the node, so the tap sees what reached the broker and what the
 * broker sent. A one-node broker has proxies named after their link; a cluster's are `worker-1@node-2`.
 */
export class LinkProxies {
  readonly client: Toxiproxy;
  /** Per link, its proxies in node order. */
  private readonly byLink = new Map<string, ToxiproxyProxy[]>();
  private nodes: readonly string[] = [];

  constructor(url: string) {
    this.client = new Toxiproxy(url);
  }

  /** The proxies of every link to every node (`nodes` empty: the one broker), each to its own upstream. */
  async create(
    links: readonly string[],
    nodes: readonly string[],
    upstream: (link: string, node: string | undefined) => string,
  ): Promise<void> {
    this.nodes = nodes;
    for (const link of links) {
      const made: ToxiproxyProxy[] = [];
      for (const node of nodes.length > 0 ? nodes : [undefined]) {
        made.push(
          await this.client.createProxy({
            name: proxyName(link, node),
            listen: "127.0.0.1:0",
            upstream: upstream(link, node),
            enabled: true,
          }),
        );
      }
      this.byLink.set(link, made);
    }
  }

  /** The ports a process on this link connects to, in node order. */
  ports(link: string): number[] {
    const proxies = this.byLink.get(link);
    if (!proxies) throw new Error(`no proxy for link ${link}`);
    return proxies.map((proxy) => Number(proxy.listen.split(":").pop()));
  }

  /** Every proxy of the link (one per node), as the API has them now. */
  ofLink(link: string): Promise<ToxiproxyProxy[]> {
    const proxies = this.byLink.get(link);
    if (!proxies) throw new Error(`no proxy for link ${link}`);
    return Promise.all(proxies.map((proxy) => this.client.get(proxy.name)));
  }

  /** Every link's proxy to one node. */
  toNode(node: string): Promise<ToxiproxyProxy[]> {
    if (!this.nodes.includes(node))
      throw new Error(`no node ${node} (nodes: ${this.nodes.join(", ") || "none, one broker"})`);
    return Promise.all([...this.byLink.keys()].map((link) => this.client.get(proxyName(link, node))));
  }

  /** Heals every link: all toxics removed, every proxy enabled. */
  heal(): Promise<void> {
    return this.client.reset();
  }

  async remove(): Promise<void> {
    for (const proxy of [...this.byLink.values()].flat())
      await (await this.client.get(proxy.name)).remove().catch(() => {});
    this.byLink.clear();
  }
}
