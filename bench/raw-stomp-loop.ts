import { randomUUID } from "node:crypto";
import net from "node:net";
import stompit from "stompit";

export interface RawMessage {
  headers: Record<string, string>;
  body: Buffer;
}

export interface RawLoopOptions {
  host: string;
  port: number;
  login: string;
  passcode: string;
  /** Consumers, each on a connection of its own. */
  consumers: number;
  messages: readonly RawMessage[];
  /** What a consumer sends back for each message, before it ACKs it. */
  reply: RawMessage;
  /**
   * With the cluster's guarantees but none of its code: jobs on a quorum queue, every message persistent, every
   * publish and ACK waiting for its RECEIPT (a consumer ACKs once its reply's has come), replies ACKed one at a
   * time. Without: nothing receipted, persistent or written to disk.
   */
  durable?: boolean;
}

/**
 * The least a job loop on RabbitMQ over STOMP can do, in plain stompit: one connection publishes the messages
 * to a fresh queue, each consumer (prefetch 1, client-individual ACKs) reads one, sends the reply to a reply
 * queue and ACKs it, and one more connection counts the replies. Resolves with the milliseconds from the first
 * publish to the last reply; every connection is closed however it ends.
 */
export async function rawStompLoop(options: RawLoopOptions): Promise<number> {
  const run = randomUUID().slice(0, 8);
  const jobs = `/queue/bench-raw-${run}.jobs`;
  const replies = `/queue/bench-raw-${run}.replies`;
  const durable = options.durable === true;
  const jobArgs: Record<string, string> = durable ? { "x-queue-type": "quorum" } : {};
  const clients: stompit.Client[] = [];
  let fail: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {});
  const open = async () => {
    const client = await connect(options);
    // stompit listens for errors once per receipted frame in flight: a song's jobs are many at once.
    client.setMaxListeners(0);
    client.on("error", (error: Error) => fail(new Error(`a raw STOMP connection failed: ${error.message}`)));
    clients.push(client);
    return client;
  };
  try {
    const [publisher, collector, ...consumers] = await Promise.all(
      Array.from({ length: options.consumers + 2 }, open),
    );
    const total = options.messages.length;
    let replied = 0;
    let allReplied: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      allReplied = resolve;
    });
    let collected = Promise.resolve();
    collector.subscribe(
      {
        destination: replies,
        ...(durable ? { ack: "client-individual", "prefetch-count": "4" } : { ack: "auto" }),
      },
      (error, message) => {
        if (error) return fail(error);
        const body = readBody(message);
        collected = collected
          .then(() => body)
          .then(() => (durable ? ack(collector, message, true) : undefined))
          .then(
            () => {
              if (++replied === total) allReplied();
            },
            (e: Error) => fail(new Error(`the collector failed: ${e.message}`)),
          );
      },
    );
    await roundTrip(collector);
    // One after the other, each in place (the broker has answered a later frame on its connection) before the
    // next: RabbitMQ 3.10 fails a consumer that subscribes to a new quorum queue while another is declaring it
    // (noproc). And the clock starts with every consumer in place.
    for (const consumer of consumers) {
      consumer.subscribe(
        { destination: jobs, ack: "client-individual", "prefetch-count": "1", ...jobArgs },
        (error, message) => {
          if (error) return fail(error);
          void readBody(message)
            .then(() => send(consumer, replies, options.reply, durable))
            .then(() => ack(consumer, message, durable))
            .catch((e: Error) => fail(new Error(`a consumer failed: ${e.message}`)));
        },
      );
      await roundTrip(consumer);
    }
    const started = performance.now();
    // Receipted publishes are all in flight at once, as the server sends a song's jobs; the others are
    // written one at a time, each once the last is in the socket, so the publisher holds one at a time.
    const published = durable
      ? Promise.all(
          options.messages.map((m) =>
            send(publisher, jobs, { ...m, headers: { ...m.headers, ...jobArgs } }, true),
          ),
        )
      : (async () => {
          for (const message of options.messages) await send(publisher, jobs, message, false);
        })();
    await Promise.race([
      published.then(
        () => done,
        (e: Error) => Promise.reject(new Error(`the publisher failed: ${e.message}`)),
      ),
      failed,
    ]);
    return performance.now() - started;
  } finally {
    await Promise.all(clients.map(disconnect));
  }
}

function connect(options: RawLoopOptions): Promise<stompit.Client> {
  return new Promise((resolve, reject) => {
    const client = stompit.connect(
      {
        host: options.host,
        port: options.port,
        // As the product's connections: without TCP_NODELAY a small frame after a large one waits for an ACK.
        connect: (opts: net.NetConnectOpts, onConnect: () => void) => {
          const socket = net.connect(opts, onConnect);
          socket.setNoDelay(true);
          return socket;
        },
        connectHeaders: { host: "/", login: options.login, passcode: options.passcode, "heart-beat": "0,0" },
      } as stompit.connect.ConnectOptions,
      (error, connected) => (error ? reject(error) : resolve(connected)),
    );
    // A failed connect must not become an unhandled 'error' event as well as the rejection.
    client.on("error", () => {});
  });
}

/** Receipted: persistent, resolves on its RECEIPT. Not: resolves once the frame is handed to the socket. */
function send(
  client: stompit.Client,
  destination: string,
  message: RawMessage,
  receipted: boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const frame = client.send(
      {
        ...message.headers,
        destination,
        // Bodies hold zero bytes: without a length the broker would end the frame at the first.
        "content-length": String(message.body.length),
        ...(receipted ? { persistent: "true" } : {}),
      },
      receipted ? { onReceipt: () => resolve(), onError: reject } : undefined,
    );
    frame.write(message.body);
    frame.end((error?: Error | null) => {
      if (error) reject(error);
      else if (!receipted) resolve();
    });
  });
}

function ack(client: stompit.Client, message: stompit.Client.Message, receipted: boolean): Promise<void> {
  if (!receipted) {
    client.ack(message);
    return Promise.resolve();
  }
  return new Promise((resolve, reject) =>
    client.ack(message, {}, { onReceipt: () => resolve(), onError: reject }),
  );
}

function readBody(message: stompit.Client.Message): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on("data", (chunk: Buffer) => chunks.push(chunk));
    message.on("end", () => resolve(Buffer.concat(chunks)));
    message.on("error", reject);
  });
}

/** A receipted BEGIN, aborted at once: its RECEIPT says the broker has handled every frame sent before it. */
function roundTrip(client: stompit.Client): Promise<void> {
  return new Promise((resolve, reject) => {
    const transaction = `sync-${randomUUID()}`;
    client.sendFrame("BEGIN", { transaction }, { onReceipt: () => resolve(), onError: reject }).end();
    client.sendFrame("ABORT", { transaction }).end();
  });
}

function disconnect(client: stompit.Client): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      (client.destroy as (error?: Error) => void).call(client);
      resolve();
    }, 2000);
    client.disconnect(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
