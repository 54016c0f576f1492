import { ResultCollector } from "../../src/server/result-collector.js";
import { runFaultyServer } from "./run-faulty-server.js";

/**
 * A deliberately broken server: it takes any result that names a job it sent, without checking that the result
 * was made from that job (its job-digest), so a forged result that comes first is merged. Scenarios with
 * server.kind "trusts-job-id".
 */
class TrustsJobIdCollector extends ResultCollector {
  protected override ofJobSent(): boolean {
    return true;
  }
}

runFaultyServer(TrustsJobIdCollector);
