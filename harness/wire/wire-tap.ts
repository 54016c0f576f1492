import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { monotonicMs } from "../../src/events/event-log.js";
import type { HostPort } from "../toxiproxy/address.js";
import { closeGracefully } from "../toxiproxy/link.js";
import { type DecodedFrame, StompDecoder } from "./stomp-decoder.js";

export type WireDirection = "to-broker" | "from-broker";

export interface WireRecord {
  /** The tap's link, e.g. "worker-3" or "server". */
  link: string;
  /** Numbered 1, 2, 3... in accept order, across every tap sharing a counter. */
  connection: number;
  direction: WireDirection;
  /** Monotonic ms at which the write of the frame's last byte was handed to the other side's socket. */
  at: number;
  /** Monotonic ms at which the frame's first byte arrived at the tap. */
  firstAt: number;
  command: string;
  headers: Record<string, string>;
  bodyBytes: number;
  /** An ERROR frame's body (its first KiB). */
  text?: string;
}

export type WireEvent =
  | ({ kind: "frame" } & WireRecord)
  /** `node`: the cluster node the tap forwards to, when the broker is a cluster. */
  | { kind: "open"; link: string; connection: number; at: number; node?: string }
  | {
      kind: "close";
      link: string;
      connection: number;
      at: number;
      direction: WireDirection;
      /** How this direction's source ended: a FIN, a socket error, or closed here (other side gone, stop()). */
      how: "end" | "error" | "destroy";
      /** Bytes of a frame begun and not finished: a torn frame. */
      pendingBytes: number;
      decodeError?: string;
    };

export interface ConnectionCounter {
  next(): number;
}

/** Sees each frame before its last byte is passed on (`at` is still its arrival): wire triggers act here. */
export type BeforeFrame = (frame: WireRecord) => void;

let accepted = 0;
const processWide: ConnectionCounter = { next: () => ++accepted };

/**
 * A TCP relay between a Toxiproxy proxy and the broker that passes every byte on unchanged and records the
 * STOMP frames it saw go by, so that the harness judges delivery from the wire rather than from what the
 * processes say they did.
 */
export class WireTap {
  private readonly connections = new Set<TappedConnection>();
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly link: string,
    private upstream: HostPort,
    private readonly onEvent: (event: WireEvent) => void,
    private readonly counter: ConnectionCounter,
    private readonly node: string | undefined,
    private readonly before: BeforeFrame | undefined,
  ) {
    server.on("connection", (client) => this.accept(client));
  }

  static async start(
    link: string,
    upstream: HostPort,
    onEvent: (event: WireEvent) => void,
    counter: ConnectionCounter = processWide,
    before?: BeforeFrame,
    node?: string,
  ): Promise<WireTap> {
    // Paused until the upstream answers, so nothing is read that could not be passed on.
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", () => {}); // e.g. EMFILE on accept: the listener carries on, as Toxiproxy's does
    const { port } = server.address() as AddressInfo;
    return new WireTap(server, port, link, upstream, onEvent, counter, node, before);
  }

  /** The broker came back on another port: new connections go there; open ones stay where they are. */
  retarget(upstream: HostPort): void {
    this.upstream = upstream;
  }

  /** Closes the listener and every connection; resolves once all their sockets are closed. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const listenerClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      await Promise.all([...this.connections].map((connection) => connection.destroy()));
      await listenerClosed;
    })();
    return this.stopping;
  }

  private accept(client: Socket): void {
    if (this.stopping) {
      client.destroy();
      return;
    }
    const connection = new TappedConnection(
      client,
      this.upstream,
      { link: this.link, connection: this.counter.next() },
      this.onEvent,
      this.before,
      (gone) => this.connections.delete(gone),
      this.node,
    );
    this.connections.add(connection);
  }
}

interface ConnectionId {
  link: string;
  connection: number;
}

/** One accepted client and its own upstream connection, joined by one tapped stream each way. */
class TappedConnection {
  private readonly upstream: Socket;
  private readonly streams: TappedStream[];
  private readonly closed: Promise<void>;
  private joined = false;

  constructor(
    private readonly client: Socket,
    upstreamAddress: HostPort,
    id: ConnectionId,
    onEvent: (event: WireEvent) => void,
    before: BeforeFrame | undefined,
    onGone: (connection: TappedConnection) => void,
    node: string | undefined,
  ) {
    onEvent({ kind: "open", ...id, ...(node === undefined ? {} : { node }), at: monotonicMs() });
    this.upstream = connect({ ...upstreamAddress, allowHalfOpen: true });
    // Frames go on as they come, not gathered by Nagle: the timing the processes see stays theirs.
    this.upstream.setNoDelay(true);
    client.setNoDelay(true);
    this.streams = [
      new TappedStream("to-broker", client, this.upstream, id, onEvent, before),
      new TappedStream("from-broker", this.upstream, client, id, onEvent, before),
    ];
    const closes = [client, this.upstream].map(
      (socket) => new Promise<void>((resolve) => socket.once("close", () => resolve())),
    );
    for (const socket of [client, this.upstream]) socket.once("close", () => this.socketClosed(socket));
    this.closed = Promise.all(closes).then(() => onGone(this));
    this.upstream.once("connect", () => this.join());
  }

  /** Closes both sockets now; resolves once both are closed. */
  destroy(): Promise<void> {
    this.client.destroy();
    this.upstream.destroy();
    return this.closed;
  }

  private join(): void {
    if (this.client.destroyed) return;
    this.joined = true;
    for (const stream of this.streams) stream.flow();
  }

  private socketClosed(socket: Socket): void {
    // Before both ends are joined (a refused dial, a client that left), the other end just goes too.
    const other = socket === this.client ? this.upstream : this.client;
    if (this.joined) closeGracefully(other);
    else other.destroy();
  }
}

/**
 * One direction: source → destination. Each chunk is decoded, its finished frames shown to `before`, then
 * passed on unchanged, and only then are those frames recorded (with the time of that write).
 */
class TappedStream {
  private readonly decoder: StompDecoder;
  private decoded: DecodedFrame[] = [];
  private errored = false;
  private finished = false;

  constructor(
    private readonly direction: WireDirection,
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly id: ConnectionId,
    private readonly onEvent: (event: WireEvent) => void,
    private readonly before: BeforeFrame | undefined,
  ) {
    this.decoder = new StompDecoder((frame) => this.decoded.push(frame));
    source.on("error", () => {
      this.errored = true;
    });
    source.once("close", () => this.finish(this.errored ? "error" : "destroy"));
  }

  flow(): void {
    this.source.on("data", (chunk: Buffer) => this.forward(chunk));
    this.source.once("end", () => {
      // A half-close passes on as a half-close: the other direction keeps flowing.
      if (this.dest.writable) this.dest.end();
      this.finish("end");
    });
    this.dest.on("drain", () => this.source.resume());
    this.source.resume();
  }

  private forward(chunk: Buffer): void {
    const arrivedAt = monotonicMs();
    // Bytes for a destination already gone are not on the wire, so they are not decoded either.
    if (!this.dest.writable) return;
    this.decoder.push(chunk, arrivedAt);
    const frames = this.decoded;
    this.decoded = [];
    if (this.before) for (const frame of frames) this.before(this.wireRecord(frame, arrivedAt));
    if (!this.dest.write(chunk)) this.source.pause();
    const writtenAt = monotonicMs();
    for (const frame of frames) this.onEvent({ kind: "frame", ...this.wireRecord(frame, writtenAt) });
  }

  private wireRecord(frame: DecodedFrame, at: number): WireRecord {
    return {
      ...this.id,
      direction: this.direction,
      at,
      firstAt: frame.firstAt,
      command: frame.command,
      headers: frame.headers,
      bodyBytes: frame.bodyBytes,
      ...(frame.text === undefined ? {} : { text: frame.text }),
    };
  }

  private finish(how: "end" | "error" | "destroy"): void {
    if (this.finished) return;
    this.finished = true;
    this.onEvent({
      kind: "close",
      ...this.id,
      at: monotonicMs(),
      direction: this.direction,
      how,
      pendingBytes: this.decoder.pendingBytes,
      ...(this.decoder.error === undefined ? {} : { decodeError: this.decoder.error }),
    });
  }
}
