import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";

/** Every socket opened here, so that afterEach can close them whatever a test did. */
const open = new Set<Socket>();

export async function closeAllSockets(): Promise<void> {
  const closing = [...open].map((socket) =>
    socket.closed
      ? undefined
      : new Promise<void>((resolve) => socket.destroy().once("close", () => resolve())),
  );
  open.clear();
  await Promise.all(closing);
}

/** An upstream that sends back what it gets and half-closes when its client does. */
export class EchoServer {
  /** Errors its sockets saw (a reset toxic must reach the upstream as ECONNRESET). */
  readonly errors: string[] = [];
  readonly sockets: Socket[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<EchoServer> {
    const server = createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const echo = new EchoServer(server, (server.address() as AddressInfo).port);
    server.on("connection", (socket) => {
      open.add(socket);
      echo.sockets.push(socket);
      socket.on("error", (error: NodeJS.ErrnoException) => echo.errors.push(error.code ?? error.message));
      socket.pipe(socket);
    });
    return echo;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface Ending {
  /** "end" for a FIN, else the socket error's code (ECONNRESET...). */
  how: string;
  at: number;
}

/** A client socket that keeps what it receives, and when and how it ended. */
export class TestClient {
  private readonly parts: Buffer[] = [];
  private waiters: { bytes: number; resolve: () => void }[] = [];
  /** How many reads delivered data. */
  reads = 0;
  length = 0;
  readonly ended: Promise<Ending>;
  endedAt: Ending | undefined;

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.parts.push(chunk);
      this.reads += 1;
      this.length += chunk.length;
      const ready = this.waiters.filter((w) => this.length >= w.bytes);
      this.waiters = this.waiters.filter((w) => this.length < w.bytes);
      for (const waiter of ready) waiter.resolve();
    });
    this.ended = new Promise((resolve) => {
      const finish = (how: string) => {
        this.endedAt ??= { how, at: performance.now() };
        resolve(this.endedAt);
      };
      socket.once("end", () => finish("end"));
      socket.once("error", (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
      socket.once("close", () => finish("close"));
    });
  }

  static connect(port: number): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true, noDelay: true });
      open.add(socket);
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new TestClient(socket));
      });
    });
  }

  get received(): Buffer {
    return Buffer.concat(this.parts);
  }

  /** Resolves once `bytes` bytes in all have arrived, or with false after `ms`. */
  waitForLength(bytes: number, ms: number): Promise<boolean> {
    if (this.length >= bytes) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.waiters.push({
        bytes,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      });
    });
  }

  /** Sends `message` and measures the ms until the echo is back in full. */
  async roundTrip(message: Buffer | string, ms = 5000): Promise<number> {
    const start = performance.now();
    const target = this.length + Buffer.byteLength(message);
    this.socket.write(message);
    if (!(await this.waitForLength(target, ms))) throw new Error(`no echo within ${ms} ms`);
    return performance.now() - start;
  }

  /** The ending, or undefined if the socket is still open after `ms`. */
  endedWithin(ms: number): Promise<Ending | undefined> {
    return Promise.race([this.ended, sleep(ms).then(() => undefined)]);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The port a proxy really listens on ("127.0.0.1:41234"). */
export const portOf = (listen: string): number => Number(listen.slice(listen.lastIndexOf(":") + 1));
