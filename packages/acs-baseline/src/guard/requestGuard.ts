/**
 * IM-1 / DP-3 at the wire: every request a factory client sends must be https to the configured host and port and
 * carry a Microsoft Entra `Bearer` token. Anything else (an access-key `HMAC-SHA256` signature written by any
 * policy, a redirect to another host, plain http) is blocked and never sent.
 *
 * Enforced twice: as the HttpClient itself (nothing runs after it) and as a pipeline policy after authentication
 * (visible in `pipeline.getOrderedPolicies()`, so the factory can prove every client carries it).
 */
import type { HttpClient, PipelinePolicy, PipelineRequest, PipelineResponse, SendRequest } from "@azure/core-rest-pipeline";
import { BaselineViolationError } from "../errors.js";

/** Name of the guard policy in a client's pipeline. */
export const REQUEST_GUARD_POLICY_NAME = "acsBaselineRequestGuard";

/** Where requests may go. */
export interface GuardTarget {
  hostname: string;
  port: number;
}

/** Called with the refusal before it is thrown (for the audit log). */
export type BlockedHandler = (error: BaselineViolationError, request: PipelineRequest) => void;

const prefixes = new WeakMap<GuardTarget, string[]>();

/** `https://host[:port]/` spellings of the target, for a parse-free check on the hot path. */
function prefixesOf(target: GuardTarget): string[] {
  let list = prefixes.get(target);
  if (list === undefined) {
    const host = target.hostname.includes(":") ? `[${target.hostname}]` : target.hostname;
    list = [`https://${host}:${target.port}/`];
    if (target.port === 443) list.push(`https://${host}/`);
    prefixes.set(target, list);
  }
  return list;
}

function authorizationReason(request: PipelineRequest): string | undefined {
  const authorization = request.headers.get("authorization");
  if (authorization === undefined || authorization.length === 0) return "it has no Authorization header (no Microsoft Entra token)";
  if (authorization.startsWith("Bearer ")) return undefined;
  const scheme = authorization.trim().split(/\s+/, 1)[0] ?? "";
  if (scheme.toUpperCase() === "HMAC-SHA256") return "its Authorization is an HMAC-SHA256 access-key signature";
  return scheme === "Bearer" ? undefined : "its Authorization scheme is not Bearer";
}

function blockReason(request: PipelineRequest, target: GuardTarget): string | undefined {
  // Fast path: the URL starts with exactly the configured origin (lower case, as the SDK builds it), so scheme,
  // host, port and the absence of user-info are settled without parsing.
  if (prefixesOf(target).some((p) => request.url.startsWith(p))) return authorizationReason(request);
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return "the request URL is not valid";
  }
  if (url.protocol !== "https:") return "it is not https";
  const hostname = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const port = url.port === "" ? 443 : Number(url.port);
  if (hostname !== target.hostname || port !== target.port) return "it is addressed to another host than the configured ACS endpoint";
  if (url.username !== "" || url.password !== "") return "its URL carries user-info";
  return authorizationReason(request);
}

/** Throws KEY_AUTH_BLOCKED when `request` may not be sent. */
export function checkRequest(request: PipelineRequest, target: GuardTarget, onBlocked?: BlockedHandler): void {
  const reason = blockReason(request, target);
  if (reason === undefined) return;
  const error = new BaselineViolationError(
    "KEY_AUTH_BLOCKED",
    `The request guard blocked a ${request.method} request because ${reason}. Only https requests to the configured ACS endpoint with a Microsoft Entra Bearer token are sent; remove any policy that signs with an access key or rewrites the request.`,
  );
  onBlocked?.(error, request);
  throw error;
}

/** The guard as a pipeline policy (runs after authentication when added as `perRetry`). */
export function createRequestGuardPolicy(target: GuardTarget, onBlocked?: BlockedHandler): PipelinePolicy {
  return {
    name: REQUEST_GUARD_POLICY_NAME,
    sendRequest(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse> {
      checkRequest(request, target, onBlocked);
      return next(request);
    },
  };
}

/**
 * The guard as the HttpClient: the very last step before the wire. With `timeoutMs`, requests without their own
 * timeout get that one (the HTTP client aborts them with an AbortError).
 */
export function guardHttpClient(inner: HttpClient, target: GuardTarget, onBlocked?: BlockedHandler, timeoutMs = 0): HttpClient {
  return {
    sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      try {
        checkRequest(request, target, onBlocked);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      if (timeoutMs > 0 && !(request.timeout > 0)) request.timeout = timeoutMs;
      return inner.sendRequest(request);
    },
  };
}
