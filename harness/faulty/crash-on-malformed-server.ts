import { ResultCollector } from "../../src/server/result-collector.js";
import { runFaultyServer } from "./run-faulty-server.js";

/**
 * A deliberately broken server: a result it cannot parse brings it down (an unhandled error), instead of going
 * to the dead-letter queue. Scenarios with server.kind "crash-on-malformed".
 */
class CrashOnMalformedCollector extends ResultCollector {
  protected override async setAside(_delivery: unknown, reason: string): Promise<void> {
    process.stderr.write(`Server: cannot handle a result (${reason}): exiting\n`);
    process.exit(70);
  }
}

runFaultyServer(CrashOnMalformedCollector);
