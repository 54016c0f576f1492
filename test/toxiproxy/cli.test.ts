import { fileURLToPath } from "node:url";
import { Toxiproxy } from "toxiproxy-node-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Child, spawnScript, stopChild } from "../../src/process/spawn-entry.js";
import { closeAllSockets, EchoServer, portOf, TestClient } from "./sockets.js";

const CLI = fileURLToPath(new URL("../../harness/toxiproxy/cli.ts", import.meta.url));
const children: Child[] = [];
let echo: EchoServer;

beforeAll(async () => {
  echo = await EchoServer.start();
});
afterEach(async () => {
  await closeAllSockets();
  await Promise.all(children.splice(0).map((child) => stopChild(child)));
});
afterAll(() => echo.close());

function run(args: string[]): { child: Child; output: () => string } {
  const child = spawnScript(CLI, args, process.env as Record<string, string>);
  children.push(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  return { child, output: () => output };
}

describe("harness/toxiproxy/cli.ts", () => {
  it("serves the API, and stops cleanly on SIGINT with a connection open", async () => {
    const { child, output } = run(["--host", "127.0.0.1", "--port", "0", "--seed", "3"]);
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on("data", () => {
        const found = /http:\/\/127\.0\.0\.1:\d+/.exec(output());
        if (found) resolve(found[0]);
      });
      child.once("exit", () => reject(new Error(`exited early:\n${output()}`)));
    });
    expect(output()).toMatch(/seed 3/);
    const client = new Toxiproxy(url);
    expect(JSON.parse(await client.getVersion())).toEqual({ version: "2.12.0" });
    const proxy = await client.createProxy({
      name: "e",
      listen: "127.0.0.1:0",
      upstream: `127.0.0.1:${echo.port}`,
    });
    const socket = await TestClient.connect(portOf(proxy.listen));
    expect(await socket.roundTrip("hi")).toBeLessThan(500);

    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(await socket.endedWithin(1000)).toBeDefined();
  });

  it.each([
    [["--port", "http"], /--port="http"/],
    [["--port", "70000"], /--port="70000"/],
    [["--host", "0.0.0.0"], /--host="0.0.0.0".*loopback/],
    [["--listen", "x"], /unknown flag --listen/],
    [["--port"], /--port needs a value/],
  ])("exits 2 on %j, naming the flag", async (args, message) => {
    const { child, output } = run(args);
    const result = await child;
    expect(result.exitCode).toBe(2);
    expect(output()).toMatch(message);
  });
});
