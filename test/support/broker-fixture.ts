import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { LocalBroker } from "../../src/broker/local-broker.js";

export interface BrokerFixture {
  readonly broker: LocalBroker;
  /** A temp dir of the file's, removed after its last test. */
  readonly dir: string;
  /** Runs after the current test, last registered first. */
  defer(cleanup: () => Promise<void>): void;
}

/** One real broker for a test file, started before its tests and stopped after them. */
export function brokerFixture(name: string): BrokerFixture {
  const cleanups: Array<() => Promise<void>> = [];
  let broker: LocalBroker | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `encore-${name}-`));
    broker = await LocalBroker.start({ log: { info: () => {}, warn: () => {}, error: () => {} } });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the broker fixture is used before its beforeAll ran");
    return value;
  };
  return {
    get broker() {
      return started(broker);
    },
    get dir() {
      return started(dir);
    },
    defer: (cleanup) => void cleanups.push(cleanup),
  };
}
