import { randomInt } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { seededRandom } from "../../src/audio/seeded-random.js";
import { formatHostPort, loopbackListen } from "./address.js";
import { toxiproxyHandler } from "./api-server.js";
import { ProxyCollection } from "./proxy-collection.js";

export interface ToxiproxyOptions {
  /** A loopback address; default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port (the `url` says which). Toxiproxy's own default is 8474. */
  port?: number;
  /** Seeds toxicity rolls, jitter and slicing, so a run can be repeated; default random. */
  seed?: number;
}

/**
 * A Toxiproxy 2.12 server in this process: its HTTP API, and a real TCP proxy per proxy, on loopback only.
 * Any Toxiproxy client drives it unchanged.
 */
export class EmbeddedToxiproxy {
  private stopping: Promise<void> | undefined;

  private constructor(
    /** e.g. "http://127.0.0.1:8474", for `new Toxiproxy(url)`. */
    readonly url: string,
    readonly seed: number,
    private readonly http: Server,
    private readonly proxies: ProxyCollection,
  ) {}

  static async start(options: ToxiproxyOptions = {}): Promise<EmbeddedToxiproxy> {
    const address = loopbackListen(
      formatHostPort({ host: options.host ?? "127.0.0.1", port: options.port ?? 0 }),
    );
    const seed = options.seed ?? randomInt(1, 2 ** 31);
    const proxies = new ProxyCollection(seededRandom(seed));
    const http = createServer(toxiproxyHandler(proxies));
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(address, () => {
        http.off("error", reject);
        resolve();
      });
    });
    const bound = http.address() as AddressInfo;
    return new EmbeddedToxiproxy(
      `http://${formatHostPort({ host: bound.address, port: bound.port })}`,
      seed,
      http,
      proxies,
    );
  }

  /** Closes every proxy listener and connection, then the API (idle keep-alive connections included). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
      this.http.closeIdleConnections();
      await this.proxies.stopAll();
      this.http.closeAllConnections();
      await closed;
    })();
    return this.stopping;
  }
}
