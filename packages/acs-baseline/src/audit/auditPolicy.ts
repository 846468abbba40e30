/**
 * A core-rest-pipeline policy that writes one `request` record per HTTP attempt.
 */
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import type { AuditRecorder, BlockingRecorder, RequestRecorder } from "./recorder.js";
import { AUDIT_BLOCKED, WRITE_REQUEST } from "./recorder.js";
import { REQUEST_CONTROLS } from "./record.js";
import { activeSpanIds, parseTraceparent } from "./traceContext.js";
import { BaselineViolationError } from "../errors.js";

type TraceIds = { traceId: string; spanId: string } | undefined;

/** The span of this HTTP call (the SDK's `traceparent`), else the application's active span. */
function traceOf(request: PipelineRequest, active: TraceIds): TraceIds {
  return parseTraceparent(request.headers.get("traceparent")) ?? active;
}

/** Name of the policy in the pipeline. */
export const AUDIT_POLICY_NAME = "acsBaselineAuditPolicy";

function pathOf(url: string): string {
  const scheme = url.indexOf("://");
  const start = scheme >= 0 ? url.indexOf("/", scheme + 3) : 0;
  if (start < 0) return "/";
  let end = url.length;
  const q = url.indexOf("?", start);
  if (q >= 0) end = q;
  const h = url.indexOf("#", start);
  if (h >= 0 && h < end) end = h;
  return url.slice(start, end);
}

function correlationOf(response: PipelineResponse | undefined): string | undefined {
  if (response === undefined) return undefined;
  const h = response.headers;
  return h.get("x-ms-request-id") ?? h.get("ms-cv") ?? h.get("request-id") ?? undefined;
}

/**
 * A pipeline policy that writes a `request` record (method, path without query, status, `x-ms-client-request-id`,
 * the service's correlation id, duration) for every request it sees; failures (a thrown error, no response, or an
 * HTTP status of 400 or more) are `failure` records with the error code.
 *
 * @remarks
 * Add it with `{ afterPhase: "Retry" }` to get one record per attempt (retries included). It never reads or records
 * headers other than the request/correlation ids, nor bodies or query strings.
 * @param recorder - where records go
 * @param clientName - the client class, e.g. `SmsClient` (written as `acs.client`)
 * @public
 */
export function createAuditPolicy(recorder: AuditRecorder, clientName: string): PipelinePolicy {
  const fast = typeof (recorder as Partial<RequestRecorder>)[WRITE_REQUEST] === "function" ? (recorder as AuditRecorder & RequestRecorder) : undefined;
  const blocking = typeof (recorder as Partial<BlockingRecorder>)[AUDIT_BLOCKED] === "function" ? (recorder as AuditRecorder & BlockingRecorder) : undefined;
  return {
    name: AUDIT_POLICY_NAME,
    sendRequest(request: PipelineRequest, next): Promise<PipelineResponse> {
      if (blocking?.[AUDIT_BLOCKED]() === true) {
        // onWriteError "block": nothing goes out while its record cannot be written.
        const error = new BaselineViolationError(
          "AUDIT_WRITE_FAILED",
          "The audit log cannot be written (disk full or I/O error), so the request was not sent (audit.onWriteError: \"block\"). It goes out again once records can be written.",
        );
        try {
          recorder.write({ action: "refuse", outcome: "failure", controls: [error.control], reason: error.message, error: { code: error.code }, client: clientName });
        } catch {
          // the refusal stands
        }
        return Promise.reject(error);
      }
      const start = performance.now();
      const active = activeSpanIds();
      let sent: Promise<PipelineResponse>;
      try {
        sent = next(request);
      } catch (error) {
        recordFailure(recorder, clientName, request, start, error, traceOf(request, active));
        throw error;
      }
      return sent.then(
        (response) => {
          recordResponse(recorder, fast, clientName, request, start, response, traceOf(request, active));
          return response;
        },
        (error: unknown) => {
          recordFailure(recorder, clientName, request, start, error, traceOf(request, active));
          throw error;
        },
      );
    },
  };
}

function recordResponse(
  recorder: AuditRecorder,
  fast: RequestRecorder | undefined,
  clientName: string,
  request: PipelineRequest,
  start: number,
  response: PipelineResponse,
  trace: TraceIds,
): void {
  try {
    if (fast !== undefined && response.status < 400) {
      // The common case: primitives only, handed over as they are (no event object to snapshot).
      fast[WRITE_REQUEST]({
        client: clientName,
        method: request.method,
        path: pathOf(request.url),
        status: response.status,
        requestId: request.requestId,
        correlationId: correlationOf(response),
        durationMs: performance.now() - start,
        traceId: trace?.traceId,
        spanId: trace?.spanId,
      });
      return;
    }
    writeResponse(recorder, clientName, request, start, response, trace);
  } catch {
    // the caller's response matters more than its record
  }
}

function writeResponse(recorder: AuditRecorder, clientName: string, request: PipelineRequest, start: number, response: PipelineResponse, trace: TraceIds): void {
  const status = response.status;
  const ok = status < 400;
  recorder.write({
    action: "request",
    outcome: ok ? "success" : "failure",
    controls: REQUEST_CONTROLS,
    client: clientName,
    reason: ok ? undefined : `HTTP ${status}`,
    http: {
      method: request.method,
      path: pathOf(request.url),
      status,
      requestId: request.requestId,
      correlationId: correlationOf(response),
      durationMs: performance.now() - start,
    },
    error: ok ? undefined : { code: response.headers.get("x-ms-error-code") ?? `HTTP_${status}` },
    trace,
  });
}

function recordFailure(recorder: AuditRecorder, clientName: string, request: PipelineRequest, start: number, error: unknown, trace: TraceIds): void {
  try {
    const e = (typeof error === "object" && error !== null ? error : {}) as {
      code?: unknown;
      statusCode?: unknown;
      message?: unknown;
      name?: unknown;
      response?: PipelineResponse;
    };
    const status = typeof e.statusCode === "number" ? e.statusCode : e.response?.status;
    const code = typeof e.code === "string" ? e.code : typeof e.name === "string" ? e.name : "ERROR";
    recorder.write({
      action: "request",
      outcome: "failure",
      controls: REQUEST_CONTROLS,
      client: clientName,
      reason: status === undefined ? "no response" : `HTTP ${status}`,
      http: {
        method: request.method,
        path: pathOf(request.url),
        status,
        requestId: request.requestId,
        correlationId: correlationOf(e.response),
        durationMs: performance.now() - start,
      },
      error: { code, message: typeof e.message === "string" ? e.message : undefined },
      trace,
    });
  } catch {
    // never mask the original error
  }
}
