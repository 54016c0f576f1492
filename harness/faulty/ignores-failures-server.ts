import { ResultCollector } from "../../src/server/result-collector.js";
import { runFaultyServer } from "./run-faulty.js";

/**
 * A deliberately broken server: it drops a worker's report that a job was dead-lettered, so the song waits
 * for a chunk that will never come (or, with the job's twin done, reads as done). Scenarios with server.kind
 * "ignores-failures".
 */
class IgnoresFailuresCollector extends ResultCollector {
  protected override songFailed(): void {}
}

runFaultyServer(IgnoresFailuresCollector);
