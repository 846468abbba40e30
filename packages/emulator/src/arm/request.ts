/**
 * One authenticated ARM request as every provider's handler sees it, and the replies they share: ARM's error
 * envelope, 403 AuthorizationFailed, plain JSON, and `$skipToken` paging with a nextLink.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JWTPayload } from "jose";
import { pathOf, queryOf, sendJson } from "../http.js";
import { isAuthorized } from "./state.js";
import type { ArmState } from "./types.js";

/** What the request log records about one ARM request. */
export type Outcome = { status: number; clientId?: string; authScheme: string; error?: string };

/** An authenticated ARM request with its parsed parts. */
export interface ArmRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly state: ArmState;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Decoded path, duplicate slashes folded, no trailing slash. */
  readonly path: string;
  /** {@link ArmRequest.path} in lower case. */
  readonly lpath: string;
  readonly query: URLSearchParams;
  readonly apiVersion: string;
  /** The JSON object body of PUT, PATCH and POST (`{}` when empty). */
  readonly body: Record<string, unknown>;
  /** The token's `appid` (or ""). */
  readonly clientId: string;
  /** The token's `oid`. */
  readonly oid: string;
  /** All claims of the verified token. */
  readonly claims: JWTPayload;
  /** The Authorization scheme, for the request log. */
  readonly scheme: string;
}

/** Sends ARM's error envelope. */
export function armError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(
    res,
    status,
    { error: { code, message } },
    { "x-ms-request-id": randomUUID(), "x-ms-correlation-request-id": randomUUID() },
  );
}

/** Fails the request with ARM's error envelope. */
export function fail(r: ArmRequest, status: number, code: string, message: string): Outcome {
  armError(r.res, status, code, message);
  return { status, authScheme: r.scheme, error: code, clientId: r.clientId };
}

/** Answers with a JSON body and an `x-ms-request-id`. */
export function ok(r: ArmRequest, status: number, body: unknown): Outcome {
  sendJson(r.res, status, body, { "x-ms-request-id": randomUUID() });
  return { status, authScheme: r.scheme, clientId: r.clientId };
}

/** Answers with a JSON body (or none). */
export function send(r: ArmRequest, status: number, body: unknown): Outcome {
  sendJson(r.res, status, body);
  return { status, authScheme: r.scheme, clientId: r.clientId };
}

/** True when the caller holds `action` at `scope`. */
export function authorize(r: ArmRequest, action: string, scope: string): boolean {
  return isAuthorized(r.state, r.oid, action, scope);
}

/** 403 AuthorizationFailed, worded as ARM words it. */
export function deny(r: ArmRequest, action: string, scope: string): Outcome {
  return fail(
    r,
    403,
    "AuthorizationFailed",
    `The client '${r.clientId}' with object id '${r.oid}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

/** 405 for a method the route does not serve. */
export function methodNotAllowed(r: ArmRequest, suffix = ""): Outcome {
  return fail(r, 405, "MethodNotAllowed", `The method '${r.method}' is not allowed${suffix}.`);
}

/** The `properties` object of a request body (or `{}`). */
export function propertiesOf(body: Record<string, unknown>): Record<string, unknown> {
  return (typeof body.properties === "object" && body.properties !== null ? body.properties : {}) as Record<
    string,
    unknown
  >;
}

/** A page of `items` from `?$skipToken=N`, with a nextLink carrying the same query. */
export function page(r: ArmRequest, items: unknown[]): { value: unknown[]; nextLink?: string } {
  const query = queryOf(r.req);
  const size = r.state.pageSize;
  const skip = Math.max(0, Number.parseInt(query.get("$skipToken") ?? "0", 10) || 0);
  const value = items.slice(skip, skip + size);
  if (skip + size >= items.length) return { value };
  query.set("$skipToken", String(skip + size));
  return { value, nextLink: `${r.state.endpoint()}${pathOf(r.req)}?${query.toString()}` };
}
