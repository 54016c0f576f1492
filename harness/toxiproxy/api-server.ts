import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./api-error.js";
import { matchRoute, type Reply, toxiproxyRoutes } from "./api-routes.js";
import type { ProxyCollection } from "./proxy-collection.js";

/**
 * Toxiproxy's HTTP API as a node:http request handler. Requests are served one at a time, as Toxiproxy's
 * locks serialise changes, so a slow start or stop of a proxy cannot interleave with another change.
 */
export function toxiproxyHandler(
  proxies: ProxyCollection,
): (request: IncomingMessage, response: ServerResponse) => void {
  const routes = toxiproxyRoutes(proxies);
  let queue: Promise<unknown> = Promise.resolve();

  const serve = async (request: IncomingMessage): Promise<Reply> => {
    // Toxiproxy turns browsers away so that a web page cannot drive it (cross-site requests).
    if (request.headers["user-agent"]?.startsWith("Mozilla/"))
      return { status: 403, text: "User agent not allowed\n" };
    const path = new URL(request.url ?? "/", "http://toxiproxy").pathname;
    const match = matchRoute(routes, path);
    if (!match) return { status: 404, text: "404 page not found\n" };
    const handler = match.route.methods[request.method ?? ""];
    if (!handler) return { status: 405, text: "" };
    try {
      return await handler(match.params, request);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError((error as Error).message, 500);
      return { status: apiError.status, json: apiError };
    }
  };

  return (request, response) => {
    const reply = queue.then(() => serve(request));
    queue = reply.catch(() => {});
    reply.then(
      (answer) => send(response, answer),
      (error: Error) => send(response, { status: 500, json: new ApiError(error.message, 500) }),
    );
  };
}

function send(response: ServerResponse, reply: Reply): void {
  if (response.destroyed) return;
  if (reply.status === 204) {
    response.writeHead(204).end();
    return;
  }
  const json = reply.json !== undefined;
  const body = json ? JSON.stringify(reply.json) : (reply.text ?? "");
  response.writeHead(reply.status, {
    "content-type": json ? "application/json" : (reply.type ?? "text/plain; charset=utf-8"),
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}
