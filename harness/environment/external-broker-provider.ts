import type { Logger } from "../../src/log/logger.js";
import {
  type BrokerHandle,
  type BrokerNode,
  type BrokerProvider,
  EnvironmentError,
} from "./broker-environment.js";

const EXPECTED =
  "expected stomp://user:password@host:port, or several separated by commas (one per cluster node)";

/**
 * A broker somebody else runs: `stomp://user:password@host:61613?management=http://host:15672` (management
 * defaults to port 15672 on the same host), or a cluster's nodes, one URL each, separated by commas. Nothing is
 * started or stopped, and no node can be killed or frozen: of the node faults, only cutting the links to one.
 */
export class ExternalBrokerProvider implements BrokerProvider {
  readonly kind = "external" as const;
  private readonly urls: URL[];

  constructor(private readonly raw: string) {
    this.urls = raw.split(",").map((one) => {
      let url: URL;
      try {
        url = new URL(one.trim());
      } catch {
        throw new EnvironmentError(`bad setting --broker-url="${raw}": "${one}" is not a URL; ${EXPECTED}`);
      }
      if (url.protocol !== "stomp:" || !url.hostname)
        throw new EnvironmentError(`bad setting --broker-url="${raw}": "${one}": ${EXPECTED}`);
      return url;
    });
  }

  async start(_log: Logger): Promise<BrokerHandle> {
    const nodes: BrokerNode[] = this.urls.map((url, i) => {
      const host = url.hostname;
      const stompPort = Number(url.port || 61613);
      return {
        label: `node-${i + 1}`,
        name: `${host}:${stompPort}`,
        host,
        stompPort,
        managementUrl: url.searchParams.get("management") ?? `http://${host}:15672`,
      };
    });
    const [first] = nodes;
    const url = this.urls[0];
    if (!first || !url) throw new EnvironmentError(`bad setting --broker-url="${this.raw}": ${EXPECTED}`);
    return {
      kind: this.kind,
      description:
        nodes.length === 1
          ? `external broker stomp://${first.host}:${first.stompPort}`
          : `external ${nodes.length}-node cluster (${nodes.map((n) => `${n.label} stomp://${n.name}`).join(", ")})`,
      ...(nodes.length > 1 ? { nodes } : {}),
      host: first.host,
      stompPort: first.stompPort,
      managementUrl: first.managementUrl,
      user: decodeURIComponent(url.username || "guest"),
      password: decodeURIComponent(url.password || "guest"),
      stop: async () => {},
    };
  }
}
