/**
 * IM-1 / DP-3 at the wire: every request a factory client sends must be https to the configured host and port and
 * carry a Microsoft Entra `Bearer` token. Anything else (an access-key `HMAC-SHA256` signature written by any
 * policy, a redirect to another host, plain http) is blocked and never sent.
 *
 * The guard decides on what the HTTP client will actually put on the wire: `requestOverrides` (which Node's HTTP
 * client spreads over the URL, headers and TLS options after every policy has run) are refused outright, and the
 * request's TLS settings and agent must keep certificate verification on.
 *
 * Enforced twice: as the HttpClient itself (nothing runs after it) and as a pipeline policy after authentication
 * (visible in `pipeline.getOrderedPolicies()`, so the factory can prove every client carries it).
 */
import type {
  HttpClient,
  PipelinePolicy,
  PipelineRequest,
  PipelineResponse,
  SendRequest,
} from "@azure/core-rest-pipeline";
import type { BaselineViolationCode } from "../errors.js";
import { tlsTrustRefusal } from "./tlsTrust.js";
import { VERIFYING, isSealedCopy, sealedCopyOf, tlsCopyOf } from "./tlsCopies.js";
import { BaselineViolationError } from "../errors.js";
import type { CarrierDestination } from "./agentOptions.js";
import { agentDestinationReason, carrierOf, defaultCarrier } from "./agentOptions.js";
import { handBack } from "./handBack.js";
import { agentReason, environmentReason, tlsSettingsReason } from "./tlsVerification.js";
import type { AgentAllowance } from "./proxyAgent.js";
import { agentAllowed, allowProxyDestination } from "./proxyAgent.js";
import { sealedBody, sealedProgress } from "./sealedBody.js";
import { ownHeadersOf } from "./ownHeaders.js";
import { keepTimerList } from "./timerList.js";
import {
  SafeURL,
  SafeWeakMap,
  defineOwn,
  freezeObject,
  hasOwn,
  hrefOf,
  includesText,
  reflectOwnKeys,
  regExpExec,
  startsWith,
  toUpperCase,
} from "./builtins.js";

/** Name of the guard policy in a client's pipeline. */
export const REQUEST_GUARD_POLICY_NAME = "acsBaselineRequestGuard";

/** Where requests may go. */
export interface GuardTarget {
  hostname: string;
  port: number;
}

/** Called with the refusal before it is thrown (for the audit log). */
export type BlockedHandler = (error: BaselineViolationError, request: PipelineRequest) => void;

/** A target read once, with the `https://host[:port]/` spellings a request URL may start with (parse-free check). */
interface PreparedTarget {
  readonly hostname: string;
  readonly port: number;
  readonly prefixes: readonly string[];
  /** The client's sealed TLS settings (see {@link sealedTlsSettings}), when the guard was given them. */
  readonly sealedTls?: TlsSettings;
}

/** The target as a guard uses it on every request: copied, frozen and with its prefixes, once per guard. */
function prepareTarget(target: GuardTarget, sealedTls?: TlsSettings): PreparedTarget {
  const { hostname, port } = target;
  const host = includesText(hostname, ":") ? `[${hostname}]` : hostname;
  // A URL's serialisation (`href`) drops the default port and keeps one trailing dot of a fully qualified name.
  const prefixes = [`https://${host}:${port}/`, `https://${host}.:${port}/`];
  if (port === 443) prefixes[2] = `https://${host}/`;
  if (port === 443) prefixes[3] = `https://${host}./`;
  // Only settings this module sealed count: frozen, verification forced on, and checked here once.
  const own = sealedTls !== undefined && isSealedCopy(sealedTls) ? sealedTls : undefined;
  if (own !== undefined && tlsSettingsReason(own) !== undefined) throw new Error("sealed TLS settings do not verify");
  return freezeObject({ hostname, port, prefixes: freezeObject(prefixes), sealedTls: own });
}

const prepared: WeakMap<GuardTarget, PreparedTarget> = new SafeWeakMap();

/** For {@link checkRequest} callers that pass a target each time: prepared once per target object. */
function preparedOf(target: GuardTarget): PreparedTarget {
  let known = prepared.get(target);
  if (known === undefined) {
    known = prepareTarget(target);
    prepared.set(target, known);
  }
  return known;
}

/** The first word of an Authorization value (its scheme). */
const SCHEME = /^\s*(\S*)/;

function authorizationReason(request: PipelineRequest): string | undefined {
  const authorization: unknown = request.headers.get("authorization");
  if (typeof authorization !== "string" || authorization.length === 0)
    return "it has no Authorization header (no Microsoft Entra token)";
  // Built-ins captured at load (see builtins.ts): a policy that replaced String.prototype methods decides nothing.
  if (startsWith(authorization, "Bearer ")) return undefined;
  const scheme = regExpExec(SCHEME, authorization)?.[1] ?? "";
  if (toUpperCase(scheme) === "HMAC-SHA256") return "its Authorization is an access-key signature (scheme HMAC-SHA256)";
  return scheme === "Bearer" ? undefined : "its Authorization scheme is not Bearer";
}

/** Why the transport of `request` (overrides, agent, TLS settings, environment) may not be used, or undefined. */
export function transportRefusal(
  request: PipelineRequest,
  allowance?: AgentAllowance,
  sealedTls?: TlsSettings,
): [BaselineViolationCode, string] | undefined {
  const overrides = request.requestOverrides;
  if (
    overrides !== undefined &&
    overrides !== null &&
    (typeof overrides !== "object" || reflectOwnKeys(overrides).length > 0)
  ) {
    return [
      "KEY_AUTH_BLOCKED",
      "it carries requestOverrides, which the HTTP client applies over the checked URL, headers and TLS options",
    ];
  }
  if (request.agent !== undefined) {
    if (!agentAllowed(request.agent, allowance)) {
      return [
        "KEY_AUTH_BLOCKED",
        "its agent is not the one configured in the client options (a pipeline policy installed it), and an agent decides where the socket goes",
      ];
    }
    const destination = agentDestinationReason(request.agent, "its agent");
    if (destination !== undefined) return ["KEY_AUTH_BLOCKED", destination];
  }
  const settings = request.tlsSettings;
  const tls =
    // The client's own sealed settings (see sealedTlsSettings) were checked when the client was built, and are frozen.
    (settings === undefined || (settings === sealedTls && sealedTls !== undefined)
      ? undefined
      : tlsSettingsReason(settings, "its tlsSettings")) ??
    (request.agent === undefined ? undefined : agentReason(request.agent, "its agent")) ??
    environmentReason();
  return tls === undefined ? undefined : ["TLS_VERIFICATION_DISABLED", tls];
}

const auth = (reason: string | undefined): [BaselineViolationCode, string] | undefined =>
  reason === undefined ? undefined : ["KEY_AUTH_BLOCKED", reason];

function blockReason(
  request: PipelineRequest,
  target: PreparedTarget,
  transport: AgentAllowance | false,
): [BaselineViolationCode, string] | undefined {
  if (transport !== false) {
    const refused = transportRefusal(request, transport, target.sealedTls);
    if (refused !== undefined) return refused;
  }
  // Fast path: the URL starts with exactly the configured origin (lower case, as the SDK builds it), so scheme,
  // host, port and the absence of user-info are settled without parsing.
  const url: unknown = request.url;
  if (typeof url !== "string") return auth("the request URL is not valid");
  if (onEndpoint(url, target.prefixes)) return auth(authorizationReason(request));
  let parsed: URL;
  try {
    parsed = new SafeURL(url);
  } catch {
    return auth("the request URL is not valid");
  }
  // Only the serialisation is read (through the getter captured at load): https, the endpoint's host (one trailing
  // dot is the same host as a fully qualified name, `https://host./…` in a nextLink) and port, no user-info.
  const href = hrefOf(parsed);
  if (onEndpoint(href, target.prefixes)) return auth(authorizationReason(request));
  if (!startsWith(href, "https:")) return auth("it is not https");
  if (regExpExec(USER_INFO, href) !== null) return auth("its URL carries user-info");
  return auth("it is addressed to another host than the configured ACS endpoint");
}

/** `https://` followed by user-info (`user@`, `user:password@`) in a URL's serialisation. */
const USER_INFO = /^https:\/\/[^/?#]*@/;

/** Whether `url` starts with one of the endpoint's `prefixes` (built-ins captured at load; a plain indexed loop). */
function onEndpoint(url: string, prefixes: readonly string[]): boolean {
  for (let i = 0; i < prefixes.length; i++) if (startsWith(url, prefixes[i])) return true;
  return false;
}

/** The refusal for a blocked request. */
export function blockedError(method: string, code: BaselineViolationCode, reason: string): BaselineViolationError {
  return code === "TLS_VERIFICATION_DISABLED"
    ? new BaselineViolationError(
        code,
        `The request guard blocked a ${method} request because ${reason}, so the server's TLS certificate would not be verified. Remove the setting (to trust a private CA use tlsOptions.ca or NODE_EXTRA_CA_CERTS).`,
      )
    : new BaselineViolationError(
        code,
        `The request guard blocked a ${method} request because ${reason}. Only https requests to the configured ACS endpoint with a Microsoft Entra token (scheme Bearer) are sent; remove any policy that signs with an access key or rewrites the request.`,
      );
}

/**
 * Throws KEY_AUTH_BLOCKED (or TLS_VERIFICATION_DISABLED) when `request` may not be sent. `transport: false` skips the
 * transport checks (overrides, TLS), which only the HttpClient step — the last one before the wire — needs to make.
 */
export function checkRequest(
  request: PipelineRequest,
  target: GuardTarget,
  onBlocked?: BlockedHandler,
  transport: AgentAllowance | false = {},
): void {
  checkPrepared(request, preparedOf(target), onBlocked, transport);
}

function checkPrepared(
  request: PipelineRequest,
  target: PreparedTarget,
  onBlocked: BlockedHandler | undefined,
  transport: AgentAllowance | false,
): void {
  const blocked = blockReason(request, target, transport);
  if (blocked === undefined) return;
  const error = blockedError(request.method, blocked[0], blocked[1]);
  onBlocked?.(error, request);
  throw error;
}

/**
 * The guard as a pipeline policy (runs after authentication when added as `perRetry`). `transport` (default false:
 * the guarded HttpClient makes those checks) adds the transport checks, for pipelines whose HttpClient is not ours;
 * the policy then checks and passes on a snapshot of the request (see {@link snapshotOf}).
 */
export function createRequestGuardPolicy(
  target: GuardTarget,
  onBlocked?: BlockedHandler,
  transport: AgentAllowance | false = false,
): PipelinePolicy {
  const fixed = prepareTarget(target);
  return {
    name: REQUEST_GUARD_POLICY_NAME,
    sendRequest(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse> {
      if (transport === false) {
        checkPrepared(request, fixed, onBlocked, transport);
        return next(request);
      }
      // The last check of a pipeline whose HttpClient is not ours: what it checks is what goes on.
      return next(checkedCopy(request, fixed, onBlocked, transport));
    },
  };
}

type TlsSettings = NonNullable<PipelineRequest["tlsSettings"]>;

export { sealedTlsSettings } from "./tlsCopies.js";

/**
 * Makes a checked snapshot safe to hand over: no `requestOverrides` (only an empty one passes the check, and an empty
 * object can be filled later), TLS settings with `rejectUnauthorized: true` (so `NODE_TLS_REJECT_UNAUTHORIZED` set
 * after the check cannot weaken the connection), frozen, and a private agent of the guard's: a configured agent's
 * carrier (see `carrierOf`), or for an https request without one the carrier of its TLS settings (`defaultCarrier`).
 */
export function sealSnapshot(sent: PipelineRequest, sealedTls?: TlsSettings, destination?: CarrierDestination): void {
  // Own members of every copy (see snapshotOf): plain stores.
  sent.requestOverrides = undefined;
  // A configured agent (checked: it is this client's) is carried by its private twin, never handed to a policy; a
  // carrier connects only to `destination`, the host and port the request was checked for.
  if (sent.agent !== undefined) {
    const carrier = carrierOf(sent.agent, destination);
    if (carrier !== undefined) sent.agent = carrier;
    // The proxy policy's agent: its tunnels may go where this request was checked for.
    else if (destination !== undefined) allowProxyDestination(sent.agent, destination);
  }
  const settings = sent.tlsSettings;
  if (settings !== sealedTls || sealedTls === undefined) {
    sent.tlsSettings = settings === undefined || settings === null ? VERIFYING : sealedCopyOf(settings);
  }
  // Without an agent, an https request goes through the carrier of its sealed TLS settings, not the HTTP client's pool.
  if (sent.agent === undefined && startsWith(sent.url, "https:"))
    sent.agent = defaultCarrier(sent.tlsSettings as object, sent.disableKeepAlive, destination);
}

/**
 * Where `@azure/core-client` looks for the request a derived one stands for (`getOperationRequestInfo` follows it to
 * find the operation a response belongs to; `@azure/core-http-compat` uses it the same way).
 */
const ORIGINAL_REQUEST = Symbol.for("@azure/core-client original request");

/**
 * A copy of `request` with every own property read exactly once (accessors and Proxy traps become plain values), its
 * TLS settings a frozen copy too (see {@link tlsCopyOf}): the guard checks the copy and only the copy goes on, so a
 * policy cannot show the guard one URL, `requestOverrides` or TLS setting and the HTTP client another (a getter that
 * counts its reads or looks at the stack, a Proxy, or a body factory or abort signal that changes the request after
 * the check). The headers object is still the caller's: a copy that goes to the wire gets headers of its own with
 * {@link withOwnHeaders}. The copy names the caller's request as its original, so `@azure/core-client` still finds the
 * operation a response belongs to.
 */
export function snapshotOf(request: PipelineRequest, sealedTls?: TlsSettings): PipelineRequest {
  // The symbol first: V8 copies the request's shape for the spread; a key added after it costs a slow transition
  // (measured: about 0.4 µs against 1.4 µs). A prototype link to the request instead would be cheaper to build but
  // turns every request into a prototype object (measured: 30 µs more per request).
  // The members the guard checks or sets are own members of the copy even when the request has none, so nothing
  // inherited (an accessor given to Object.prototype) can answer for them, and setting them runs no setter.
  // Every member the HTTP client reads is one of them (`url` included: a policy that deletes the request's own `url`
  // and gives Object.prototype a `url` getter would otherwise answer the check with one URL and the HTTP client with
  // another), in the order PipelineRequestImpl sets them, so the spread keeps one shape.
  const copy = {
    [ORIGINAL_REQUEST]: request,
    url: undefined,
    body: undefined,
    headers: undefined,
    method: undefined,
    timeout: undefined,
    multipartBody: undefined,
    formData: undefined,
    disableKeepAlive: undefined,
    proxySettings: undefined,
    streamResponseStatusCodes: undefined,
    withCredentials: undefined,
    abortSignal: undefined,
    onUploadProgress: undefined,
    onDownloadProgress: undefined,
    requestId: undefined,
    allowInsecureConnection: undefined,
    enableBrowserStreams: undefined,
    requestOverrides: undefined,
    authSchemes: undefined,
    tracingOptions: undefined,
    agent: undefined,
    tlsSettings: undefined,
    ...(request as Partial<PipelineRequest>),
  } as PipelineRequest & { [ORIGINAL_REQUEST]: PipelineRequest };
  const settings = copy.tlsSettings;
  if (settings !== undefined && settings !== sealedTls) copy.tlsSettings = tlsCopyOf(settings) as TlsSettings;
  return copy;
}

/**
 * Sets a member of a copy as its own data property: a plain assignment would run a setter that `Object.prototype`
 * may have been given, and leave the member to that setter's getter.
 */
export function setOwn<K extends keyof PipelineRequest>(
  target: PipelineRequest,
  key: K,
  value: PipelineRequest[K],
): void {
  target[key] = value;
  if (!hasOwn(target, key) || target[key] !== value) {
    defineOwn(target, key, { value, writable: true, enumerable: true, configurable: true });
  }
}

/**
 * Gives the copy `sent` a headers object of its own, read once: the caller's stays reachable from every policy, and
 * code that runs inside the HTTP client after the check (a body factory, an abort signal's `addEventListener`) could
 * otherwise re-sign it. Returns the refusal when the headers cannot be read (a policy replaced them).
 */
export function withOwnHeaders(sent: PipelineRequest): BaselineViolationError | undefined {
  let copy: PipelineRequest["headers"];
  try {
    copy = ownHeadersOf(sent.headers);
  } catch {
    return blockedError(sent.method, "KEY_AUTH_BLOCKED", "its headers could not be read");
  }
  setOwn(sent, "headers", copy);
  return undefined;
}

/**
 * The copy of `request` to send once it passed every check (target, authorization and transport): taken with
 * {@link snapshotOf}, checked, then sealed with {@link sealSnapshot}.
 * @throws BaselineViolationError KEY_AUTH_BLOCKED, TLS_VERIFICATION_DISABLED
 */
function checkedCopy(
  request: PipelineRequest,
  target: PreparedTarget,
  onBlocked: BlockedHandler | undefined,
  transport: AgentAllowance,
): PipelineRequest {
  const sent = snapshotOf(request, target.sealedTls);
  const unreadable = withOwnHeaders(sent);
  if (unreadable !== undefined) {
    onBlocked?.(unreadable, request);
    throw unreadable;
  }
  const body = sent.body;
  // Text (every ACS SDK's JSON) is sent as it is; anything else through sealedBody.
  if (body !== undefined && typeof body !== "string") {
    try {
      setOwn(sent, "body", sealedBody(body, onBlocked, request));
    } catch {
      const error = blockedError(
        sent.method,
        "KEY_AUTH_BLOCKED",
        "its body is of a kind the guard cannot send as checked",
      );
      onBlocked?.(error, request);
      throw error;
    }
  }
  if (sent.onUploadProgress !== undefined) setOwn(sent, "onUploadProgress", sealedProgress(sent.onUploadProgress));
  if (sent.onDownloadProgress !== undefined)
    setOwn(sent, "onDownloadProgress", sealedProgress(sent.onDownloadProgress));
  checkPrepared(sent, target, onBlocked, transport);
  sealSnapshot(sent, target.sealedTls, target);
  return sent;
}

/**
 * Makes the carrier this guard's requests will use now, while the client is built (one per destination; a policy that
 * replaces Node's agent methods later cannot stop it being made). A carrier that cannot be made now is made, or
 * refused, at the first request.
 */
function prepareCarrier(target: PreparedTarget, agents: AgentAllowance): void {
  try {
    if (agents.agent !== undefined) carrierOf(agents.agent, target);
    else if (agents.proxy !== true) defaultCarrier(target.sealedTls ?? VERIFYING, false, target);
  } catch {
    // refused again, with its reason, when a request needs it
  }
}

/**
 * The guard as the HttpClient: the very last step before the wire. With `timeoutMs`, requests without their own
 * timeout get that one (the HTTP client aborts them with an AbortError). What it checks is what it sends: a snapshot
 * of the request taken once (see {@link snapshotOf}).
 */
export function guardHttpClient(
  inner: HttpClient,
  target: GuardTarget,
  onBlocked?: BlockedHandler,
  timeoutMs = 0,
  agents: AgentAllowance = {},
  sealedTls?: TlsSettings,
): HttpClient {
  const fixed = prepareTarget(target, sealedTls);
  if (timeoutMs > 0) keepTimerList(timeoutMs);
  prepareCarrier(fixed, agents);
  return {
    sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      let sent: PipelineRequest;
      try {
        sent = checkedCopy(request, fixed, onBlocked, agents);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      if (timeoutMs > 0 && !(sent.timeout > 0)) sent.timeout = timeoutMs;
      const url = sent.url;
      // A certificate Node.js does not verify is refused with the host and the two ways to trust a CA.
      return handBack(inner.sendRequest(sent), request, sent, (error) => tlsTrustRefusal(error, url) ?? error);
    },
  };
}
