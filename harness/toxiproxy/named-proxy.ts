import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { formatHostPort, loopbackListen, parseHostPort } from "./address.js";
import { ApiError } from "./api-error.js";
import { Connection } from "./connection.js";
import { type ToxicJson, type ToxicSpec, toxicJson } from "./toxic-spec.js";

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

export interface ProxySettings {
  listen: string;
  upstream: string;
  enabled: boolean;
}

/** One named proxy: a listener, its open connections, and its toxics (kept while it is disabled). */
export class NamedProxy {
  enabled = false;
  private server: Server | undefined;
  private toxics: ToxicSpec[] = [];
  private readonly connections = new Set<Connection>();

  constructor(
    readonly name: string,
    /** After a start, the address really bound ("127.0.0.1:0" becomes "127.0.0.1:41234"). */
    public listen: string,
    public upstream: string,
    private readonly random: () => number,
  ) {}

  toJSON(): ProxyJson {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      toxics: this.toxicList().map(toxicJson),
    };
  }

  /** Upstream toxics first, then downstream, each in the order added: the order of the chains. */
  toxicList(): ToxicSpec[] {
    return [...this.toxics].sort(
      (a, b) => Number(a.direction === "downstream") - Number(b.direction === "downstream"),
    );
  }

  toxic(name: string): ToxicSpec | undefined {
    return this.toxics.find((spec) => spec.name === name);
  }

  addToxic(spec: ToxicSpec): void {
    this.toxics.push(spec);
    for (const connection of this.connections) connection.add(spec);
  }

  /** Call after changing the spec: every open connection re-runs the toxic with the new values. */
  updatedToxic(spec: ToxicSpec): void {
    for (const connection of this.connections) connection.update(spec);
  }

  removeToxic(spec: ToxicSpec): void {
    this.toxics = this.toxics.filter((other) => other !== spec);
    for (const connection of this.connections) connection.remove(spec);
  }

  removeAllToxics(): void {
    for (const spec of this.toxicList()) this.removeToxic(spec);
  }

  /** Toxiproxy's Proxy.Update: a new listen or upstream restarts the proxy, dropping its connections. */
  async update(settings: ProxySettings): Promise<void> {
    const listen = formatHostPort(loopbackListen(settings.listen));
    if (listen !== this.listen || settings.upstream !== this.upstream) {
      await this.stop();
      this.listen = listen;
      this.upstream = settings.upstream;
    }
    if (settings.enabled) await this.start();
    else await this.stop();
  }

  async start(): Promise<void> {
    if (this.enabled) return;
    const address = loopbackListen(this.listen);
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    server.on("connection", (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(address, () => {
        server.off("error", reject);
        resolve();
      });
    }).catch((error: Error) => {
      // Toxiproxy answers a failed bind with 500 and Go's message.
      throw new ApiError(`listen tcp ${this.listen}: ${error.message}`, 500);
    });
    server.on("error", () => {}); // e.g. EMFILE on accept: the listener carries on, as Go's does
    const bound = server.address() as AddressInfo;
    this.listen = formatHostPort({ host: bound.address, port: bound.port });
    this.server = server;
    this.enabled = true;
  }

  /** Stops accepting (new connections are refused) and closes the open ones; toxics stay. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!this.enabled || !server) return;
    this.enabled = false;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of this.connections) connection.destroy();
    await closed;
  }

  private accept(client: Socket): void {
    const target = parseHostPort(this.upstream);
    if (!target || target.port === 0) {
      client.destroy(); // Toxiproxy accepts any upstream string and drops the client when the dial fails
      return;
    }
    const connection = new Connection(
      client,
      target,
      () => this.toxics,
      this.random,
      (gone) => this.connections.delete(gone),
    );
    this.connections.add(connection);
  }
}
