import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/broker/free-port.js";
import { LocalBroker } from "../../src/broker/local-broker.js";
import type { Logger } from "../../src/log/logger.js";
import { type Delivery, type LinkOptions, StompLink } from "../../src/stomp/link.js";
import { BrokerRefusedError, ConnectionLostError, StompSession } from "../../src/stomp/session.js";
import { waitFor } from "../support/wait-for.js";

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
let broker: LocalBroker;

const connectOptions = (heartbeat: [number, number]) => ({
  host: broker.host,
  port: broker.stompPort,
  login: "guest",
  passcode: "guest",
  vhost: "/",
  heartbeat,
  receiptTimeoutMs: 5000,
});

/** A reconnecting link with fast retries and no heart-beats, to the broker unless told otherwise. */
const linkTo = (options: Partial<LinkOptions> = {}) =>
  new StompLink({
    ...connectOptions([0, 0]),
    name: "Test",
    reconnectMinMs: 50,
    reconnectMaxMs: 200,
    log: quiet,
    ...options,
  });

async function startedLink(): Promise<StompLink> {
  const link = linkTo();
  await link.start();
  return link;
}

beforeAll(async () => {
  broker = await LocalBroker.start({ log: quiet });
});
afterAll(() => broker?.stop());

describe("the STOMP transport on a real RabbitMQ", () => {
  it("negotiates the heart-beats it asks for in CONNECT", async () => {
    const session = await StompSession.connect(connectOptions([2000, 2000]));
    expect(session.negotiatedHeartbeat).toEqual([2000, 2000]);
    await session.close();
  });

  it("survives a text/plain ERROR frame from the broker (stompit 1.0.0 crashed the process here)", async () => {
    const session = await StompSession.connect(connectOptions([0, 0]));
    const lost = new Promise<Error>((resolve) => session.onDeath(resolve));
    // RabbitMQ answers an unknown destination type with an ERROR frame whose body is text/plain.
    const subscribed = session.subscribe("/nonsense/destination", {}, () => {});
    const error = await lost;
    await expect(subscribed).rejects.toBeInstanceOf(ConnectionLostError);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect(error.message).toMatch(/destination/i);
    expect(session.isAlive).toBe(false);
  }, 10_000);

  it("never acks on a new connection: a stale delivery's ACK fails and the message is redelivered", async () => {
    const link = await startedLink();
    const deliveries: Delivery[] = [];
    link.subscribe("/queue/stale-ack", { ack: "client-individual", "prefetch-count": "1" }, (d) =>
      deliveries.push(d),
    );
    await link.publish("/queue/stale-ack", { persistent: "true" }, Buffer.from([0, 1, 0, 2, 0]));
    await waitFor("first delivery", () => deliveries.length === 1);
    const first = deliveries[0];
    expect(first.body).toEqual(Buffer.from([0, 1, 0, 2, 0]));

    link.dropConnection("test cut");
    await waitFor("redelivery on the new connection", () => deliveries.length === 2, 10_000);
    const second = deliveries[1];
    await expect(first.ack()).rejects.toBeInstanceOf(ConnectionLostError);
    expect(second.redelivered).toBe(true);
    expect(second.connectionId).not.toBe(first.connectionId);
    expect(second.headers.subscription).not.toBe(first.headers.subscription);
    await second.ack();
    await link.close();
  });

  it("retries a publish whose connection died before its receipt, and then fails fast once closed", async () => {
    const link = await startedLink();
    const pending = link.publish("/queue/retry", { persistent: "true" }, "hello");
    link.dropConnection("test cut");
    await pending;
    const got: string[] = [];
    link.subscribe("/queue/retry", { ack: "auto" }, (d) => got.push(d.body.toString()));
    await waitFor("the message", () => got.length >= 1);
    expect(got[0]).toBe("hello");
    await link.close();
    await expect(link.publish("/queue/retry", {}, "late")).rejects.toThrow(/closed/);
  });

  it("settle() waits until the publishes in flight have their RECEIPTs, or says how many have none", async () => {
    const link = await startedLink();
    let confirmed = 0;
    const body = Buffer.alloc(4 * 1024 * 1024, 7);
    const sends = Array.from({ length: 8 }, () =>
      link.publish("/queue/settle", { persistent: "true" }, body).then(() => confirmed++),
    );
    expect(await link.settle(0)).toBeGreaterThan(0);
    expect(await link.settle(60_000)).toBe(0);
    expect(confirmed).toBe(8);
    await link.close();
    await Promise.all(sends);
    const reader = await startedLink();
    let got = 0;
    await reader.subscribe("/queue/settle", { ack: "auto" }, () => got++);
    await waitFor("the eight messages", () => got === 8, 20_000);
    await reader.close();
  }, 90_000);

  it("a SEND the broker refuses fails with the broker's words; one beside it goes on the next connection", async () => {
    await broker.setEnv({ max_message_size: 1024 * 1024 });
    try {
      const link = await startedLink();
      const big = link.publish("/queue/refused", { persistent: "true" }, Buffer.alloc(2 * 1024 * 1024, 1));
      const small = link.publish("/queue/refused", { persistent: "true" }, "fits");
      await expect(big).rejects.toBeInstanceOf(BrokerRefusedError);
      await expect(big).rejects.toThrow(/max/i);
      await small;
      await link.close();
    } finally {
      await broker.setEnv({ max_message_size: 128 * 1024 * 1024 });
    }
  }, 30_000);
});

/** A TCP relay to the broker that keeps its sockets, so a test can drop them: a cluster node gone, to the client. */
async function relay(): Promise<{
  port: number;
  accepted: () => number;
  drop(): void;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((client) => {
    accepted++;
    const upstream = connect({ host: broker.host, port: broker.stompPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    drop: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe("a link to a cluster's nodes", () => {
  it("moves on from an address that refuses to the next, and from a lost connection to the one after", async () => {
    const [a, b] = [await relay(), await relay()];
    const link = linkTo({
      port: await freePort(),
      failover: [
        { host: "127.0.0.1", port: a.port },
        { host: "127.0.0.1", port: b.port },
      ],
    });
    try {
      await link.start();
      expect([a.accepted(), b.accepted()]).toEqual([1, 0]);
      a.drop();
      await waitFor("a connection through b", () => b.accepted() === 1 && link.connected);
      expect(a.accepted()).toBe(1);
      await link.publish("/queue/failover-test", { persistent: "true" }, "after the failover");
    } finally {
      await link.close();
      await Promise.all([a.close(), b.close()]);
    }
  }, 20_000);

  it("backs off from a broker that ends every connection at once, instead of reconnecting at the shortest delay", async () => {
    const a = await relay();
    const link = linkTo({ port: a.port, reconnectMaxMs: 800 });
    try {
      await link.start();
      // RabbitMQ ends the connection with an ERROR for a destination it does not know: every connection dies young.
      void link.subscribe("/nonsense/destination", {}, () => {});
      await new Promise((r) => setTimeout(r, 3000));
      // At the shortest delay it would be about 3000 / 50 = 60 connections; backing off to 800 ms, under 10.
      expect(a.accepted()).toBeLessThan(12);
      expect(a.accepted()).toBeGreaterThan(2);
    } finally {
      await link.close();
      await a.close();
    }
  }, 20_000);
});
