import { appendFileSync } from "node:fs";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";

/** One finished span as a line of JSON; the harness merges every process's file into Jaeger's JSON format. */
export interface SpanLine {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  /** Microseconds since the Unix epoch. */
  startUs: number;
  durationUs: number;
  attributes: Record<string, string | number | boolean>;
  status: "unset" | "ok" | "error";
}

const micros = ([seconds, nanos]: [number, number]) => Math.round(seconds * 1e6 + nanos / 1e3);

/** Appends synchronously, so spans finished before a SIGKILL are on disk. */
export class FileSpanExporter implements SpanExporter {
  constructor(
    private readonly file: string,
    private readonly service: string,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const lines = spans.map((span) => {
      const line: SpanLine = {
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        name: span.name,
        service: this.service,
        startUs: micros(span.startTime),
        durationUs: micros(span.duration),
        attributes: Object.fromEntries(
          Object.entries(span.attributes).filter((e): e is [string, string | number | boolean] =>
            ["string", "number", "boolean"].includes(typeof e[1]),
          ),
        ),
        status: span.status.code === 1 ? "ok" : span.status.code === 2 ? "error" : "unset",
      };
      return JSON.stringify(line);
    });
    try {
      appendFileSync(this.file, lines.map((l) => `${l}\n`).join(""));
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  async shutdown(): Promise<void> {}
}
