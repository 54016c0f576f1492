import { describe, expect, it } from "vitest";
import { jaegerJson } from "../../harness/report/jaeger-trace.js";
import type { SpanLine } from "../../src/tracing/file-span-exporter.js";

const span = (
  spanId: string,
  parentSpanId: string | undefined,
  name: string,
  service: string,
  worker?: string,
): SpanLine => ({
  traceId: "a".repeat(32),
  spanId,
  parentSpanId,
  name,
  service,
  startUs: 1_700_000_000_000_000 + Number.parseInt(spanId, 16),
  durationUs: 1500,
  attributes: worker
    ? { "encore.worker_id": worker, "encore.redelivered": false, "encore.delivery_count": 0 }
    : { "encore.music_id": 1 },
  status: "unset",
});

/**
 * What Jaeger UI's "JSON file" tab reads (its readJsonFile + transformTraceData): {data: [trace]} with traceID,
 * spans (traceID, spanID, operationName, references [{refType, traceID, spanID}], startTime and duration in µs,
 * tags [{key, type, value}], processID), and processes {id: {serviceName, tags}}.
 */
describe("traces.json in Jaeger's format", () => {
  const lines = [
    span("0000000000000001", undefined, "song", "encore-server"),
    span("0000000000000002", "0000000000000001", "publish Job[1]", "encore-server"),
    span("0000000000000003", "0000000000000002", "attempt Job[1]", "encore-worker", "5d52b7f"),
    span("0000000000000004", "0000000000000002", "attempt Job[1]", "encore-worker", "d6ed28a"),
  ];
  const { data } = jaegerJson(lines);

  it("holds one trace with every span, parents as CHILD_OF references", () => {
    expect(data).toHaveLength(1);
    const [trace] = data;
    expect(trace.traceID).toBe("a".repeat(32));
    expect(trace.spans).toHaveLength(4);
    const ids = new Set(trace.spans.map((s) => s.spanID));
    for (const s of trace.spans) {
      expect(s.traceID).toBe(trace.traceID);
      expect(typeof s.operationName).toBe("string");
      expect(Number.isInteger(s.startTime) && Number.isInteger(s.duration)).toBe(true);
      for (const ref of s.references) {
        expect(ref.refType).toBe("CHILD_OF");
        expect(ids.has(ref.spanID)).toBe(true);
      }
      expect(trace.processes[s.processID]).toBeDefined();
      for (const t of s.tags) expect(["string", "int64", "float64", "bool"]).toContain(t.type);
    }
    expect(trace.spans.find((s) => s.operationName === "song")?.references).toEqual([]);
  });

  it("gives each worker process its own process entry", () => {
    const [trace] = data;
    expect(
      Object.values(trace.processes)
        .map((p) => p.serviceName)
        .sort(),
    ).toEqual(["encore-server", "encore-worker", "encore-worker"]);
    const attempts = trace.spans.filter((s) => s.operationName === "attempt Job[1]");
    expect(attempts[0].processID).not.toBe(attempts[1].processID);
    expect(attempts[0].tags).toContainEqual({ key: "encore.redelivered", type: "bool", value: false });
  });

  it("round-trips through JSON unchanged", () => {
    expect(JSON.parse(JSON.stringify({ data }))).toEqual({ data });
  });
});
