import { createHash, randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { useToxiproxy } from "./fixture.js";
import { sleep, TestClient } from "./sockets.js";

const fixture = useToxiproxy();
const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** A proxy in front of the echo server and a client already connected through it. */
async function connected() {
  const { proxy, port } = await fixture.echoProxy();
  return { proxy, client: await TestClient.connect(port) };
}

describe("each toxic, measured on a real socket", () => {
  it("latency adds its delay to every round trip", async () => {
    const { proxy, client } = await connected();
    await fixture.addToxic(proxy, "latency", "downstream", { latency: 250, jitter: 0 });
    for (let i = 0; i < 4; i++) {
      const rtt = await client.roundTrip(`ping ${i}`);
      expect(rtt).toBeGreaterThanOrEqual(250);
      expect(rtt).toBeLessThan(400);
    }
  });

  it("jitter spreads the delay over latency ± jitter", async () => {
    const { proxy, client } = await connected();
    await fixture.addToxic(proxy, "latency", "upstream", { latency: 100, jitter: 50 });
    const rtts: number[] = [];
    for (let i = 0; i < 10; i++) rtts.push(await client.roundTrip(`ping ${i}`));
    expect(Math.min(...rtts)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...rtts)).toBeLessThan(220);
    expect(Math.max(...rtts) - Math.min(...rtts)).toBeGreaterThan(20);
  });

  it("bandwidth caps the rate: 200 KB at 100 KB/s takes about 2 s", async () => {
    const { proxy, client } = await connected();
    await fixture.addToxic(proxy, "bandwidth", "upstream", { rate: 100 });
    const data = randomBytes(200_000);
    const elapsed = await client.roundTrip(data, 10_000);
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(2600);
    expect(sha(client.received)).toBe(sha(data));
  });

  it("timeout 0 swallows data and holds the connection open; removing it closes the connection", async () => {
    const { proxy, client } = await connected();
    const toxic = await fixture.addToxic(proxy, "timeout", "downstream", { timeout: 0 });
    client.socket.write("into the void");
    expect(await client.waitForLength(1, 600)).toBe(false);
    expect(client.endedAt).toBeUndefined();
    const removedAt = performance.now();
    await toxic.remove();
    const ending = await client.endedWithin(1000);
    expect(ending?.how).toBe("end");
    expect((ending?.at ?? Number.POSITIVE_INFINITY) - removedAt).toBeLessThan(200);
    expect(client.length).toBe(0); // the swallowed data never comes
  });

  it("timeout N closes both ends N ms after the toxic meets an open connection", async () => {
    const { proxy, client } = await connected();
    const addedAt = performance.now();
    await fixture.addToxic(proxy, "timeout", "upstream", { timeout: 300 });
    client.socket.write("dropped");
    const ending = await client.endedWithin(2000);
    expect(ending?.how).toBe("end");
    const after = (ending?.at ?? Number.POSITIVE_INFINITY) - addedAt;
    expect(after).toBeGreaterThanOrEqual(300);
    expect(after).toBeLessThan(700);
    expect(client.length).toBe(0);
    await sleep(50);
    expect(fixture.echo.sockets.at(-1)?.destroyed).toBe(true); // the upstream side was closed too
  });

  it("reset_peer waits for data, then resets the client and the upstream", async () => {
    const { proxy, client } = await connected();
    await fixture.addToxic(proxy, "reset_peer", "upstream", { timeout: 0 });
    expect(await client.endedWithin(300)).toBeUndefined();
    const errorsBefore = fixture.echo.errors.length;
    client.socket.write("trigger");
    expect((await client.endedWithin(1000))?.how).toBe("ECONNRESET");
    await sleep(100);
    expect(fixture.echo.errors.slice(errorsBefore)).toContain("ECONNRESET");
  });

  it("limit_data lets exactly N bytes through, counted from when it was added, then closes cleanly", async () => {
    const { proxy, client } = await connected();
    await client.roundTrip(Buffer.alloc(300, 1));
    await fixture.addToxic(proxy, "limit_data", "downstream", { bytes: 1000 });
    client.socket.write(Buffer.alloc(5000, 2));
    expect((await client.endedWithin(2000))?.how).toBe("end");
    await sleep(100);
    expect(client.length).toBe(1300);
    expect(client.received.subarray(300)).toEqual(Buffer.alloc(1000, 2));
  });

  it("slow_close holds the close back while the data passes at once", async () => {
    const { proxy, client } = await connected();
    await fixture.addToxic(proxy, "slow_close", "downstream", { delay: 400 });
    const start = performance.now();
    client.socket.end("bye"); // the echo server answers and closes
    expect(await client.waitForLength(3, 1000)).toBe(true);
    expect(performance.now() - start).toBeLessThan(150);
    const ending = await client.ended;
    expect(ending.how).toBe("end");
    expect(ending.at - start).toBeGreaterThanOrEqual(400);
    expect(ending.at - start).toBeLessThan(800);
  });

  it("slicer delivers everything, in many more pieces", async () => {
    const { proxy, client } = await connected();
    const whole = randomBytes(10_000);
    await client.roundTrip(whole);
    const readsWhole = client.reads;
    expect(readsWhole).toBeLessThanOrEqual(5);

    await fixture.addToxic(proxy, "slicer", "downstream", {
      average_size: 100,
      size_variation: 20,
      delay: 1000,
    });
    const sliced = randomBytes(10_000);
    await client.roundTrip(sliced);
    expect(client.reads - readsWhole).toBeGreaterThanOrEqual(40);
    expect(sha(client.received.subarray(10_000))).toBe(sha(sliced));
  });
});

describe("toxicity", () => {
  it("0 never applies", async () => {
    const { proxy, client } = await connected();
    await fixture.addToxic(proxy, "latency", "downstream", { latency: 500, jitter: 0 }, 0);
    expect(await client.roundTrip("quick")).toBeLessThan(100);
  });

  it("0.5 applies to some connections and not to others, decided per connection", async () => {
    const { proxy, port } = await fixture.echoProxy();
    await fixture.addToxic(proxy, "latency", "downstream", { latency: 300, jitter: 0 }, 0.5);
    const clients = await Promise.all(Array.from({ length: 16 }, () => TestClient.connect(port)));
    const first = await Promise.all(clients.map((client) => client.roundTrip("a")));
    const second = await Promise.all(clients.map((client) => client.roundTrip("b")));
    const slow = first.map((rtt) => rtt >= 300);
    expect(slow.filter(Boolean).length).toBeGreaterThanOrEqual(2);
    expect(slow.filter((s) => !s).length).toBeGreaterThanOrEqual(2);
    expect(second.map((rtt) => rtt >= 300)).toEqual(slow); // the same connection, the same fate
  });
});
