import {
  type Context,
  context,
  propagation,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type { Headers } from "../stomp/session.js";
import { FileSpanExporter } from "./file-span-exporter.js";

/** Modules take the global tracer; startTracing() decides whether it records anything. */
export const tracer = (): Tracer => trace.getTracer("encore");

export interface Tracing {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

/**
 * Tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT (e.g. Jaeger's OTLP port) or TRACES_FILE is set; otherwise the
 * OpenTelemetry API's no-op tracer is used and tracing costs nothing. The tracer provider is the SDK's Node one
 * rather than the whole NodeSDK (metrics, logs, every exporter), and the OTLP exporter is loaded only when it is
 * used: every worker loads this at start, and that took 250 ms against 100 ms.
 */
export async function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): Promise<Tracing> {
  const processors: SpanProcessor[] = [];
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  if (env.TRACES_FILE)
    processors.push(new SimpleSpanProcessor(new FileSpanExporter(env.TRACES_FILE, service)));
  if (processors.length === 0) return { tracer: trace.getTracer(service), shutdown: async () => {} };
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: processors,
  });
  // Sets the global tracer provider, the async-hooks context manager and the W3C propagators, as NodeSDK did.
  provider.register();
  return { tracer: trace.getTracer(service), shutdown: () => provider.shutdown() };
}

/** W3C trace context into STOMP headers (traceparent, tracestate). */
export function injectTrace(ctx: Context): Headers {
  const headers: Headers = {};
  propagation.inject(ctx, headers);
  return headers;
}

export const extractTrace = (headers: Headers): Context => propagation.extract(context.active(), headers);

export const inSpan = (span: Span): Context => trace.setSpan(context.active(), span);

/** Ends a span with an outcome attribute; errors mark it failed. */
export function endSpan(span: Span, outcome: string, error?: Error): void {
  span.setAttribute("encore.outcome", outcome);
  if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.end();
}
