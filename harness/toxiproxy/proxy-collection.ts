import { formatHostPort, loopbackListen } from "./address.js";
import { ApiError, missingField, proxyAlreadyExists, proxyNotFound } from "./api-error.js";
import { asObject, field } from "./json-body.js";
import { NamedProxy, type ProxyJson } from "./named-proxy.js";

interface ProxyRequest {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

/** Toxiproxy would take any free port on every interface; loopback is as near as this workplace allows. */
const DEFAULT_LISTEN = "127.0.0.1:0";

/** The named proxies of one server, with Toxiproxy's rules for adding, replacing and resetting them. */
export class ProxyCollection {
  private readonly proxies = new Map<string, NamedProxy>();

  constructor(private readonly random: () => number) {}

  all(): NamedProxy[] {
    return [...this.proxies.values()];
  }

  get(name: string): NamedProxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw proxyNotFound();
    return proxy;
  }

  async create(body: unknown): Promise<NamedProxy> {
    const request = parseProxyRequest(asObject(body, "proxy"), "");
    if (this.proxies.has(request.name)) throw proxyAlreadyExists();
    const proxy = new NamedProxy(request.name, request.listen, request.upstream, this.random);
    if (request.enabled) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  /**
   * Creates or replaces several proxies. An existing proxy with the same listen and upstream is kept as it
   * is (toxics, connections, even enabled); a different one is stopped and replaced. On an error the
   * proxies done so far are reported with it, as Toxiproxy does.
   */
  async populate(body: unknown): Promise<{ proxies: ProxyJson[]; error?: ApiError }> {
    if (!Array.isArray(body)) throw new ApiError("bad request body: expected a JSON array of proxies", 400);
    const requests = body.map((item, i) =>
      parseProxyRequest(asObject(item, `proxy ${i + 1}`), ` at proxy ${i + 1}`),
    );
    const done: NamedProxy[] = [];
    try {
      for (const request of requests) done.push(await this.addOrReplace(request));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return { proxies: done.map((proxy) => proxy.toJSON()), error };
    }
    return { proxies: done.map((proxy) => proxy.toJSON()) };
  }

  async remove(name: string): Promise<void> {
    await this.get(name).stop();
    this.proxies.delete(name);
  }

  /** Re-enables every proxy and removes every toxic; open connections stay (unless a timeout toxic goes). */
  async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      await proxy.start();
      proxy.removeAllToxics();
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.stop()));
  }

  private async addOrReplace(request: ProxyRequest): Promise<NamedProxy> {
    const existing = this.proxies.get(request.name);
    if (existing) {
      if (existing.listen === request.listen && existing.upstream === request.upstream) return existing;
      await existing.stop();
    }
    const proxy = new NamedProxy(request.name, request.listen, request.upstream, this.random);
    if (request.enabled) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }
}

/** Reads and checks a proxy in a create or populate request; `where` names it in a populate's errors. */
function parseProxyRequest(body: Record<string, unknown>, where: string): ProxyRequest {
  const name = field(body, "name", "string", "");
  if (name === "") throw missingField(`name${where}`);
  const upstream = field(body, "upstream", "string", "");
  if (upstream === "") throw missingField(`upstream${where}`);
  const listen = formatHostPort(loopbackListen(field(body, "listen", "string", "") || DEFAULT_LISTEN));
  return { name, listen, upstream, enabled: field(body, "enabled", "boolean", true) };
}

/** A proxy update keeps whatever the request leaves out. */
export function parseProxyUpdate(body: unknown, proxy: NamedProxy): Omit<ProxyRequest, "name"> {
  const fields = asObject(body, "proxy");
  return {
    listen: field(fields, "listen", "string", proxy.listen),
    upstream: field(fields, "upstream", "string", proxy.upstream),
    enabled: field(fields, "enabled", "boolean", proxy.enabled),
  };
}
