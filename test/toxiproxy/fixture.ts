import {
  type Proxy as ClientProxy,
  type Toxic,
  type ToxicDirection,
  type ToxicType,
  Toxiproxy,
} from "toxiproxy-node-client";
import { afterAll, afterEach, beforeAll } from "vitest";
import { EmbeddedToxiproxy } from "../../harness/toxiproxy/embedded-toxiproxy.js";
import { closeAllSockets, EchoServer, portOf } from "./sockets.js";

export interface ToxiproxyFixture {
  readonly server: EmbeddedToxiproxy;
  readonly client: Toxiproxy;
  readonly echo: EchoServer;
  /** A new proxy in front of the echo server, and the port it listens on. */
  echoProxy(): Promise<{ proxy: ClientProxy; port: number }>;
  addToxic<T>(
    proxy: ClientProxy,
    type: ToxicType,
    stream: ToxicDirection,
    attributes: T,
    toxicity?: number,
  ): Promise<Toxic<T>>;
}

/** An embedded Toxiproxy (fixed seed) and an echo upstream per test file; each test's proxies and sockets go after it. */
export function useToxiproxy(): ToxiproxyFixture {
  let server: EmbeddedToxiproxy | undefined;
  let client: Toxiproxy | undefined;
  let echo: EchoServer | undefined;
  let count = 0;
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the fixture is not started (use it inside tests)");
    return value;
  };

  beforeAll(async () => {
    server = await EmbeddedToxiproxy.start({ seed: 7 });
    client = new Toxiproxy(server.url);
    echo = await EchoServer.start();
  });
  afterEach(async () => {
    await closeAllSockets();
    for (const proxy of Object.values(await ready(client).getAll())) await proxy.remove();
  });
  afterAll(async () => {
    await server?.stop();
    await echo?.close();
  });

  return {
    get server() {
      return ready(server);
    },
    get client() {
      return ready(client);
    },
    get echo() {
      return ready(echo);
    },
    async echoProxy() {
      count += 1;
      const proxy = await ready(client).createProxy({
        name: `echo-${count}`,
        listen: "127.0.0.1:0",
        upstream: `127.0.0.1:${ready(echo).port}`,
      });
      return { proxy, port: portOf(proxy.listen) };
    },
    addToxic: (proxy, type, stream, attributes, toxicity = 1) =>
      proxy.addToxic({ name: `${type}_${stream}`, type, stream, toxicity, attributes }),
  };
}
