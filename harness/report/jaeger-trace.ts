import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SpanLine } from "../../src/tracing/file-span-exporter.js";

/** Jaeger's own JSON (what its UI's "JSON file" tab and /api/traces speak). */
export interface JaegerTag {
  key: string;
  type: "string" | "int64" | "float64" | "bool";
  value: string | number | boolean;
}
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  flags: number;
  operationName: string;
  references: { refType: "CHILD_OF"; traceID: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: never[];
  processID: string;
  warnings: null;
}
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
  warnings: null;
}

const tag = (key: string, value: string | number | boolean): JaegerTag => ({
  key,
  type:
    typeof value === "boolean"
      ? "bool"
      : typeof value === "number"
        ? Number.isInteger(value)
          ? "int64"
          : "float64"
        : "string",
  value,
});

export function readSpanLines(tracesDir: string): SpanLine[] {
  if (!existsSync(tracesDir)) return [];
  return readdirSync(tracesDir)
    .filter((f) => f.endsWith(".jsonl"))
    .flatMap((f) =>
      readFileSync(join(tracesDir, f), "utf8")
        .split("\n")
        .filter((l) => l.trim())
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as SpanLine];
          } catch {
            return [];
          }
        }),
    );
}

/** Groups every process's spans into traces; one process entry per service and OS process. */
export function jaegerJson(spans: readonly SpanLine[]): { data: JaegerTrace[] } {
  const byTrace = new Map<string, SpanLine[]>();
  for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  const data = [...byTrace.entries()].map(([traceID, lines]): JaegerTrace => {
    const processes: JaegerTrace["processes"] = {};
    const processOf = (line: SpanLine) => {
      const worker = line.attributes["encore.worker_id"];
      const key = line.service === "encore-worker" && worker ? `${line.service}:${worker}` : line.service;
      let id = Object.entries(processes).find(([, p]) =>
        p.tags.some((t) => t.key === "encore.process" && t.value === key),
      )?.[0];
      if (!id) {
        id = `p${Object.keys(processes).length + 1}`;
        processes[id] = { serviceName: line.service, tags: [tag("encore.process", key)] };
      }
      return id;
    };
    return {
      traceID,
      spans: lines
        .sort((a, b) => a.startUs - b.startUs)
        .map((line) => ({
          traceID,
          spanID: line.spanId,
          flags: 1,
          operationName: line.name,
          references: line.parentSpanId ? [{ refType: "CHILD_OF", traceID, spanID: line.parentSpanId }] : [],
          startTime: line.startUs,
          duration: line.durationUs,
          tags: [
            ...Object.entries(line.attributes).map(([k, v]) => tag(k, v)),
            tag("otel.status_code", line.status),
          ],
          logs: [],
          processID: processOf(line),
          warnings: null,
        })),
      processes,
      warnings: null,
    };
  });
  return { data };
}
