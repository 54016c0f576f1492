import { execFileSync } from "node:child_process";
import { execa } from "execa";
import { freePort } from "../../src/broker/free-port.js";
import type { Logger } from "../../src/log/logger.js";
import { type Child, stopChild } from "../../src/process/spawn-entry.js";
import { EmbeddedToxiproxy } from "../toxiproxy/embedded-toxiproxy.js";

/** A Toxiproxy API, whichever server runs it: the report says which. */
export interface ToxiproxyHandle {
  readonly kind: "external" | "toxiproxy-server" | "embedded";
  readonly description: string;
  /** e.g. http://127.0.0.1:8474 */
  readonly url: string;
  stop(): Promise<void>;
}

const onPath = (command: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/version`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

/**
 * A real Toxiproxy when one is given (--toxiproxy-url) or installed (toxiproxy-server on PATH), else the
 * embedded server that speaks the same API (none can be installed on these machines).
 */
export async function startToxiproxy(
  url: string | undefined,
  seed: number,
  log: Logger,
): Promise<ToxiproxyHandle> {
  if (url) {
    if (!(await answers(url)))
      throw new Error(`bad setting --toxiproxy-url="${url}": no Toxiproxy API answers there`);
    return { kind: "external", description: `Toxiproxy at ${url}`, url, stop: async () => {} };
  }
  if (onPath("toxiproxy-server")) {
    const port = await freePort();
    const child = execa("toxiproxy-server", ["-host", "127.0.0.1", "-port", String(port)], {
      stdio: "ignore",
      reject: false,
      forceKillAfterDelay: false,
    }) as unknown as Child;
    const local = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    while (!(await answers(local))) {
      if (Date.now() > deadline || child.exitCode !== null) {
        await stopChild(child, 1000);
        throw new Error("toxiproxy-server did not answer within 10 s");
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    log.info(`Harness: Toxiproxy: toxiproxy-server on ${local}`);
    return {
      kind: "toxiproxy-server",
      description: `toxiproxy-server (pid ${child.pid}) on ${local}`,
      url: local,
      stop: () => stopChild(child, 2000),
    };
  }
  const embedded = await EmbeddedToxiproxy.start({ host: "127.0.0.1", port: 0, seed });
  log.info(`Harness: Toxiproxy: embedded server on ${embedded.url} (no toxiproxy-server installed)`);
  return {
    kind: "embedded",
    description: `embedded Toxiproxy API on ${embedded.url}`,
    url: embedded.url,
    stop: () => embedded.stop(),
  };
}
