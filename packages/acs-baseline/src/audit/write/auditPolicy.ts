/**
 * A core-rest-pipeline policy that writes one `request` record per HTTP attempt.
 */
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import type { AuditRecorder, BlockingRecorder, RequestRecorder } from "./recorder.js";
import { AUDIT_BLOCKED, WRITE_REQUEST } from "./recorder.js";
import type { RequestRecordInput } from "../record/requestRecord.js";
import { AUDIT_RECORD_INCOMPLETE } from "../record/serializeRecord.js";
import { REQUEST_CONTROLS } from "../record/requestRecord.js";
import { activeSpanIds, parseTraceparent } from "./traceContext.js";
import { BaselineViolationError } from "../../errors.js";

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

/**
 * A correlation id as services write them (a GUID, an MS-CV `base.1.2`, a `|trace.span.` request-id): no spaces,
 * quotes or braces, so a service that echoes the request into the header writes nothing of it into the record.
 */
const CORRELATION_SHAPE = /^[A-Za-z0-9|][A-Za-z0-9._:|+/=-]{0,127}$/;

function correlationOf(response: PipelineResponse | undefined): string | undefined {
  if (response === undefined) return undefined;
  const h = response.headers;
  const id = h.get("x-ms-request-id") ?? h.get("ms-cv") ?? h.get("request-id");
  return id !== undefined && CORRELATION_SHAPE.test(id) ? id : undefined;
}

/**
 * A pipeline policy that writes a `request` record (method, path without query, status, `x-ms-client-request-id`,
 * the service's correlation id, duration) for every request it sees; failures (a thrown error, no response, or an
 * HTTP status of 400 or more) are `failure` records with the error code (the `x-ms-error-code` header, else a
 * code-shaped `error.code` of the error body).
 *
 * @remarks
 * Add it with `{ afterPhase: "Retry" }` to get one record per attempt (retries included). It never reads or records
 * headers other than the request/correlation ids and the error code, nor query strings; of a body, only a failed
 * response's `error.code` is read, and only when it is shaped like a code.
 * @param recorder - where records go
 * @param clientName - the client class, e.g. `SmsClient` (written as `acs.client`)
 * @public
 */
export function createAuditPolicy(recorder: AuditRecorder, clientName: string): PipelinePolicy {
  const fast =
    typeof (recorder as Partial<RequestRecorder>)[WRITE_REQUEST] === "function"
      ? (recorder as AuditRecorder & RequestRecorder)
      : undefined;
  const blocking =
    typeof (recorder as Partial<BlockingRecorder>)[AUDIT_BLOCKED] === "function"
      ? (recorder as AuditRecorder & BlockingRecorder)
      : undefined;
  return {
    name: AUDIT_POLICY_NAME,
    sendRequest(request: PipelineRequest, next): Promise<PipelineResponse> {
      if (blocking?.[AUDIT_BLOCKED]() === true) {
        // onWriteError "block": nothing goes out while its record cannot be written.
        const error = new BaselineViolationError(
          "AUDIT_WRITE_FAILED",
          'The audit log cannot be written (disk full or I/O error), so the request was not sent (audit.onWriteError: "block"). It goes out again once records can be written.',
        );
        try {
          recorder.write({
            action: "refuse",
            outcome: "failure",
            controls: [error.control],
            reason: error.message,
            error: { code: error.code },
            client: clientName,
          });
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
        recordFailure(recorder, clientName, request, start, error, active);
        throw error;
      }
      return sent.then(
        (response) => {
          recordResponse(recorder, fast, clientName, request, start, response, active);
          return response;
        },
        (error: unknown) => {
          recordFailure(recorder, clientName, request, start, error, active);
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
  active: TraceIds,
): void {
  if (fast !== undefined) {
    // The common case (a plain request, status < 400): one try around the whole read; any getter that throws sends
    // the record down the careful path below, which reads each field on its own.
    let input: RequestRecordInput | undefined;
    try {
      const status = response.status;
      if (status < 400) {
        const trace = traceOf(request, active);
        // Primitives only, handed over as they are (no event object to snapshot).
        input = {
          client: clientName,
          method: request.method,
          path: pathOf(request.url),
          status,
          requestId: request.requestId,
          correlationId: correlationOf(response),
          durationMs: performance.now() - start,
          traceId: trace?.traceId,
          spanId: trace?.spanId,
        };
      }
    } catch {
      input = undefined;
    }
    if (input !== undefined) {
      fast[WRITE_REQUEST](input);
      return;
    }
  }
  writeRecord(recorder, clientName, request, start, active, (unreadable) => {
    const status = readField(response, "status", unreadable, "response.status");
    const ok = typeof status === "number" && status < 400;
    const known = typeof status === "number" ? status : undefined;
    let code = `HTTP_${known ?? "UNKNOWN"}`;
    if (!ok) {
      try {
        const header = response.headers.get("x-ms-error-code");
        code = (header !== undefined && ERROR_CODE_SHAPE.test(header) ? header : bodyErrorCode(response)) ?? code;
      } catch {
        unreadable.push("response.headers");
      }
    }
    return {
      ok,
      status: known,
      reason: ok ? undefined : known === undefined ? "status unreadable" : `HTTP ${known}`,
      correlationId: correlationRead(response, unreadable),
      error: ok ? undefined : { code },
    };
  });
}

function recordFailure(
  recorder: AuditRecorder,
  clientName: string,
  request: PipelineRequest,
  start: number,
  error: unknown,
  active: TraceIds,
): void {
  writeRecord(recorder, clientName, request, start, active, (unreadable) => {
    const e: object = typeof error === "object" && error !== null ? error : {};
    const statusCode = readField(e, "statusCode", unreadable, "error.statusCode");
    const response = readField(e, "response", unreadable, "error.response");
    const res = typeof response === "object" && response !== null ? response : undefined;
    const resStatus =
      res === undefined || typeof statusCode === "number"
        ? undefined
        : readField(res, "status", unreadable, "error.response.status");
    const status = typeof statusCode === "number" ? statusCode : typeof resStatus === "number" ? resStatus : undefined;
    const c = readField(e, "code", unreadable, "error.code");
    const name = typeof c === "string" ? undefined : readField(e, "name", unreadable, "error.name");
    const message = readField(e, "message", unreadable, "error.message");
    return {
      ok: false,
      status,
      reason: status === undefined ? "no response" : `HTTP ${status}`,
      correlationId: res === undefined ? undefined : correlationRead(res as PipelineResponse, unreadable),
      error: {
        code: typeof c === "string" ? c : typeof name === "string" ? name : "ERROR",
        message: typeof message === "string" ? message : undefined,
      },
    };
  });
}

/** A service error code: a name, never a sentence, a number or anything long enough to hold a secret. */
const ERROR_CODE_SHAPE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** Error bodies read for their code at most this long (an ACS error body is a few hundred bytes). */
const ERROR_BODY_LIMIT = 16_384;

/**
 * The code of an ACS error body (`{"error":{"code":"…","message":"…"}}`, the REST specs' CommunicationErrorResponse),
 * for a failed response without an `x-ms-error-code` header. Only a code-shaped `error.code` is taken; the message
 * and everything else in the body are never read into the record.
 */
function bodyErrorCode(response: PipelineResponse): string | undefined {
  try {
    const text = response.bodyAsText;
    if (typeof text !== "string" || text.length > ERROR_BODY_LIMIT || !text.includes('"code"')) return undefined;
    const body: unknown = JSON.parse(text);
    const error: unknown = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
    const code: unknown = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
    return typeof code === "string" && ERROR_CODE_SHAPE.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** What a record says about the outcome: from the response, or from the error thrown. */
interface Outcome {
  ok: boolean;
  status: number | undefined;
  reason: string | undefined;
  correlationId: string | undefined;
  error: { code: string; message?: string } | undefined;
}

/**
 * Reads one property; a getter (or Proxy trap) that throws gives undefined, and the field's name is noted in
 * `unreadable`. Only the careful path uses it: the fast path reads plain properties under a single try.
 */
function readField(o: object, key: string, unreadable: string[], label: string): unknown {
  try {
    return (o as Record<string, unknown>)[key];
  } catch {
    unreadable.push(label);
    return undefined;
  }
}

function correlationRead(response: PipelineResponse, unreadable: string[]): string | undefined {
  try {
    return correlationOf(response);
  } catch {
    unreadable.push("response.headers");
    return undefined;
  }
}

/**
 * The careful path: every field read on its own, so a field that cannot be read (a caller's policy turned it into a
 * getter that throws) costs only that field. A record with such a field carries `error.code: AUDIT_RECORD_INCOMPLETE`
 * (its message names the fields, and the failure's own code when there was one). Should even that record not build,
 * a minimal `request` record with the marker, the outcome and the status is written: a request never goes unrecorded.
 */
function writeRecord(
  recorder: AuditRecorder,
  clientName: string,
  request: PipelineRequest,
  start: number,
  active: TraceIds,
  outcomeOf: (unreadable: string[]) => Outcome,
): void {
  const unreadable: string[] = [];
  let outcome: Outcome | undefined;
  try {
    outcome = outcomeOf(unreadable);
    const method = readField(request, "method", unreadable, "request.method");
    const url = readField(request, "url", unreadable, "request.url");
    const requestId = readField(request, "requestId", unreadable, "request.requestId");
    let trace = active;
    try {
      trace = traceOf(request, active);
    } catch {
      unreadable.push("request.headers");
    }
    let error = outcome.error;
    if (unreadable.length > 0) {
      const failedWith =
        error === undefined
          ? ""
          : `; the request failed with ${error.code}${error.message === undefined ? "" : `: ${error.message}`}`;
      error = { code: AUDIT_RECORD_INCOMPLETE, message: `${incompleteMessage(unreadable)}${failedWith}` };
    }
    recorder.write({
      action: "request",
      outcome: outcome.ok ? "success" : "failure",
      controls: REQUEST_CONTROLS,
      client: clientName,
      reason: outcome.reason,
      http: {
        method: typeof method === "string" ? method : "UNKNOWN",
        path: typeof url === "string" ? pathOf(url) : "",
        status: outcome.status,
        requestId: typeof requestId === "string" ? requestId : undefined,
        correlationId: outcome.correlationId,
        durationMs: performance.now() - start,
      },
      error,
      trace,
    });
  } catch {
    try {
      recorder.write({
        action: "request",
        outcome: outcome?.ok === true ? "success" : "failure",
        controls: REQUEST_CONTROLS,
        client: clientName,
        reason: outcome?.reason,
        http: { method: "UNKNOWN", path: "", status: outcome?.status, durationMs: performance.now() - start },
        error: {
          code: AUDIT_RECORD_INCOMPLETE,
          message: "The request record could not be built in full; only its outcome and status are kept.",
        },
      });
    } catch {
      // the caller's response (or original error) matters more than its record
    }
  }
}

function incompleteMessage(unreadable: readonly string[]): string {
  return `Could not read ${[...new Set(unreadable)].join(", ")} (a getter threw); the record keeps the fields that could be read`;
}
