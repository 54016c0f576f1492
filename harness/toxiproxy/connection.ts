import { connect, type Socket } from "node:net";
import type { HostPort } from "./address.js";
import { Link } from "./link.js";
import type { ToxicSpec } from "./toxic-spec.js";

/**
 * One accepted client and its own upstream connection, joined by two links (client → upstream is the
 * "upstream" stream, upstream → client "downstream"). Errors on either socket end it; they never throw.
 */
export class Connection {
  private readonly upstream: Socket;
  private links: Link[] = [];
  private closedSockets = 0;

  constructor(
    private readonly client: Socket,
    upstreamAddress: HostPort,
    toxics: () => readonly ToxicSpec[],
    private readonly random: () => number,
    private readonly onGone: (connection: Connection) => void,
  ) {
    this.upstream = connect({ ...upstreamAddress, allowHalfOpen: true });
    this.upstream.setNoDelay(true); // as Go's net package does, so toxics see (and make) small writes
    client.setNoDelay(true);
    for (const socket of [client, this.upstream]) {
      socket.on("error", () => {}); // a reset or a refused dial ends the connection through "close"
      socket.once("close", () => this.socketClosed(socket));
    }
    this.upstream.once("connect", () => this.open(toxics()));
  }

  add(spec: ToxicSpec): void {
    for (const link of this.links) link.add(spec);
  }

  update(spec: ToxicSpec): void {
    for (const link of this.links) link.update(spec);
  }

  remove(spec: ToxicSpec): void {
    for (const link of this.links) link.remove(spec);
  }

  /** Closes both sockets now (FIN, or RST where unread data remains), as a disabled proxy does. */
  destroy(): void {
    this.client.destroy();
    this.upstream.destroy();
  }

  private open(toxics: readonly ToxicSpec[]): void {
    if (this.client.destroyed) return;
    const events = {
      closing: (link: Link) => this.links.find((other) => other !== link)?.sourceGone(),
      reset: () => this.reset(),
      random: this.random,
    };
    this.links = [
      new Link("upstream", this.client, this.upstream, toxics, events),
      new Link("downstream", this.upstream, this.client, toxics, events),
    ];
  }

  private reset(): void {
    for (const socket of [this.client, this.upstream]) {
      if (socket.destroyed) continue;
      // Node 20 cannot reset a socket whose end() is still in progress: it fails with EINVAL and leaks the
      // handle (no "close", and the event loop spins). Such a socket is just closed.
      if (socket.writableEnded && !socket.writableFinished) socket.destroy();
      else socket.resetAndDestroy();
    }
  }

  private socketClosed(socket: Socket): void {
    this.closedSockets += 1;
    // Before both ends are joined (a refused dial, a client that left), the other end just goes too.
    if (this.links.length === 0) this.destroy();
    for (const link of this.links) if (link.source === socket) link.sourceGone();
    if (this.closedSockets < 2) return;
    for (const link of this.links) link.dispose();
    this.onGone(this);
  }
}
