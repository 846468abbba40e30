/**
 * IM-1 at the socket, process-wide: while a factory is open, every Node.js http/https request to its ACS endpoint
 * must carry a Microsoft Entra `Bearer` token — whichever code built it. A keyed client hidden inside a client class
 * (a `#private` field, a closure), a caller's HttpClient that rewrites Authorization, or any other code in the
 * process that signs a request to the endpoint with an access key is stopped before its headers are written.
 *
 * It listens on Node's public `http.client.request.start` diagnostics channel, which is published when a request's
 * headers are final and before anything is written to a socket, and destroys the request there.
 * Not covered: HTTP/2 and the `fetch`/undici client (no such hook), and requests whose destination cannot be told.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import { BaselineViolationError } from "../errors.js";
import type { GuardTarget } from "./requestGuard.js";

const CHANNEL = "http.client.request.start";
/**
 * Published when a request is built, before anything is written (Node 22.12+): on a kept-alive connection Node has
 * already written a request's head by the time it publishes `start`, so its options' headers are judged here first.
 */
const CREATED_CHANNEL = "http.client.request.created";
/** Requests stopped when built (their `start`, if Node still publishes one, is not judged twice). */
const stopped = new WeakSet<object>();

interface Registration {
  target: GuardTarget;
  onBlocked: (error: BaselineViolationError) => void;
}

const registrations = new Set<Registration>();

function normalize(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
}

/** host and port of `value` (`host`, `host:port`, `[v6]:port`). */
function parseHostHeader(value: string): { hostname: string; port: number | undefined } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(value.trim());
  if (m === null) return { hostname: normalize(value), port: undefined };
  return { hostname: normalize(m[1] ?? ""), port: m[2] === undefined ? undefined : Number(m[2]) };
}

// Every http/https request in the process passes through here while a factory is open, and a process talks to few
// hosts: the parsed forms of the host strings seen are kept (pure functions of the string; at most 256 of them, each
// at most 300 characters — a DNS name is at most 253 — and the cache is cleared when full).
const CACHE_LIMIT = 256;
const CACHED_LENGTH = 300;
const names = new Map<string, string>();
const hostHeaders = new Map<string, { hostname: string; port: number | undefined }>();

function remembered<T>(cache: Map<string, T>, key: string, compute: (key: string) => T): T {
  if (key.length > CACHED_LENGTH) return compute(key);
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    value = compute(key);
    cache.set(key, value);
  }
  return value;
}

function onRequestStart(message: unknown): void {
  if (registrations.size === 0) return;
  const request = (message as { request?: ClientRequest } | undefined)?.request;
  if (request === undefined || typeof request.getHeader !== "function" || stopped.has(request)) return;
  const hostname = remembered(names, String(request.host ?? ""), normalize);
  let port: number | undefined;
  const defaultPort = request.protocol === "http:" ? 80 : 443;
  const hostHeader = request.getHeader("host");
  // Where the socket goes (request.host), and — when the Host header names another host — where the request is
  // addressed: connecting to the endpoint's IP address with `Host: <endpoint>` reaches ACS just the same.
  let addressedHost: string | undefined;
  let addressedPort = defaultPort;
  if (typeof hostHeader === "string") {
    const parsed = remembered(hostHeaders, hostHeader, parseHostHeader);
    // A Host header that names the same host gives the port.
    if (parsed.hostname === hostname) port = parsed.port ?? defaultPort;
    else {
      addressedHost = parsed.hostname;
      addressedPort = parsed.port ?? defaultPort;
    }
  }
  let match: Registration | undefined;
  for (const r of registrations) {
    if (
      (r.target.hostname === hostname && (port === undefined || port === r.target.port)) ||
      (addressedHost === r.target.hostname && addressedPort === r.target.port)
    ) {
      match = r;
      break;
    }
  }
  if (match === undefined) return;
  const authorization = request.getHeader("authorization");
  if (typeof authorization === "string" && authorization.startsWith("Bearer ") && request.protocol === "https:") return;
  const why =
    request.protocol !== "https:"
      ? "it is not https"
      : authorization === undefined
        ? "it has no Authorization header (no Microsoft Entra token)"
        : /^\s*HMAC-SHA256\b/i.test(String(authorization))
          ? "its Authorization is an HMAC-SHA256 access-key signature"
          : "its Authorization scheme is not Bearer";
  const error = new BaselineViolationError(
    "KEY_AUTH_BLOCKED",
    `A ${String(request.method).slice(0, 16)} request to the ACS endpoint was stopped because ${why}. It was not built by a guarded factory client (a client hidden in a client class, or other code in the process): only Microsoft Entra Bearer requests may reach ACS.`,
  );
  try {
    match.onBlocked(error);
  } catch {
    // the record is the handler's concern
  }
  stopped.add(request);
  request.destroy(error);
}

/**
 * Guards every http/https request to `target` from now on, until the returned function is called.
 * `onBlocked` is called with each refusal (for the audit log).
 */
export function registerWireBackstop(
  target: GuardTarget,
  onBlocked: (error: BaselineViolationError) => void,
): () => void {
  const registration: Registration = { target, onBlocked };
  if (registrations.size === 0) {
    subscribe(CREATED_CHANNEL, onRequestStart);
    subscribe(CHANNEL, onRequestStart);
  }
  registrations.add(registration);
  return () => {
    if (!registrations.delete(registration)) return;
    if (registrations.size === 0) {
      unsubscribe(CREATED_CHANNEL, onRequestStart);
      unsubscribe(CHANNEL, onRequestStart);
    }
  };
}
