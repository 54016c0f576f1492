import { ResultCollector } from "../../src/server/result-collector.js";
import { runFaultyServer } from "./run-faulty.js";

/**
 * A deliberately broken server: it takes a result or failure report by its job id alone, without checking that
 * it is of the job it sent (the job-digest), so a forged copy of a real job that no worker can do fails the real
 * song. Scenarios with server.kind "trusts-job-id".
 */
class TrustsJobIdCollector extends ResultCollector {
  protected override ofJobSent(): boolean {
    return true;
  }
}

runFaultyServer(TrustsJobIdCollector);
