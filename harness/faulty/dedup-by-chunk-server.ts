import { ResultCollector } from "../../src/server/result-collector.js";
import type { JobRecord } from "../../src/server/state-store.js";
import { runFaultyServer } from "./run-faulty-server.js";

/**
 * A deliberately broken server: it de-duplicates results by chunk index instead of job id, so chunk 0 of a
 * second song is dropped as a "duplicate" of the first song's. One song at a time never shows it; several do.
 * Scenarios with server.kind "dedup-by-chunk".
 */
class DedupByChunkCollector extends ResultCollector {
  protected override alreadyTaken(job: JobRecord): boolean {
    return Object.values(this.store.state.jobs).some((j) => j.chunk_index === job.chunk_index && j.accepted);
  }
}

runFaultyServer(DedupByChunkCollector);
