import type { Logger } from "../../src/log/logger.js";
import { type BrokerHandle, type BrokerProvider, EnvironmentError } from "./broker-environment.js";

/**
 * A broker somebody else runs: `stomp://user:password@host:61613?management=http://host:15672`
 * (management defaults to port 15672 on the same host). Nothing is started or stopped.
 */
export class ExternalBrokerProvider implements BrokerProvider {
  readonly kind = "external" as const;
  private readonly url: URL;

  constructor(raw: string) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new EnvironmentError(
        `bad setting --broker-url="${raw}": expected stomp://user:password@host:port`,
      );
    }
    if (url.protocol !== "stomp:" || !url.hostname)
      throw new EnvironmentError(
        `bad setting --broker-url="${raw}": expected stomp://user:password@host:port`,
      );
    this.url = url;
  }

  async start(_log: Logger): Promise<BrokerHandle> {
    const host = this.url.hostname;
    return {
      kind: this.kind,
      description: `external broker stomp://${host}:${this.url.port || 61613}`,
      host,
      stompPort: Number(this.url.port || 61613),
      managementUrl: this.url.searchParams.get("management") ?? `http://${host}:15672`,
      user: decodeURIComponent(this.url.username || "guest"),
      password: decodeURIComponent(this.url.password || "guest"),
      stop: async () => {},
    };
  }
}
