/**
 * The trace a request belongs to, for `trace.id` / `span.id` on `request` records. Two sources, no import:
 * - the W3C `traceparent` header the Azure SDK's tracing policy (`@azure/core-tracing` with an OpenTelemetry
 *   instrumentation) put on the request: the span of this very HTTP call;
 * - otherwise the active OpenTelemetry span, read from the global that `@opentelemetry/api` (optional peer) registers
 *   (`Symbol.for("opentelemetry.js.api.1")`): the application's span around the call.
 */
import { traceIds } from "../record/serializeRecord.js";

const OTEL_API = Symbol.for("opentelemetry.js.api.1");
const SPAN_KEY = Symbol.for("OpenTelemetry Context Key SPAN");

interface OtelGlobal {
  context?: { active?: () => { getValue?: (key: symbol) => unknown } | undefined };
}

/** `00-<32 hex>-<16 hex>-<2 hex>` → ids, else undefined. */
export function parseTraceparent(value: string | undefined): { traceId: string; spanId: string } | undefined {
  if (value === undefined || value.length < 55) return undefined;
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})/.exec(value.trim());
  if (m === null || m[1] === "ff") return undefined;
  return traceIds(m[2], m[3]);
}

/** The active OpenTelemetry span's ids, when an OpenTelemetry context manager is registered and a span is active. */
export function activeSpanIds(): { traceId: string; spanId: string } | undefined {
  const api = (globalThis as Record<symbol, OtelGlobal | undefined>)[OTEL_API];
  if (api === undefined) return undefined;
  try {
    const span = api.context?.active?.()?.getValue?.(SPAN_KEY) as
      | { spanContext?: () => { traceId?: unknown; spanId?: unknown } }
      | undefined;
    const sc = span?.spanContext?.();
    return sc === undefined ? undefined : traceIds(sc.traceId, sc.spanId);
  } catch {
    return undefined;
  }
}
