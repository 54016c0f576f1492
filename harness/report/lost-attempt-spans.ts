import { createHash } from "node:crypto";
import type { SpanLine } from "../../src/tracing/file-span-exporter.js";
import type { RunRecord } from "../run/run-record.js";

/**
 * A worker killed or frozen mid-job never ends its attempt span, so the trace would not show the attempt the
 * fault cost. These spans are rebuilt from the recorded history, under the job's publish span, and marked so.
 */
export function lostAttemptSpans(run: RunRecord, recorded: readonly SpanLine[]): SpanLine[] {
  const startedUs = Date.parse(run.timings.startedAt) * 1000;
  const spans: SpanLine[] = [];
  for (const chunk of run.input.ledger) {
    const publish = recorded.find((s) => s.name === `publish Job[${chunk.job}]`);
    if (!publish) continue;
    for (const attempt of chunk.deliveries) {
      if (attempt.outcome !== "crashed" && attempt.outcome !== "frozen") continue;
      const alreadyTraced = recorded.some(
        (s) => s.name === `attempt Job[${chunk.job}]` && s.attributes["encore.worker_id"] === attempt.worker,
      );
      if (alreadyTraced) continue;
      const end = attempt.endedAt ?? attempt.at;
      spans.push({
        traceId: publish.traceId,
        spanId: createHash("sha256")
          .update(`${chunk.job}:${attempt.worker}:${attempt.at}`)
          .digest("hex")
          .slice(0, 16),
        parentSpanId: publish.spanId,
        name: `attempt Job[${chunk.job}]`,
        service: "encore-worker",
        startUs: Math.round(startedUs + attempt.at * 1000),
        durationUs: Math.round((end - attempt.at) * 1000),
        attributes: {
          "encore.job_id": chunk.job,
          "encore.worker_id": attempt.worker,
          "encore.redelivered": attempt.redelivered,
          "encore.delivery_count": attempt.deliveryCount,
          "encore.outcome": attempt.outcome,
          "encore.rebuilt_from_history": true,
        },
        status: "error",
      });
    }
  }
  return spans;
}
