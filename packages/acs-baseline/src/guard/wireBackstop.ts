/**
 * IM-1 at the socket, process-wide: while a factory is open, every Node.js http/https request to its ACS endpoint
 * must carry a Microsoft Entra `Bearer` token — whichever code built it. A keyed client hidden inside a client class
 * (a `#private` field, a closure), a caller's HttpClient that rewrites Authorization, or any other code in the
 * process that signs a request to the endpoint with an access key is stopped before its headers are written.
 *
 * It listens on Node's public `http.client.request.created` and `http.client.request.start` diagnostics channels and
 * destroys the request there. A request is the endpoint's when its `Host` header names the endpoint's host and port,
 * or when its socket goes to the endpoint's host name and port. The socket's port is not kept on the request: when
 * the host name is the endpoint's and no `Host` header names the endpoint's port (a caller's `Host` header may name
 * any port), the request is judged when Node hands it its socket, before anything is written: by the socket's peer
 * port, or on the socket's `connect` event (before the TLS handshake) while it is still connecting.
 * Not covered: HTTP/2 and the `fetch`/undici client (no such hook), and other names for the endpoint's address.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import type { Socket } from "node:net";
import { BaselineViolationError } from "../errors.js";
import {
  SafeMap,
  SafeWeakMap,
  SafeWeakSet,
  arrayIncludes,
  indexOf,
  isArray,
  regExpExec,
  slice,
  startsWith,
  toLowerCase,
  toNumber,
  toText,
  trim,
} from "./builtins.js";
import { comparableHostname } from "./endpoint.js";
import type { GuardTarget } from "./requestGuard.js";

const CHANNEL = "http.client.request.start";
/**
 * Published when a request is built, before anything is written (Node 22.12+): on a kept-alive connection Node has
 * already written a request's head by the time it publishes `start`, so its options' headers are judged here first.
 */
const CREATED_CHANNEL = "http.client.request.created";
/** Requests stopped (their `start`, if Node still publishes one, is not judged twice). */
const stopped: WeakSet<object> = new SafeWeakSet();
/**
 * Requests to an endpoint's host name whose port is told by their socket: `verdict` is the endpoint the socket goes
 * to (`null`: another port), `undefined` until the socket is known.
 */
const bySocket: WeakMap<object, { verdict?: Registration | null }> = new SafeWeakMap();

interface Registration {
  target: GuardTarget;
  onBlocked: (error: BaselineViolationError) => void;
}

/**
 * The open factories' registrations. Every built-in this module decides with was captured at load (builtins.ts) and
 * the list is walked with plain indexed loops, replaced whole on every change: a policy that replaced
 * `String.prototype.startsWith`, `WeakSet.prototype.has` or an iterator's `next` does not make a request pass.
 */
let registrations: readonly Registration[] = [];

const HOST_HEADER = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/;

/** host and port of `value` (`host`, `host:port`, `[v6]:port`). */
function parseHostHeader(value: string): { hostname: string; port: number | undefined } {
  const m = regExpExec(HOST_HEADER, trim(value));
  if (m === null) return { hostname: comparableHostname(value), port: undefined };
  return { hostname: comparableHostname(m[1] ?? ""), port: m[2] === undefined ? undefined : toNumber(m[2]) };
}

// Every http/https request in the process passes through here while a factory is open, and a process talks to few
// hosts: the parsed forms of the host strings seen are kept (pure functions of the string; at most 256 of them, each
// at most 300 characters — a DNS name is at most 253 — and the cache is cleared when full).
const CACHE_LIMIT = 256;
const CACHED_LENGTH = 300;
const names = new SafeMap<string, string>();
const hostHeaders = new SafeMap<string, { hostname: string; port: number | undefined }>();

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

/** The values of header `name` (lower case) in a head as Node renders it for the wire (`Name: value\r\n` lines). */
function headValues(head: string, name: string): string[] {
  const values: string[] = [];
  // The first line is the request line; header names and values cannot hold CR or LF (Node refuses them).
  let start = indexOf(head, "\r\n");
  while (start !== -1) {
    const next = indexOf(head, "\r\n", start + 2);
    const line = slice(head, start + 2, next === -1 ? head.length : next);
    const colon = indexOf(line, ":");
    if (colon > 0 && toLowerCase(trim(slice(line, 0, colon))) === name)
      values[values.length] = trim(slice(line, colon + 1));
    start = next;
  }
  return values;
}

/**
 * Header `name` of `request` as it goes on the wire. Headers given as a raw list (`['Host', …]`) are rendered into
 * `request._header` when the request is built and are not behind `getHeader`; once a head is rendered, Node refuses
 * header changes, so the rendered text is what is sent. Several values come back as an array.
 */
function wireHeader(request: ClientRequest, name: string, hostHeader: unknown): unknown {
  if (hostHeader !== undefined) return request.getHeader(name);
  const head = (request as unknown as { _header?: unknown })._header;
  if (typeof head !== "string") return request.getHeader(name);
  const values = headValues(head, name);
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
}

/** The endpoint a `Host` header value names with its port (an array: any of its values), if any. */
function addressedEndpoint(hostHeader: unknown, defaultPort: number): Registration | undefined {
  if (typeof hostHeader === "string") return namedEndpoint(hostHeader, defaultPort);
  if (!isArray(hostHeader)) return undefined;
  for (let i = 0; i < hostHeader.length; i++) {
    const value: unknown = hostHeader[i];
    const named = typeof value === "string" ? namedEndpoint(value, defaultPort) : undefined;
    if (named !== undefined) return named;
  }
  return undefined;
}

function namedEndpoint(value: string, defaultPort: number): Registration | undefined {
  const parsed = remembered(hostHeaders, value, parseHostHeader);
  const port = parsed.port ?? defaultPort;
  const list = registrations;
  for (let i = 0; i < list.length; i++) {
    const r = list[i];
    if (r.target.hostname === parsed.hostname && r.target.port === port) return r;
  }
  return undefined;
}

function onRequestStart(message: unknown): void {
  const list = registrations;
  if (list.length === 0) return;
  const request = (message as { request?: ClientRequest } | undefined)?.request;
  if (request === undefined || typeof request.getHeader !== "function" || stopped.has(request)) return;
  const defaultPort = request.protocol === "http:" ? 80 : 443;
  const declared: unknown = request.getHeader("host");
  const hostHeader = declared === undefined ? wireHeader(request, "host", undefined) : declared;
  // Addressed to the endpoint: connecting to the endpoint's IP address with `Host: <endpoint>` reaches ACS just the
  // same.
  const addressed = addressedEndpoint(hostHeader, defaultPort);
  if (addressed !== undefined) {
    judge(request, addressed, declared);
    return;
  }
  // The socket goes to an endpoint's host name: its port tells (a Host header naming another port proves nothing).
  const hostname = remembered(names, toText(request.host ?? ""), comparableHostname);
  let sameName = false;
  for (let i = 0; i < list.length && !sameName; i++) sameName = list[i].target.hostname === hostname;
  if (!sameName) return;
  const state = bySocket.get(request);
  if (state === undefined) {
    const fresh = {};
    bySocket.set(request, fresh);
    watchSocket(request, hostname, fresh);
  } else if (state.verdict) judge(request, state.verdict);
}

/** Judges `request` by its socket's destination once Node hands it one (at once if it has one). */
function watchSocket(request: ClientRequest, hostname: string, state: { verdict?: Registration | null }): void {
  const onSocket = (socket: Socket): void => {
    // Node emits `socket` before it writes the buffered head; a socket still connecting sends nothing before
    // `connect`, and this listener runs before the writes Node queued for it.
    if (socket.connecting) socket.once("connect", () => decide(request, hostname, socket, state));
    else decide(request, hostname, socket, state);
  };
  const current = request.socket as Socket | null | undefined;
  if (current) onSocket(current);
  else request.once("socket", onSocket);
}

function decide(
  request: ClientRequest,
  hostname: string,
  socket: Socket,
  state: { verdict?: Registration | null },
): void {
  // A destroyed socket sends nothing (a kept-alive one the server closed): nothing to judge.
  if (stopped.has(request) || socket.destroyed) return;
  const ports = destinationPorts(request, socket);
  let verdict: Registration | null = null;
  const list = registrations;
  for (let i = 0; i < list.length && verdict === null; i++) {
    const r = list[i];
    if (r.target.hostname === hostname && (ports === undefined || arrayIncludes(ports, r.target.port))) verdict = r;
  }
  state.verdict = verdict;
  if (verdict !== null) judge(request, verdict);
}

const POOL_PORT = /^\d{1,5}(?=:|$)/;

/**
 * The ports `socket` may go to; `undefined` when that cannot be told (no peer port, a stream that is not a socket).
 * TLS inside a tunnel (a proxy's CONNECT) has the proxy as its peer: the agent's pool name for the socket
 * (`host:port:…`) gives where the tunnel goes, and both ports count.
 */
function destinationPorts(request: ClientRequest, socket: Socket): number[] | undefined {
  const peer = socket.remotePort;
  if (typeof peer !== "number") return undefined;
  if ((socket as Socket & { _parent?: unknown })._parent == null) return [peer];
  const pools = (request as unknown as { agent?: { sockets?: Record<string, unknown> } }).agent?.sockets;
  const prefix = `${toText(request.host)}:`;
  for (const name in pools) {
    const pool = pools[name];
    if (!isArray(pool) || !arrayIncludes(pool, socket) || !startsWith(name, prefix)) continue;
    const port = regExpExec(POOL_PORT, slice(name, prefix.length));
    return port === null ? undefined : [peer, toNumber(port[0])];
  }
  return undefined;
}

const HMAC_SCHEME = /^\s*HMAC-SHA256\b/i;

/** Lets a Bearer request over https to `match`'s endpoint through; destroys any other. */
function judge(request: ClientRequest, match: Registration, declared: unknown = request.getHeader("host")): void {
  // `declared`: the Host header as getHeader gives it (undefined for a raw header list, whose rendered head is read).
  const authorization = wireHeader(request, "authorization", declared);
  if (typeof authorization === "string" && startsWith(authorization, "Bearer ") && request.protocol === "https:")
    return;
  const why =
    request.protocol !== "https:"
      ? "it is not https"
      : authorization === undefined
        ? "it has no Authorization header (no Microsoft Entra token)"
        : typeof authorization !== "string"
          ? "its Authorization is not a single value"
          : regExpExec(HMAC_SCHEME, authorization) !== null
            ? "its Authorization is an access-key signature (scheme HMAC-SHA256)"
            : "its Authorization scheme is not Bearer";
  const error = new BaselineViolationError(
    "KEY_AUTH_BLOCKED",
    `A ${slice(toText(request.method), 0, 16)} request to the ACS endpoint was stopped because ${why}. It was not built by a guarded factory client (a client hidden in a client class, or other code in the process): only requests with a Microsoft Entra token (scheme Bearer) may reach ACS.`,
  );
  try {
    match.onBlocked(error);
  } catch {
    // the record is the handler's concern
  }
  stopped.add(request);
  request.destroy(error);
}

/** `list` without `removed`, with `added` at its end (a new array, filled by index). */
function without(list: readonly Registration[], removed?: Registration, added?: Registration): Registration[] {
  const next: Registration[] = [];
  for (let i = 0; i < list.length; i++) if (list[i] !== removed) next[next.length] = list[i];
  if (added !== undefined) next[next.length] = added;
  return next;
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
  if (registrations.length === 0) {
    subscribe(CREATED_CHANNEL, onRequestStart);
    subscribe(CHANNEL, onRequestStart);
  }
  registrations = without(registrations, undefined, registration);
  return () => {
    if (!arrayIncludes(registrations, registration)) return;
    registrations = without(registrations, registration);
    if (registrations.length === 0) {
      unsubscribe(CREATED_CHANNEL, onRequestStart);
      unsubscribe(CHANNEL, onRequestStart);
    }
  };
}
