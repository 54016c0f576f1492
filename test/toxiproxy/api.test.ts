import { ToxiproxyError } from "toxiproxy-node-client";
import { describe, expect, it } from "vitest";
import { useToxiproxy } from "./fixture.js";
import { portOf } from "./sockets.js";

const fixture = useToxiproxy();

/** Plain HTTP, for what the client hides (it reports only "Request failed with status code N"). */
async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${fixture.server.url}${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text === "" ? undefined : JSON.parse(text) };
}

const upstream = () => `127.0.0.1:${fixture.echo.port}`;

describe("the API through toxiproxy-node-client", () => {
  it("reports Toxiproxy's version as its JSON text", async () => {
    expect(JSON.parse(await fixture.client.getVersion())).toEqual({ version: "2.12.0" });
  });

  it("creates, lists, gets, updates and deletes proxies", async () => {
    const created = await fixture.client.createProxy({
      name: "db",
      listen: "127.0.0.1:0",
      upstream: upstream(),
    });
    expect(created.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(portOf(created.listen)).toBeGreaterThan(0);
    expect(created.enabled).toBe(true);

    const all = await fixture.client.getAll();
    expect(Object.keys(all)).toEqual(["db"]);
    expect(all.db.toJson()).toEqual(created.toJson());
    expect((await fixture.client.get("db")).upstream).toBe(upstream());

    const disabled = await created.update({ enabled: false, listen: created.listen, upstream: upstream() });
    expect(disabled.enabled).toBe(false);
    expect(disabled.listen).toBe(created.listen);
    const enabled = await disabled.update({ enabled: true, listen: created.listen, upstream: upstream() });
    expect(enabled.enabled).toBe(true);
    expect(enabled.listen).toBe(created.listen); // the same port again

    await enabled.remove();
    await expect(fixture.client.get("db")).rejects.toThrow(
      new ToxiproxyError("Error", "Request failed with status code 404"),
    );
  });

  it("adds, gets, updates and removes toxics", async () => {
    const { proxy } = await fixture.echoProxy();
    const toxic = await proxy.addToxic({
      name: "slow",
      type: "latency",
      stream: "upstream",
      toxicity: 0.5,
      attributes: { latency: 100, jitter: 10 },
    });
    expect(toxic.toJson()).toEqual({
      name: "slow",
      type: "latency",
      stream: "upstream",
      toxicity: 0.5,
      attributes: { latency: 100, jitter: 10 },
    });
    expect((await proxy.getToxic("slow")).toJson()).toEqual(toxic.toJson());

    const updated = await toxic.update({
      ...toxic.toJson(),
      toxicity: 1,
      attributes: { latency: 300, jitter: 0 },
    });
    expect(updated.toxicity).toBe(1);
    expect(updated.attributes).toEqual({ latency: 300, jitter: 0 });
    const listed = await fixture.client.get(proxy.name);
    expect(listed.toJson().toxics).toBeUndefined(); // the client's Proxy drops the toxics the server sends
    expect((await call("GET", `/proxies/${proxy.name}`)).json).toMatchObject({ toxics: [updated.toJson()] });

    await updated.remove();
    await expect(proxy.getToxic("slow")).rejects.toThrow(/status code 404/);
  });

  it("populates: new proxies are created, unchanged ones kept, changed ones replaced", async () => {
    const first = await fixture.client.populate([
      { name: "a", listen: "127.0.0.1:0", upstream: upstream() },
      { name: "b", listen: "127.0.0.1:0", upstream: upstream(), enabled: false },
    ]);
    expect(first.a.enabled).toBe(true);
    expect(first.b.enabled).toBe(false);
    await first.a.addToxic({
      name: "t",
      type: "timeout",
      stream: "downstream",
      toxicity: 1,
      attributes: { timeout: 0 },
    });

    const again = await fixture.client.populate([
      { name: "a", listen: first.a.listen, upstream: upstream() },
      { name: "b", listen: first.b.listen, upstream: "127.0.0.1:1" },
    ]);
    expect(again.a.listen).toBe(first.a.listen);
    expect((await call("GET", "/proxies/a/toxics")).json).toHaveLength(1); // kept as it was
    expect(again.b.upstream).toBe("127.0.0.1:1");
    expect(again.b.enabled).toBe(true);
  });

  it("resets: every proxy enabled again, every toxic gone", async () => {
    const { proxy } = await fixture.echoProxy();
    await fixture.addToxic(proxy, "latency", "downstream", { latency: 10, jitter: 0 });
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await fixture.client.reset();
    expect((await call("GET", `/proxies/${proxy.name}`)).json).toMatchObject({ enabled: true, toxics: [] });
  });
});

describe("status codes and bodies, as Toxiproxy 2.12 answers", () => {
  const proxyBody = (name: string) => ({ name, listen: "127.0.0.1:0", upstream: upstream() });

  it("proxies: 201, 409 on a duplicate, 404 when unknown, 204 then 404 on delete", async () => {
    expect((await call("POST", "/proxies", proxyBody("p"))).status).toBe(201);
    expect(await call("POST", "/proxies", proxyBody("p"))).toEqual({
      status: 409,
      json: { error: "proxy already exists", status: 409 },
    });
    expect(await call("GET", "/proxies/nope")).toEqual({
      status: 404,
      json: { error: "proxy not found", status: 404 },
    });
    expect((await call("POST", "/proxies/nope", { enabled: false })).status).toBe(404);
    expect((await call("DELETE", "/proxies/p")).status).toBe(204);
    expect((await call("DELETE", "/proxies/p")).status).toBe(404);
  });

  it("proxies: bad bodies are 400, and so is a listen address off loopback", async () => {
    expect(await call("POST", "/proxies", { upstream: upstream() })).toEqual({
      status: 400,
      json: { error: "missing required field: name", status: 400 },
    });
    expect((await call("POST", "/proxies", { name: "x" })).json).toMatchObject({
      error: "missing required field: upstream",
    });
    expect((await call("POST", "/proxies", "{not json")).status).toBe(400);
    expect((await call("POST", "/proxies", "")).json).toEqual({
      error: "bad request body: EOF",
      status: 400,
    });
    expect((await call("POST", "/proxies", { ...proxyBody("x"), enabled: "yes" })).status).toBe(400);
    for (const listen of ["0.0.0.0:0", "10.1.2.3:5000", ":0", "[::]:0", "nonsense"]) {
      const { status, json } = await call("POST", "/proxies", { ...proxyBody("x"), listen });
      expect({ listen, status }).toEqual({ listen, status: 400 });
      expect(json).toMatchObject({ status: 400 });
    }
    expect((await call("GET", "/proxies")).json).toEqual({});
  });

  it("a port in use is Toxiproxy's 500", async () => {
    const { proxy } = await fixture.echoProxy();
    const { status, json } = await call("POST", "/proxies", { ...proxyBody("clash"), listen: proxy.listen });
    expect(status).toBe(500);
    expect(json).toMatchObject({ error: expect.stringMatching(/address already in use/), status: 500 });
  });

  it("toxics: 200 on create with Toxiproxy's defaults, 409 duplicate, 400 bad type or stream, 404 unknown proxy", async () => {
    await call("POST", "/proxies", proxyBody("p"));
    const created = await call("POST", "/proxies/p/toxics", { type: "latency", attributes: { latency: 5 } });
    expect(created).toEqual({
      status: 200,
      json: {
        name: "latency_downstream",
        type: "latency",
        stream: "downstream",
        toxicity: 1,
        attributes: { latency: 5, jitter: 0 },
      },
    });
    expect(await call("POST", "/proxies/p/toxics", { type: "latency" })).toEqual({
      status: 409,
      json: { error: "toxic already exists", status: 409 },
    });
    expect(await call("POST", "/proxies/p/toxics", { type: "down" })).toEqual({
      status: 400,
      json: { error: "invalid toxic type", status: 400 },
    });
    expect(await call("POST", "/proxies/p/toxics", { type: "latency", stream: "sideways" })).toEqual({
      status: 400,
      json: { error: "stream was invalid, can be either upstream or downstream", status: 400 },
    });
    expect(
      (await call("POST", "/proxies/p/toxics", { type: "latency", name: "f", attributes: { latency: 1.5 } }))
        .status,
    ).toBe(400);
    expect(await call("POST", "/proxies/nope/toxics", { type: "latency" })).toEqual({
      status: 404,
      json: { error: "proxy not found", status: 404 },
    });
    expect((await call("GET", "/proxies/nope/toxics")).status).toBe(404);
  });

  it("toxics: partial updates keep the rest; 204 then 404 on delete", async () => {
    await call("POST", "/proxies", proxyBody("p"));
    await call("POST", "/proxies/p/toxics", {
      type: "slicer",
      stream: "upstream",
      attributes: { average_size: 10 },
    });
    const updated = await call("PATCH", "/proxies/p/toxics/slicer_upstream", { attributes: { delay: 3 } });
    expect(updated.json).toMatchObject({
      toxicity: 1,
      attributes: { average_size: 10, size_variation: 0, delay: 3 },
    });
    expect((await call("POST", "/proxies/p/toxics/slicer_upstream", { toxicity: 0.25 })).json).toMatchObject({
      toxicity: 0.25,
      attributes: { average_size: 10, delay: 3 },
    });
    expect(await call("GET", "/proxies/p/toxics/none")).toEqual({
      status: 404,
      json: { error: "toxic not found", status: 404 },
    });
    expect((await call("POST", "/proxies/p/toxics/none", { toxicity: 1 })).status).toBe(404);
    expect((await call("DELETE", "/proxies/p/toxics/slicer_upstream")).status).toBe(204);
    expect((await call("DELETE", "/proxies/p/toxics/slicer_upstream")).status).toBe(404);
  });

  it("reset is 204; unknown paths 404; wrong methods 405; browsers 403", async () => {
    expect(await call("POST", "/reset")).toEqual({ status: 204, json: undefined });
    expect((await fetch(`${fixture.server.url}/nothing`)).status).toBe(404);
    expect((await fetch(`${fixture.server.url}/proxies/`)).status).toBe(404);
    expect((await fetch(`${fixture.server.url}/version`, { method: "DELETE" })).status).toBe(405);
    const browser = await fetch(`${fixture.server.url}/proxies`, {
      headers: { "user-agent": "Mozilla/5.0" },
    });
    expect(browser.status).toBe(403);
  });

  it("populate: 201 with the proxies; an error comes with the proxies done before it", async () => {
    const ok = await call("POST", "/populate", [proxyBody("one")]);
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ proxies: [{ name: "one", enabled: true, toxics: [] }] });
    const { proxy } = await fixture.echoProxy();
    const clash = await call("POST", "/populate", [
      proxyBody("two"),
      { ...proxyBody("three"), listen: proxy.listen },
    ]);
    expect(clash.status).toBe(500);
    expect(clash.json).toMatchObject({ status: 500, proxies: [{ name: "two" }] });
    expect(await call("POST", "/populate", [{ listen: "127.0.0.1:0" }])).toEqual({
      status: 400,
      json: { error: "missing required field: name at proxy 1", status: 400 },
    });
    expect((await call("POST", "/populate", { proxies: [] })).status).toBe(400);
  });
});
