import type { Logger } from "../log/logger.js";
import { within } from "../process/within.js";
import { SendGate } from "./send-gate.js";
import {
  BrokerErrorLoss,
  BrokerRefusedError,
  ConnectionLostError,
  type ConnectOptions,
  type Headers,
  StompSession,
} from "./session.js";

/** One broker node's STOMP listener. */
export interface BrokerAddress {
  host: string;
  port: number;
}

export interface LinkOptions extends ConnectOptions {
  /** Who this link belongs to, for log lines: "Server", "Worker[5d52b7f]". */
  name: string;
  /**
   * The nodes of a cluster after host:port, in the order tried: a connection that fails or is lost moves on to
   * the next one, round and round, and the backoff grows with each round that found none.
   */
  failover?: readonly BrokerAddress[];
  reconnectMinMs: number;
  reconnectMaxMs: number;
  log: Logger;
}

/** A message as delivered on one connection; ack and nack go back on that same connection or fail. */
export interface Delivery {
  headers: Headers;
  body: Buffer;
  redelivered: boolean;
  connectionId: string;
  ack(): Promise<void>;
  nack(headers?: Headers): Promise<void>;
  /** Publishes (receipted) on the connection that delivered this, or fails with it: never on another one. */
  publishHere(destination: string, headers: Headers, body: Buffer): Promise<void>;
}

interface Subscription {
  destination: string;
  headers: Headers;
  handler: (delivery: Delivery) => void;
}

export class LinkClosedError extends Error {}

/**
 * A STOMP connection that comes back: it reconnects with exponential backoff and re-subscribes with fresh
 * subscription ids. Publishes wait for a live connection and for their RECEIPT, and are retried on the next
 * connection when one is lost before its receipt (duplicates are de-duplicated by job id downstream).
 */
export class StompLink {
  private session: StompSession | undefined;
  private closed = false;
  private waiters: ((session: StompSession) => void)[] = [];
  private readonly subscriptions: Subscription[] = [];
  private readonly connectListeners: ((session: StompSession) => void)[] = [];
  private readonly lossListeners: ((error: Error) => void)[] = [];
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly gate = new SendGate();
  /** Per connection, settled once the broker answered each of its SUBSCRIBEs (RECEIPT or not). */
  private readonly subscribed = new WeakMap<StompSession, Promise<unknown>>();

  constructor(private readonly options: LinkOptions) {}

  /** Starts connecting; resolves on the first successful connection. */
  start(): Promise<StompSession> {
    this.loop ??= this.run();
    return this.current();
  }

  get connected(): boolean {
    return this.session?.isAlive === true;
  }

  onConnect(listener: (session: StompSession) => void): void {
    this.connectListeners.push(listener);
  }

  onLoss(listener: (error: Error) => void): void {
    this.lossListeners.push(listener);
  }

  /**
   * Resolves once the broker confirmed the subscription on the current connection (at once if there is none);
   * the link subscribes again on every later connection by itself.
   */
  subscribe(destination: string, headers: Headers, handler: (delivery: Delivery) => void): Promise<void> {
    const subscription = { destination, headers, handler };
    this.subscriptions.push(subscription);
    return this.session?.isAlive ? this.attach(this.session, subscription) : Promise.resolve();
  }

  publish(destination: string, headers: Headers, body: Buffer | string): Promise<void> {
    const sending = this.send(destination, headers, typeof body === "string" ? Buffer.from(body) : body);
    const tracked = sending.then(
      () => {},
      () => {},
    );
    this.inFlight.add(tracked);
    void tracked.then(() => this.inFlight.delete(tracked));
    return sending;
  }

  /**
   * Waits until every publish begun so far has its RECEIPT (or has failed), or `graceMs` has passed; returns how
   * many were still unconfirmed. A stop calls it before close(), so what it began sending gets to the broker.
   */
  async settle(graceMs: number): Promise<number> {
    const deadline = Date.now() + graceMs;
    // Publishes begun while it waits are waited for too.
    while (this.inFlight.size > 0) {
      if (!(await within(Promise.all([...this.inFlight]), deadline - Date.now()))) break;
    }
    return this.inFlight.size;
  }

  /**
   * A broker ERROR names no frame: a publish that was in flight at one is sent again alone, once the connection's
   * subscriptions are confirmed, and an ERROR that comes while it is the only frame in flight, on a connection
   * just made, is its own (a consumer timeout cannot come that fast): it fails with the broker's words instead
   * of going round for ever. Found by the harness: a stream subscription refused while the broker restarted
   * closed the lone attempt's connection, and the publish was blamed (broker-restart, seed 7).
   */
  private async send(destination: string, headers: Headers, bytes: Buffer): Promise<void> {
    let suspect = false;
    for (;;) {
      const session = await this.current();
      try {
        const attempt = () => session.send(destination, headers, bytes);
        // Alone means after the connection's SUBSCRIBEs too: a subscription the broker refuses (a stream whose
        // node is still starting) closes the connection with an ERROR that is not this publish's.
        const alone = async () => {
          await this.subscribed.get(session);
          return attempt();
        };
        await (suspect ? this.gate.exclusive(alone) : this.gate.shared(attempt));
        return;
      } catch (error) {
        if (!(error instanceof ConnectionLostError)) throw error;
        // Closed for a stop: the caller leaves the work to the next start (found by chaos: a SIGTERM while jobs
        // were being published failed the song with "connection ended").
        if (this.closed)
          throw new LinkClosedError(`${this.options.name}: link closed while publishing (${error.message})`);
        if (error instanceof BrokerErrorLoss) {
          if (suspect && error.inFlight === 1) throw new BrokerRefusedError(error.message);
          suspect = true;
        }
      }
    }
  }

  /** Stops reconnecting and closes the connection; pending publishes fail with LinkClosedError. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.session?.close();
    for (const waiter of this.waiters.splice(0)) waiter(undefined as unknown as StompSession);
    await this.loop;
  }

  /** Kills the current connection abruptly (no DISCONNECT); the link reconnects as after a network fault. */
  dropConnection(reason: string): void {
    this.session?.destroy(reason);
  }

  private current(): Promise<StompSession> {
    if (this.closed) return Promise.reject(new LinkClosedError(`${this.options.name}: link closed`));
    if (this.session?.isAlive) return Promise.resolve(this.session);
    return new Promise((resolve, reject) =>
      this.waiters.push((session) =>
        session ? resolve(session) : reject(new LinkClosedError("link closed")),
      ),
    );
  }

  private async run(): Promise<void> {
    const addresses = [
      { host: this.options.host, port: this.options.port },
      ...(this.options.failover ?? []),
    ];
    let delay = this.options.reconnectMinMs;
    let failures = 0;
    let next = 0;
    while (!this.closed) {
      const address = addresses[next % addresses.length] as BrokerAddress;
      let session: StompSession;
      try {
        session = await StompSession.connect({ ...this.options, ...address });
      } catch (error) {
        failures++;
        next++;
        if (failures === 1 || failures % 10 === 0) {
          this.options.log.warn(
            `${this.options.name}: ${(error as Error).message}; retrying (attempt ${failures})`,
          );
        }
        // The next node at once, until a whole round has failed.
        if (next % addresses.length !== 0) continue;
        await this.sleep(delay + Math.floor(Math.random() * delay * 0.2));
        delay = Math.min(delay * 2, this.options.reconnectMaxMs);
        continue;
      }
      if (this.closed) {
        await session.close();
        break;
      }
      if (addresses.length > 1)
        this.options.log.info(`${this.options.name}: connected to ${address.host}:${address.port}`);
      failures = 0;
      const connectedAt = Date.now();
      this.session = session;
      const lost = new Promise<Error>((resolve) => session.onDeath(resolve));
      this.subscribed.set(session, Promise.all(this.subscriptions.map((sub) => this.attach(session, sub))));
      for (const waiter of this.waiters.splice(0)) waiter(session);
      for (const listener of this.connectListeners) listener(session);
      const error = await lost;
      if (this.closed) break;
      // The node may be gone: the next connection goes to the next one.
      next++;
      this.options.log.warn(`${this.options.name}: connection lost (${error.message}); reconnecting`);
      for (const listener of this.lossListeners) listener(error);
      // Only a connection that lived starts the backoff over: one the broker ends at once (a subscription it
      // refuses, say) would otherwise be made again and again at the shortest delay (seen: 3518 connections in
      // 80 s from 6 workers whose queue's only node was gone).
      delay =
        Date.now() - connectedAt >= this.options.reconnectMaxMs
          ? this.options.reconnectMinMs
          : Math.min(delay * 2, this.options.reconnectMaxMs);
      await this.sleep(delay);
    }
  }

  private attach(session: StompSession, subscription: Subscription): Promise<void> {
    const confirmed = session.subscribe(subscription.destination, subscription.headers, (headers, body) =>
      subscription.handler({
        headers,
        body,
        redelivered: headers.redelivered === "true",
        connectionId: session.id,
        ack: () => session.ack(headers),
        nack: (extra) => session.nack(headers, extra),
        publishHere: (destination, sendHeaders, body) => session.send(destination, sendHeaders, body),
      }),
    );
    // A subscription that dies with its connection is attached again by the reconnect loop.
    return confirmed.then(
      () => {},
      () => {},
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
