import { randomBytes } from "node:crypto";
import net from "node:net";
import stompit from "stompit";
import { MessageBody } from "./message-body.js";

export interface ConnectOptions {
  host: string;
  port: number;
  login: string;
  passcode: string;
  vhost: string;
  heartbeat: [number, number];
  receiptTimeoutMs: number;
  connectTimeoutMs?: number;
}

export type Headers = Record<string, string>;

/** 256 KB/s: a large result is not declared lost while it is still crossing a squeezed link. */
const SLOWEST_LINK_BYTES_PER_MS = 256;

export class ConnectionLostError extends Error {}

/** The broker answered this very frame with an ERROR: sending it again cannot help. */
export class BrokerRefusedError extends Error {}

/**
 * The connection ended with a broker ERROR that named no frame (RabbitMQ 3.10 puts no receipt-id in it): any frame
 * in flight may be the one refused, or none (a consumer timeout closes the channel the same way).
 */
export class BrokerErrorLoss extends ConnectionLostError {
  constructor(
    message: string,
    /** Frames of ours that were waiting for a RECEIPT when it came: with one, the ERROR can only be that frame's. */
    readonly inFlight = 0,
  ) {
    super(message);
  }
}

/** What stompit's error carries for an ERROR frame from the broker (the headers by Encore's patch). */
interface BrokerErrorFrame extends Error {
  isApplicationError?: () => boolean;
  longMessage?: string;
  frameHeaders?: Headers;
}

/**
 * One STOMP connection. Everything sent on it (publishes, ACKs, NACKs) waits for its RECEIPT and fails once
 * the connection is gone, so nothing is ever retried on a different connection by accident.
 */
export class StompSession {
  readonly id = randomBytes(4).toString("hex");
  readonly negotiatedHeartbeat: [number, number];
  private alive = true;
  private nextSubscription = 0;
  private nextReceipt = 0;
  /** Frames waiting for their RECEIPT, by receipt id. */
  private readonly pending = new Map<string, (error: Error) => void>();
  private readonly deathListeners: ((error: Error) => void)[] = [];

  private constructor(
    private readonly client: stompit.Client,
    private readonly receiptTimeoutMs: number,
  ) {
    const negotiated = String((client as unknown as { headers?: Headers }).headers?.["heart-beat"] ?? "0,0")
      .split(",")
      .map(Number);
    this.negotiatedHeartbeat = [negotiated[0] || 0, negotiated[1] || 0];
    const die = (error: Error) => this.die(error);
    client.on("error", (error: BrokerErrorFrame) => {
      if (!error.isApplicationError?.()) return die(new ConnectionLostError(error.message));
      const said = `the broker sent ERROR: ${error.message}${error.longMessage ? ` (${error.longMessage.trim()})` : ""}`;
      this.die(new BrokerErrorLoss(said, this.pending.size), error.frameHeaders?.["receipt-id"]);
    });
    client.on("end", () => die(new ConnectionLostError("connection ended")));
    client.getTransportSocket().on("close", () => die(new ConnectionLostError("socket closed")));
  }

  static connect(options: ConnectOptions): Promise<StompSession> {
    return new Promise((resolve, reject) => {
      const client = stompit.connect(
        {
          host: options.host,
          port: options.port,
          timeout: options.connectTimeoutMs ?? 5000,
          // Our own socket so TCP_NODELAY is on whatever is negotiated: without it a receipted publish takes 40 ms.
          connect: (opts: net.NetConnectOpts, onConnect: () => void) => {
            const socket = net.connect(opts, onConnect);
            socket.setNoDelay(true);
            return socket;
          },
          // Heart-beats go in the CONNECT frame itself; the original set them afterwards and got none.
          connectHeaders: {
            host: options.vhost,
            login: options.login,
            passcode: options.passcode,
            "heart-beat": `${options.heartbeat[0]},${options.heartbeat[1]}`,
          },
        } as stompit.connect.ConnectOptions,
        (error, client) => {
          if (error)
            reject(
              new ConnectionLostError(`cannot connect to ${options.host}:${options.port}: ${error.message}`),
            );
          else resolve(new StompSession(client, options.receiptTimeoutMs));
        },
      );
      // A failed connect must not become an unhandled 'error' event.
      client.on("error", () => {});
    });
  }

  get isAlive(): boolean {
    return this.alive;
  }

  onDeath(listener: (error: Error) => void): void {
    if (this.alive) this.deathListeners.push(listener);
    else listener(new ConnectionLostError("connection already lost"));
  }

  /**
   * Resolves with the subscription's id once the broker's RECEIPT says it is active: only then will the queue
   * deliver to this connection. Ids are unique per connection, so an old ack id never matches a new one's message.
   */
  subscribe(
    destination: string,
    headers: Headers,
    onMessage: (headers: Headers, body: Buffer) => void,
  ): Promise<string> {
    const id = `${this.id}-${++this.nextSubscription}`;
    return this.receipted(this.receiptTimeoutMs, (receipt) => {
      this.client.subscribe({ ...headers, destination, id, receipt }, (error, message) => {
        if (error) return;
        const { headers } = message as unknown as { headers: Headers };
        const body = new MessageBody(headers["content-length"]);
        message.on("data", (chunk: Buffer) => body.add(chunk));
        message.on("end", () => onMessage(headers, body.end()));
        message.on("error", () => {});
      });
    }).then(() => id);
  }

  /** The RECEIPT may take as long as the body takes to cross a slow link, on top of the usual wait. */
  send(destination: string, headers: Headers, body: Buffer): Promise<void> {
    const waitMs = this.receiptTimeoutMs + Math.ceil(body.length / SLOWEST_LINK_BYTES_PER_MS);
    return this.receipted(waitMs, (receipt) => {
      const frame = this.client.send({
        ...headers,
        destination,
        "content-length": String(body.length),
        receipt,
      });
      frame.write(body);
      frame.end();
    });
  }

  ack(messageHeaders: Headers): Promise<void> {
    return this.receipted(this.receiptTimeoutMs, (receipt) =>
      this.client.ack({ headers: messageHeaders } as unknown as stompit.Client.Message, { receipt }),
    );
  }

  nack(messageHeaders: Headers, headers: Headers = {}): Promise<void> {
    return this.receipted(this.receiptTimeoutMs, (receipt) =>
      this.client.nack({ headers: messageHeaders } as unknown as stompit.Client.Message, {
        ...headers,
        receipt,
      }),
    );
  }

  async close(): Promise<void> {
    if (!this.alive) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.hangUp();
        resolve();
      }, 2000);
      this.client.disconnect(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.die(new ConnectionLostError("connection closed"));
  }

  /** Kills the connection without DISCONNECT, as a crash would (tests and receipt time-outs use it). */
  destroy(reason = "connection destroyed"): void {
    this.hangUp();
    this.die(new ConnectionLostError(reason));
  }

  /** stompit's typings demand an error argument that its destroy() does not need. */
  private hangUp(): void {
    (this.client.destroy as (error?: Error) => void).call(this.client);
  }

  /**
   * Sends a frame carrying a receipt id of ours: stompit's own ids are not exposed, and an ERROR frame names the
   * frame it refuses by that id. stompit's sendFrame() keeps its receipt callbacks in `_receipts`.
   */
  private receipted(waitMs: number, sendFrame: (receipt: string) => void): Promise<void> {
    if (!this.alive) return Promise.reject(new ConnectionLostError("connection is gone"));
    const receipt = `${this.id}-r${++this.nextReceipt}`;
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        clearTimeout(timer);
        this.pending.delete(receipt);
        reject(error);
      };
      // A missing receipt means the link is broken even if TCP has not noticed yet.
      const timer = setTimeout(() => this.destroy(`no RECEIPT within ${waitMs} ms`), waitMs);
      this.pending.set(receipt, fail);
      (this.client as unknown as { _receipts: Record<string, () => void> })._receipts[receipt] = () => {
        clearTimeout(timer);
        this.pending.delete(receipt);
        if (this.alive) resolve();
        else reject(new ConnectionLostError("connection lost as the receipt came"));
      };
      sendFrame(receipt);
    });
  }

  /** The frame the broker's ERROR names fails with the broker's words; everything else pending is merely lost. */
  private die(error: Error, refused?: string): void {
    if (!this.alive) return;
    this.alive = false;
    for (const [receipt, fail] of [...this.pending])
      fail(receipt === refused ? new BrokerRefusedError(error.message) : error);
    for (const listener of this.deathListeners.splice(0)) listener(error);
    this.hangUp();
  }
}
