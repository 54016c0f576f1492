import { ResultCollector } from "../../src/server/result-collector.js";
import { declareJobsClassic } from "./classic-job-queue.js";
import { runFaultyServer } from "./run-faulty-server.js";

/**
 * A deliberately broken server: it sends its jobs to a classic queue, one node's, which a cluster loses with that
 * node. Scenarios with server.kind "classic-jobs" (and workers of the same kind). The collector is only where the
 * server's link can be reached from outside the product.
 */
class ClassicJobsCollector extends ResultCollector {
  constructor(...args: ConstructorParameters<typeof ResultCollector>) {
    super(...args);
    const [, , link, queues] = args;
    declareJobsClassic(link, queues.jobs);
  }
}

runFaultyServer(ClassicJobsCollector);
