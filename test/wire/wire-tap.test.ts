import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StompDecoder } from "../../harness/wire/stomp-decoder.js";
import { readWireLog, WireLog } from "../../harness/wire/wire-log.js";
import { type WireEvent, WireTap } from "../../harness/wire/wire-tap.js";
import { waitFor } from "../support/wait-for.js";

/** 5 MB that certainly hold NULs and EOLs, as a binary chunk of a song does. */
const bigBody = Buffer.concat([Buffer.from([0, 0x0a, 0, 0x0d, 0x0a, 0]), randomBytes(5 * 1024 * 1024)]);

/** Both ends of one connection to the fake broker, as the broker saw them. */
interface BrokerSide {
  socket: Socket;
  received: Buffer[];
  sent: Buffer[];
  /** Commands of the frames the broker got. */
  commands: string[];
}

/**
 * Just enough of a STOMP broker: CONNECTED for a CONNECT, a RECEIPT for any frame asking for one, a MESSAGE with
 * a 5 MB binary body for a SUBSCRIBE, and a half-close answered with a half-close.
 */
class FakeBroker {
  readonly sides: BrokerSide[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {
    server.on("connection", (socket) => this.serve(socket));
  }

  static async start(): Promise<FakeBroker> {
    const server = createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new FakeBroker(server, (server.address() as AddressInfo).port);
  }

  get upstream() {
    return { host: "127.0.0.1", port: this.port };
  }

  close(): Promise<void> {
    for (const side of this.sides) side.socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    const side: BrokerSide = { socket, received: [], sent: [], commands: [] };
    this.sides.push(side);
    socket.on("error", () => {});
    const send = (data: Buffer) => {
      side.sent.push(data);
      socket.write(data);
    };
    const decoder = new StompDecoder(({ command, headers }) => {
      side.commands.push(command);
      if (command === "CONNECT") send(Buffer.from("CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0"));
      if (headers.receipt) send(Buffer.from(`RECEIPT\nreceipt-id:${headers.receipt}\n\n\0`));
      if (command === "SUBSCRIBE") {
        send(
          Buffer.from(
            `MESSAGE\nsubscription:${headers.id}\nmessage-id:m-1\ndestination:/queue/jobs\n` +
              `ack:a-1\njob-id:41\ncontent-length:${bigBody.length}\n\n`,
          ),
        );
        send(bigBody);
        send(Buffer.from("\0\n"));
      }
    });
    socket.on("data", (chunk: Buffer) => {
      side.received.push(chunk);
      decoder.push(chunk, 0);
    });
    socket.once("end", () => socket.end());
  }
}

/** A process's STOMP connection: what it got, and promises of the other side's FIN (or reset) and of its close. */
interface Client {
  socket: Socket;
  received: Buffer[];
  ended: Promise<void>;
  closed: Promise<void>;
}

let taps: WireTap[] = [];
let brokers: FakeBroker[] = [];
let clients: Client[] = [];
let dirs: string[] = [];

afterEach(async () => {
  for (const client of clients) client.socket.destroy();
  await Promise.all(clients.map((client) => client.closed));
  await Promise.all([...taps.map((tap) => tap.stop()), ...brokers.map((broker) => broker.close())]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  taps = [];
  brokers = [];
  clients = [];
  dirs = [];
});

async function startBroker(): Promise<FakeBroker> {
  const broker = await FakeBroker.start();
  brokers.push(broker);
  return broker;
}

async function startTap(
  link: string,
  upstream: { host: string; port: number },
  counter?: { next(): number },
): Promise<{ tap: WireTap; events: WireEvent[] }> {
  const events: WireEvent[] = [];
  const tap = await WireTap.start(link, upstream, (event) => events.push(event), counter);
  taps.push(tap);
  return { tap, events };
}

function connectClient(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    const client: Client = {
      socket,
      received: [],
      ended: new Promise((ended) => {
        socket.once("end", () => ended());
        socket.once("close", () => ended());
      }),
      closed: new Promise((closed) => socket.once("close", () => closed())),
    };
    clients.push(client);
    socket.on("data", (chunk: Buffer) => client.received.push(chunk));
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.on("error", () => {});
      resolve(client);
    });
  });
}

const frames = (events: WireEvent[], direction: "to-broker" | "from-broker", connection?: number) =>
  events.flatMap((event) =>
    event.kind === "frame" &&
    event.direction === direction &&
    (connection ?? event.connection) === event.connection
      ? [event]
      : [],
  );

const closes = (events: WireEvent[]) => events.flatMap((event) => (event.kind === "close" ? [event] : []));

const receiptCame = (events: WireEvent[], receipt: string) =>
  frames(events, "from-broker").some((frame) => frame.headers["receipt-id"] === receipt);

/** An unused port: bound, then let go. */
async function refusingPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const tcpHandles = () =>
  process.getActiveResourcesInfo().filter((name) => name === "TCPSocketWrap" || name === "TCPServerWrap")
    .length;

describe("WireTap", () => {
  it("passes bytes on unchanged both ways and records each direction's frames", async () => {
    const broker = await startBroker();
    let numbered = 0;
    const { tap, events } = await startTap("worker-3", broker.upstream, { next: () => (numbered += 10) });
    const client = await connectClient(tap.port);
    const sent = [
      Buffer.from("CONNECT\naccept-version:1.2\nhost:/\nheart-beat:0,0\n\n\0"),
      Buffer.from("SUBSCRIBE\nid:0\ndestination:/queue/jobs\nack:client-individual\nreceipt:sub\n\n\0"),
      Buffer.from(
        `SEND\ndestination:/queue/results\nmusic-id:8\nreceipt:r-1\ncontent-length:${bigBody.length}\n\n`,
      ),
      bigBody,
      Buffer.from("\0\n"),
    ];
    for (const data of sent) client.socket.write(data);
    await waitFor("the SEND's receipt", () => receiptCame(events, "r-1"), 20_000);
    client.socket.end();
    await client.closed;
    await waitFor("both directions' close", () => closes(events).length === 2, 5_000);

    const side = broker.sides[0];
    expect(Buffer.concat(client.received).equals(Buffer.concat(side.sent))).toBe(true);
    expect(Buffer.concat(side.received).equals(Buffer.concat(sent))).toBe(true);
    expect(side.commands).toEqual(["CONNECT", "SUBSCRIBE", "SEND", "HEARTBEAT"]);

    const pick = ({
      link,
      connection,
      direction,
      command,
      headers,
      bodyBytes,
    }: WireEvent & { kind: "frame" }) => ({
      link,
      connection,
      direction,
      command,
      headers,
      bodyBytes,
    });
    const id = { link: "worker-3", connection: 10 };
    expect(frames(events, "to-broker").map(pick)).toEqual([
      { ...id, direction: "to-broker", command: "CONNECT", headers: { "heart-beat": "0,0" }, bodyBytes: 0 },
      {
        ...id,
        direction: "to-broker",
        command: "SUBSCRIBE",
        headers: { id: "0", destination: "/queue/jobs", ack: "client-individual", receipt: "sub" },
        bodyBytes: 0,
      },
      {
        ...id,
        direction: "to-broker",
        command: "SEND",
        headers: {
          destination: "/queue/results",
          "music-id": "8",
          receipt: "r-1",
          "content-length": String(bigBody.length),
        },
        bodyBytes: bigBody.length,
      },
      { ...id, direction: "to-broker", command: "HEARTBEAT", headers: {}, bodyBytes: 0 },
    ]);
    expect(frames(events, "from-broker").map(pick)).toEqual([
      {
        ...id,
        direction: "from-broker",
        command: "CONNECTED",
        headers: { "heart-beat": "0,0" },
        bodyBytes: 0,
      },
      { ...id, direction: "from-broker", command: "RECEIPT", headers: { "receipt-id": "sub" }, bodyBytes: 0 },
      {
        ...id,
        direction: "from-broker",
        command: "MESSAGE",
        headers: {
          subscription: "0",
          "message-id": "m-1",
          destination: "/queue/jobs",
          ack: "a-1",
          "job-id": "41",
          "content-length": String(bigBody.length),
        },
        bodyBytes: bigBody.length,
      },
      { ...id, direction: "from-broker", command: "HEARTBEAT", headers: {}, bodyBytes: 0 },
      { ...id, direction: "from-broker", command: "RECEIPT", headers: { "receipt-id": "r-1" }, bodyBytes: 0 },
    ]);

    expect(events[0]).toMatchObject({ kind: "open", ...id });
    expect(
      closes(events).map(({ direction, how, pendingBytes, decodeError }) => [
        direction,
        how,
        pendingBytes,
        decodeError,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ["to-broker", "end", 0, undefined],
        ["from-broker", "end", 0, undefined],
      ]),
    );
    for (const direction of ["to-broker", "from-broker"] as const) {
      const recorded = frames(events, direction);
      for (const frame of recorded) expect(frame.at).toBeGreaterThanOrEqual(frame.firstAt);
      for (const time of ["firstAt", "at"] as const) {
        const times = recorded.map((frame) => frame[time]);
        expect(times).toEqual([...times].sort((x, y) => x - y));
      }
    }
    const message = frames(events, "from-broker")[2];
    // A 5 MB body takes many reads: its first byte came well before its last went on.
    expect(message.at).toBeGreaterThan(message.firstAt);
    expect(events[0].at).toBeLessThanOrEqual(frames(events, "to-broker")[0].firstAt);
  });

  it("records a frame cut off by its sender as pending bytes", async () => {
    const broker = await startBroker();
    const { tap, events } = await startTap("server", broker.upstream);
    const client = await connectClient(tap.port);
    const torn = "SEND\ndestination:/queue/jobs\ncontent-length:100\n\nonly part of it";
    client.socket.end(`ACK\nid:1\n\n\0${torn}`);
    await waitFor("both directions' close", () => closes(events).length === 2, 5_000);
    expect(frames(events, "to-broker").map((frame) => frame.command)).toEqual(["ACK"]);
    expect(closes(events).find((close) => close.direction === "to-broker")).toMatchObject({
      how: "end",
      pendingBytes: torn.length,
    });
  });

  it("numbers connections across taps that share a counter, in accept order", async () => {
    const broker = await startBroker();
    let accepted = 0;
    const counter = { next: () => ++accepted };
    const server = await startTap("server", broker.upstream, counter);
    const worker = await startTap("worker-1", broker.upstream, counter);
    for (const port of [server.tap.port, worker.tap.port, server.tap.port]) {
      await connectClient(port);
      await waitFor("the accept", () => accepted === clients.length, 5_000);
    }
    const opens = (events: WireEvent[]) =>
      events.flatMap((e) => (e.kind === "open" ? [[e.link, e.connection]] : []));
    expect(opens(server.events)).toEqual([
      ["server", 1],
      ["server", 3],
    ]);
    expect(opens(worker.events)).toEqual([["worker-1", 2]]);
  });

  it("sends new connections to the new upstream after a retarget and leaves open ones where they were", async () => {
    const first = await startBroker();
    const second = await startBroker();
    const { tap, events } = await startTap("worker-2", first.upstream);
    const old = await connectClient(tap.port);
    old.socket.write("CONNECT\naccept-version:1.2\n\n\0");
    await waitFor("the first CONNECTED", () => frames(events, "from-broker").length === 1, 5_000);

    tap.retarget(second.upstream);
    const fresh = await connectClient(tap.port);
    fresh.socket.write("CONNECT\naccept-version:1.2\n\n\0");
    old.socket.write("DISCONNECT\nreceipt:bye\n\n\0");
    await waitFor("the old connection's receipt", () => receiptCame(events, "bye"), 5_000);
    await waitFor("the second CONNECTED", () => frames(events, "from-broker").length === 3, 5_000);

    expect(first.sides.map((side) => side.commands)).toEqual([["CONNECT", "DISCONNECT"]]);
    expect(second.sides.map((side) => side.commands)).toEqual([["CONNECT"]]);
    const [oldId, freshId] = events.flatMap((e) => (e.kind === "open" ? [e.connection] : []));
    expect(frames(events, "from-broker", oldId).map((frame) => frame.command)).toEqual([
      "CONNECTED",
      "RECEIPT",
    ]);
    expect(frames(events, "from-broker", freshId).map((frame) => frame.command)).toEqual(["CONNECTED"]);
  });

  it("stops reading from the broker while the client does not read (back-pressure)", async () => {
    const total = 64 * 1024 * 1024;
    let brokerSide: Socket | undefined;
    const firehose = createServer((socket) => {
      brokerSide = socket;
      socket.on("error", () => {});
      // Many writes, so that writableLength shrinks as the kernel takes them.
      const piece = Buffer.alloc(64 * 1024, 7);
      for (let sent = 0; sent < total; sent += piece.length) socket.write(piece);
    });
    await new Promise<void>((resolve) => firehose.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = firehose.address() as AddressInfo;
      const { tap } = await startTap("worker-6", { host: "127.0.0.1", port });
      const client = await connectClient(tap.port);
      client.socket.pause();
      await new Promise((resolve) => setTimeout(resolve, 700));
      // What left the broker sits in kernel buffers (a few MB per hop) and a socket's write buffer in the tap;
      // without back-pressure all 64 MB would.
      const left = total - (brokerSide?.writableLength ?? total);
      expect(left).toBeLessThan(16 * 1024 * 1024);
      client.socket.resume();
      await waitFor(
        "every byte at the client",
        () => client.received.reduce((n, b) => n + b.length, 0) === total,
        20_000,
      );
    } finally {
      brokerSide?.destroy();
      await new Promise((resolve) => firehose.close(resolve));
    }
  });

  it("closes a connection whose upstream refuses, and records it opened and closed", async () => {
    const { tap, events } = await startTap("worker-4", { host: "127.0.0.1", port: await refusingPort() });
    const client = await connectClient(tap.port);
    await client.ended;
    await waitFor("both directions' close", () => closes(events).length === 2, 5_000);
    expect(events.map((event) => event.kind)).toEqual(["open", "close", "close"]);
    expect(closes(events).map(({ direction, how, pendingBytes }) => [direction, how, pendingBytes])).toEqual([
      ["from-broker", "error", 0],
      ["to-broker", "destroy", 0],
    ]);
    expect(client.received).toEqual([]);
  });

  it("stop() closes the listener and every connection, and leaves no handle open", async () => {
    const handlesBefore = tcpHandles();
    const broker = await startBroker();
    const { tap, events } = await startTap("worker-5", broker.upstream);
    const client = await connectClient(tap.port);
    const torn = "SEND\ndestination:/queue/jobs\n\nhalf a bo";
    client.socket.write(torn);
    await waitFor("the bytes at the broker", () => broker.sides[0]?.received.length === 1, 5_000);

    const stopping = tap.stop();
    expect(tap.stop()).toBe(stopping);
    await stopping;
    await client.ended;
    expect(closes(events).map(({ direction, how, pendingBytes }) => [direction, how, pendingBytes])).toEqual(
      expect.arrayContaining([
        ["to-broker", "destroy", torn.length],
        ["from-broker", "destroy", 0],
      ]),
    );
    await expect(connectClient(tap.port)).rejects.toThrow(/ECONNREFUSED/);
    await clients[1].closed;
    await waitFor("the broker side's close", () => broker.sides[0].socket.closed, 5_000);
    client.socket.destroy();
    await client.closed;
    await broker.close();
    // A handle is let go in the loop turn after its close: a leaked one would stay.
    await waitFor("no TCP handle left", () => tcpHandles() === handlesBefore, 2_000);
  });
});

describe("WireLog", () => {
  const tempFile = () => {
    const dir = mkdtempSync(join(tmpdir(), "wire-log-"));
    dirs.push(dir);
    return join(dir, "wire.jsonl");
  };

  it("writes every event of its taps as a JSON line and reads them back", async () => {
    const broker = await startBroker();
    const path = tempFile();
    const log = new WireLog(path);
    const server = await log.tap("server", broker.upstream);
    const worker = await log.tap("worker-1", broker.upstream);
    const handmade: WireEvent = {
      kind: "close",
      link: "x",
      connection: 99,
      at: 1.5,
      direction: "to-broker",
      how: "error",
      pendingBytes: 3,
      decodeError: "unknown command",
    };
    log.record(handmade);
    for (const port of [server.port, worker.port]) {
      const client = await connectClient(port);
      client.socket.write("CONNECT\naccept-version:1.2\n\n\0");
      await waitFor("CONNECTED", () => client.received.length > 0, 5_000);
    }
    await log.close();

    const { events, torn } = readWireLog(path);
    expect(torn).toEqual([]);
    expect(events[0]).toEqual(handmade);
    const summary = events
      .slice(1)
      .map((event) => [
        event.kind,
        event.link,
        event.connection,
        event.kind === "frame" ? event.command : "",
      ]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ["open", "server", 1, ""],
        ["frame", "server", 1, "CONNECT"],
        ["frame", "server", 1, "CONNECTED"],
        ["open", "worker-1", 2, ""],
        ["frame", "worker-1", 2, "CONNECT"],
        ["frame", "worker-1", 2, "CONNECTED"],
      ]),
    );
    // The taps were stopped by close(), so each connection's two closes are in.
    expect(summary.filter(([kind]) => kind === "close")).toHaveLength(4);
    expect(summary).toHaveLength(10);
  });

  it("reports invalid lines by number and a torn last line", () => {
    const path = tempFile();
    const open = { kind: "open", link: "server", connection: 1, at: 10 };
    const frame = {
      kind: "frame",
      link: "server",
      connection: 1,
      direction: "from-broker",
      at: 12,
      firstAt: 11,
      command: "MESSAGE",
      headers: { "message-id": "m-1" },
      bodyBytes: 5,
    };
    appendFileSync(
      path,
      [
        JSON.stringify(open),
        "garbage",
        JSON.stringify({ ...frame, bodyBytes: "5" }),
        JSON.stringify(frame),
        JSON.stringify({ ...open, kind: "opened" }),
        JSON.stringify({ ...frame, headers: { id: 7 } }),
        '{"kind":"frame","link":"ser',
      ].join("\n"),
    );
    const { events, torn } = readWireLog(path);
    expect(events).toEqual([open, frame]);
    expect(torn).toEqual([
      "line 2: not JSON: garbage",
      expect.stringMatching(/^line 3: not a wire event: /),
      expect.stringMatching(/^line 5: not a wire event: /),
      expect.stringMatching(/^line 6: not a wire event: /),
      'line 7: not JSON: {"kind":"frame","link":"ser',
    ]);
  });
});
