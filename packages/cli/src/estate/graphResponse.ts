/**
 * Reading a Resource Graph answer as the REST spec allows it (`QueryResponse`, api-version 2024-04-01): rows as an
 * object array or as a table (`{columns, rows}`), `resultTruncated` as a string or a boolean, a throttled answer
 * (429 with `Retry-After` or only `x-ms-user-quota-resets-after`), and an error whose body is not ARM's
 * `{error:{code,message}}` (OData, a bare `{code,message}`, a gateway's HTML), which the SDK's own error reading
 * trips over. Nothing of a body is quoted: only an error code that looks like one.
 */
import { describeArmError } from "acs-baseline/internal";
import { retryAfterMs } from "acs-baseline/internal/text";
import { OffEndpointError } from "./armRequests.js";

/** The raw response of one Resource Graph request, as the SDK's `onResponse` hands it over. */
export interface GraphRawResponse {
  status: number;
  headers: { get(name: string): string | undefined };
  bodyAsText?: string | null;
  parsedBody?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/**
 * The rows of a page: `data` as an object array, or as a table (`columns` with names, `rows` as arrays), which a
 * service that ignores `resultFormat` sends. Anything else (another shape, a row that is not an object or an array)
 * is undefined: the page cannot be read.
 */
export function rowsOf(data: unknown): Record<string, unknown>[] | undefined {
  if (Array.isArray(data))
    return data.every((row) => isObject(row) && !Array.isArray(row)) ? (data as Record<string, unknown>[]) : undefined;
  if (!isObject(data) || !Array.isArray(data.columns) || !Array.isArray(data.rows)) return undefined;
  if (!data.rows.every((row) => Array.isArray(row))) return undefined;
  const names = data.columns.map((c) => (isObject(c) && typeof c.name === "string" ? c.name : ""));
  return (data.rows as unknown[][]).map((row) => {
    const out: Record<string, unknown> = {};
    names.forEach((name, i) => {
      if (name !== "" && name !== "__proto__") out[name] = row[i];
    });
    return out;
  });
}

/**
 * The rows of a page, or why it cannot be read: `data` in neither documented shape, or a `count` (the rows in this
 * page) that differs from the rows it holds.
 */
export function pageRows(page: { data?: unknown; count?: unknown }): Record<string, unknown>[] | string {
  const rows = rowsOf(page.data);
  if (rows === undefined)
    return "Resource Graph answered a page whose data is neither an object array nor a table (columns and rows)";
  if (typeof page.count === "number" && page.count !== rows.length)
    return `Resource Graph answered a page that says it holds ${page.count} rows but holds ${rows.length}`;
  return rows;
}

/** `resultTruncated` as the spec's enum string ("true"/"false") or a JSON boolean. */
function isTruncated(value: unknown): boolean {
  return value === true || (typeof value === "string" && value.trim().toLowerCase() === "true");
}

/** A page's `$skipToken` when it names one (a non-empty string), else undefined: the last page. */
export function skipTokenOf(page: { skipToken?: unknown }): string | undefined {
  return typeof page.skipToken === "string" && page.skipToken.length > 0 ? page.skipToken : undefined;
}

/**
 * Why a page cannot be read as part of a whole table, or undefined: results truncated without a `$skipToken`, a
 * `$skipToken` already seen (it would be asked for ever), or an answer limited to the first 10,000 subscriptions
 * (`x-ms-tenant-subscription-limit-hit: true`).
 */
export function incompletePage(
  page: { skipToken?: unknown; resultTruncated?: unknown },
  raw: GraphRawResponse | undefined,
  seen: ReadonlySet<string>,
): string | undefined {
  const token = skipTokenOf(page);
  if (raw?.headers.get("x-ms-tenant-subscription-limit-hit")?.trim().toLowerCase() === "true")
    return "Resource Graph answered for the first 10,000 subscriptions only (x-ms-tenant-subscription-limit-hit): sweep by --management-group or --subscription";
  if (token === undefined && isTruncated(page.resultTruncated))
    return "Resource Graph truncated the results without a $skipToken to read the rest";
  if (token !== undefined && seen.has(token)) return "Resource Graph returned a $skipToken it had already returned";
  return undefined;
}

/** The error code of an error body in any of the shapes Azure services use; undefined when there is none. */
function errorCodeOf(body: unknown): unknown {
  if (!isObject(body)) return undefined;
  const inner = body.error ?? body["odata.error"];
  if (isObject(inner)) return inner.code;
  return body.code;
}

function bodyOf(raw: GraphRawResponse): unknown {
  if (raw.parsedBody !== undefined) return raw.parsedBody;
  try {
    return JSON.parse(raw.bodyAsText ?? "");
  } catch {
    return undefined;
  }
}

/**
 * A secret-free reason for a failed query: from the last raw response when it was an HTTP error (its status, and the
 * error code of its body or `x-ms-error-code`), otherwise from the error itself.
 */
export function describeGraphError(error: unknown, raw: GraphRawResponse | undefined): string {
  if (error instanceof OffEndpointError) return error.message;
  const fromResponse =
    raw !== undefined && raw.status >= 400
      ? describeArmError({
          statusCode: raw.status,
          code: errorCodeOf(bodyOf(raw)) ?? raw.headers.get("x-ms-error-code"),
        })
      : describeArmError(error);
  return fromResponse.replace(/^ARM/, "Resource Graph");
}

/** Longest wait for a throttled query, in milliseconds. */
export const MAX_THROTTLE_WAIT_MS = 10_000;

/**
 * How long to wait before asking again after a 429: `Retry-After` (seconds or an HTTP date), else
 * `x-ms-user-quota-resets-after` (hh:mm:ss), else one second; at most {@link MAX_THROTTLE_WAIT_MS}.
 */
export function throttleWaitMs(raw: GraphRawResponse, now = Date.now()): number {
  const retryAfter = raw.headers.get("retry-after")?.trim();
  let ms: number | undefined;
  if (retryAfter !== undefined && retryAfter !== "") {
    ms = retryAfterMs(retryAfter, now);
  } else {
    const m = /^(\d{1,2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(raw.headers.get("x-ms-user-quota-resets-after")?.trim() ?? "");
    if (m !== null) ms = (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4] ?? 0)) * 1000;
  }
  if (ms === undefined || !Number.isFinite(ms)) ms = 1000;
  return Math.min(Math.max(ms, 0), MAX_THROTTLE_WAIT_MS);
}
