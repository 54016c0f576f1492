import type { IncomingMessage } from "node:http";
import { toxicNotFound } from "./api-error.js";
import { readJson } from "./json-body.js";
import type { ProxyJson } from "./named-proxy.js";
import { type ProxyCollection, parseProxyUpdate } from "./proxy-collection.js";
import { applyToxicUpdate, parseNewToxic, toxicJson } from "./toxic-spec.js";

/** The version this server imitates; clients that check versions see the real one's. */
export const TOXIPROXY_VERSION = "2.12.0";

export interface Reply {
  status: number;
  /** Sent as JSON; absent for 204. */
  json?: unknown;
  /** Sent as is, as `type` (plain text unless said). */
  text?: string;
  type?: string;
}

type Params = Record<string, string>;
type Handler = (params: Params, request: IncomingMessage) => Promise<Reply> | Reply;
interface Route {
  pattern: readonly string[];
  methods: Partial<Record<string, Handler>>;
}

/** Toxiproxy 2.12's endpoints; it takes PATCH as well as (deprecated) POST for updates. */
export function toxiproxyRoutes(proxies: ProxyCollection): Route[] {
  const updateProxy: Handler = async ({ proxy }, request) => {
    const found = proxies.get(proxy);
    await found.update(parseProxyUpdate(await readJson(request), found));
    return { status: 200, json: found.toJSON() };
  };
  const updateToxic: Handler = async ({ proxy, toxic }, request) => {
    const found = proxies.get(proxy);
    const spec = found.toxic(toxic);
    if (!spec) throw toxicNotFound();
    applyToxicUpdate(spec, await readJson(request));
    found.updatedToxic(spec);
    return { status: 200, json: toxicJson(spec) };
  };
  return [
    {
      pattern: ["version"],
      methods: {
        // Written by hand in Toxiproxy, spacing and newline included; the client returns it as text.
        GET: () => ({
          status: 200,
          text: `{"version": "${TOXIPROXY_VERSION}"}\n`,
          type: "application/json;charset=utf-8",
        }),
      },
    },
    {
      pattern: ["reset"],
      methods: {
        POST: async () => {
          await proxies.reset();
          return { status: 204 };
        },
      },
    },
    {
      pattern: ["populate"],
      methods: {
        POST: async (_, request) => {
          const { proxies: done, error } = await proxies.populate(await readJson(request));
          if (error) return { status: error.status, json: { ...error.toJSON(), proxies: done } };
          return { status: 201, json: { proxies: done } };
        },
      },
    },
    {
      pattern: ["proxies"],
      methods: {
        GET: () => {
          const all: Record<string, ProxyJson> = {};
          for (const proxy of proxies.all()) all[proxy.name] = proxy.toJSON();
          return { status: 200, json: all };
        },
        POST: async (_, request) => {
          const proxy = await proxies.create(await readJson(request));
          return { status: 201, json: proxy.toJSON() };
        },
      },
    },
    {
      pattern: ["proxies", ":proxy"],
      methods: {
        GET: ({ proxy }) => ({ status: 200, json: proxies.get(proxy).toJSON() }),
        POST: updateProxy,
        PATCH: updateProxy,
        DELETE: async ({ proxy }) => {
          await proxies.remove(proxy);
          return { status: 204 };
        },
      },
    },
    {
      pattern: ["proxies", ":proxy", "toxics"],
      methods: {
        GET: ({ proxy }) => ({ status: 200, json: proxies.get(proxy).toxicList().map(toxicJson) }),
        POST: async ({ proxy }, request) => {
          const found = proxies.get(proxy);
          const spec = parseNewToxic(await readJson(request), (name) => found.toxic(name) !== undefined);
          found.addToxic(spec);
          return { status: 200, json: toxicJson(spec) };
        },
      },
    },
    {
      pattern: ["proxies", ":proxy", "toxics", ":toxic"],
      methods: {
        GET: ({ proxy, toxic }) => {
          const spec = proxies.get(proxy).toxic(toxic);
          if (!spec) throw toxicNotFound();
          return { status: 200, json: toxicJson(spec) };
        },
        POST: updateToxic,
        PATCH: updateToxic,
        DELETE: ({ proxy, toxic }) => {
          const found = proxies.get(proxy);
          const spec = found.toxic(toxic);
          if (!spec) throw toxicNotFound();
          found.removeToxic(spec);
          return { status: 204 };
        },
      },
    },
  ];
}

/** Finds the route for a path; `undefined` is a 404, a route without the method a 405 (as gorilla/mux). */
export function matchRoute(
  routes: readonly Route[],
  path: string,
): { route: Route; params: Params } | undefined {
  let parts: string[];
  try {
    parts = path.slice(1).split("/").map(decodeURIComponent);
  } catch {
    return undefined;
  }
  for (const route of routes) {
    if (route.pattern.length !== parts.length) continue;
    const params: Params = {};
    const matches = route.pattern.every((segment, i) => {
      if (!segment.startsWith(":")) return segment === parts[i];
      params[segment.slice(1)] = parts[i];
      return parts[i] !== "";
    });
    if (matches) return { route, params };
  }
  return undefined;
}
