/**
 * The table-based router every emulated data-plane service uses: a service is a list of routes (method, path pattern,
 * handler), and a handler turns one parsed request into one reply. Handlers never write to the socket themselves.
 */

/** One parsed data-plane request, as a handler sees it. */
export interface DataPlaneRequest {
  readonly method: string;
  /** Path without the query string, still percent-encoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The JSON body (an empty object when there is none). */
  readonly body: Record<string, unknown>;
  /** `https://host:port` of the data plane, for the `Location` headers of long-running operations. */
  readonly origin: string;
  readonly apiVersion: string;
  /** Who is calling: the application (client) ID, or the ACS user ID for user-token requests (chat). */
  readonly caller: string;
}

/** What a handler answers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The error code, for the request log. */
  error?: string;
}

/** A handler; `params` are the decoded capture groups of the route's path pattern. */
export type Handler = (request: DataPlaneRequest, params: readonly string[]) => Reply;

/** One row of a service's route table. */
export interface Route {
  readonly method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** Matched against the whole (still encoded) path; capture groups become `params` (percent-decoded). */
  readonly path: RegExp;
  readonly handle: Handler;
}

/** A JSON reply. */
export function reply(status: number, body?: unknown, headers?: Record<string, string>): Reply {
  return { status, ...(body !== undefined ? { body } : {}), ...(headers !== undefined ? { headers } : {}) };
}

/** An ACS error reply: `{ error: { code, message } }` with the `x-ms-error-code` header the SDKs read. */
export function problem(status: number, code: string, message: string): Reply {
  return { status, body: { error: { code, message } }, headers: { "x-ms-error-code": code }, error: code };
}

function decode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/**
 * Finds the route for a request: the reply of its handler, a 405 when the path exists with another method, or
 * `undefined` when no route knows the path.
 */
export function dispatch(routes: readonly Route[], request: DataPlaneRequest): Reply | undefined {
  let pathKnown = false;
  for (const route of routes) {
    const match = route.path.exec(request.path);
    if (match === null) continue;
    pathKnown = true;
    if (route.method !== request.method) continue;
    const params: string[] = [];
    for (const raw of match.slice(1)) {
      const value = decode(raw ?? "");
      if (value === undefined) return problem(400, "InvalidPath", "The request path is not correctly percent-encoded.");
      params.push(value);
    }
    return route.handle(request, params);
  }
  return pathKnown ? problem(405, "MethodNotAllowed", `${request.method} is not supported on this path.`) : undefined;
}

/** A plain object member, or undefined. */
export function objectOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A non-empty string of at most `max` characters, or undefined. */
export function textOf(value: unknown, max = 1024): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= max ? value : undefined;
}

/** The `api-version` query value used in the `Location` headers this emulator writes. */
export function withApiVersion(request: DataPlaneRequest, path: string): string {
  return `${request.origin}${path}?api-version=${encodeURIComponent(request.apiVersion)}`;
}

/** E.164 phone numbers. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/** Largest number of items any emulated collection keeps (rooms, calls, threads, messages, …). */
export const MAX_ITEMS = 10_000;
