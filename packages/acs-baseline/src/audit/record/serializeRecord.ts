/**
 * Serialises `acs-baseline.audit/1` records from observer events, directly as canonical JSON (members in sorted
 * order), so the hot path serialises once and hashes the very string it writes.
 */
import type { AuditAction, AuditEventInput, AuditPrincipal } from "./events.js";
import { AUDIT_SCHEMA } from "./canonical.js";
import { isPlainCorrelationVector } from "./correlationId.js";
import { GUID_SHAPE, THUMBPRINT_SHAPE, keepIfShaped, recordPath, scrubPath, scrubText } from "./redaction.js";

/** Levels a record can have. */
export type AuditLevel = "info" | "warn" | "error";

/** The ECS-style category of each action (documented in docs/audit-log.md). */
export const CATEGORY_BY_ACTION: Readonly<Record<AuditAction, string>> = Object.freeze({
  "credential.resolve": "authentication",
  "credential.rotate": "authentication",
  "token.acquire": "authentication",
  "user-token.issue": "authentication",
  "user-token.refresh": "authentication",
  refuse: "configuration",
  "config.warning": "configuration",
  "client.create": "configuration",
  "posture.check": "configuration",
  request: "web",
  "log.close": "audit",
  "log.open": "audit",
  "log.checkpoint": "audit",
  "anchor.failure": "audit",
  "anchor.recovered": "audit",
});

const CONTROL_SHAPE = /^[A-Z]{2}-\d{1,2}$/;
const METHOD_SHAPE = /^[A-Z]{1,16}$/;
const VARIABLE_SHAPE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const CREDENTIAL_TYPES = new Set(["certificate", "secret", "external"]);

/** The `principal` member, scrubbed, members in canonical order; undefined when empty. */
export function principalMember(p: AuditPrincipal | undefined): Record<string, string> | undefined {
  if (p === undefined) return undefined;
  const out: Record<string, string> = {};
  if (typeof p.certificateThumbprint === "string")
    out.certificateThumbprint = keepIfShaped(p.certificateThumbprint, THUMBPRINT_SHAPE).toLowerCase();
  if (typeof p.clientId === "string") out.clientId = keepIfShaped(p.clientId, GUID_SHAPE);
  if (typeof p.credentialType === "string")
    out.credentialType = CREDENTIAL_TYPES.has(p.credentialType)
      ? p.credentialType
      : scrubText(String(p.credentialType));
  if (typeof p.tenantId === "string") out.tenantId = keepIfShaped(p.tenantId, GUID_SHAPE);
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Merges principal fields (later wins, undefined ignored). */
export function mergePrincipal(base: AuditPrincipal, extra: AuditPrincipal | undefined): AuditPrincipal {
  if (extra === undefined) return base;
  const out: AuditPrincipal = { ...base };
  for (const key of ["tenantId", "clientId", "credentialType", "certificateThumbprint"] as const) {
    const v = extra[key];
    if (v !== undefined) (out as Record<string, unknown>)[key] = v;
  }
  return out;
}

/** The `baseline` member for a list of control ids (invalid ids are dropped). */
export function baselineMember(controls: readonly string[] | undefined): { controls: string[] } {
  const list: string[] = [];
  if (Array.isArray(controls))
    for (const c of controls) if (typeof c === "string" && CONTROL_SHAPE.test(c)) list.push(c);
  return { controls: list };
}

/** State the recorder keeps between records (static parts precomputed as JSON fragments). */
export interface RecordContext {
  /** `"principal":{…}` or empty when there is no principal. */
  principalJson: string;
  principal: Record<string, string> | undefined;
  endpoint: string | undefined;
}

/** Sets the principal of a context (scrubbed once, serialised once). */
export function setContextPrincipal(ctx: RecordContext, p: AuditPrincipal): void {
  ctx.principal = principalMember(p);
  ctx.principalJson = ctx.principal === undefined ? "" : `"principal":${JSON.stringify(ctx.principal)},`;
}

/** Extra members only the recorder itself writes (`log.close`). */
export interface LogMember {
  firstSeq: number;
  records: number;
}

/** Position of a record in its chain. */
export interface ChainPosition {
  seq: number;
  prevHash: string;
}

// Fragment caches: the members that repeat on every record are serialised once.
const acsCache = new Map<string, string>();
export function acsFragment(client: string | undefined, endpoint: string | undefined): string {
  if (client === undefined && endpoint === undefined) return "";
  const key = `${client ?? ""}\u0000${endpoint ?? ""}`;
  let v = acsCache.get(key);
  if (v === undefined) {
    const acs: { client?: string; endpoint?: string } = {};
    if (client !== undefined) acs.client = scrubText(client);
    if (endpoint !== undefined) acs.endpoint = endpoint;
    v = `"acs":${JSON.stringify(acs)},`;
    if (acsCache.size > 256) acsCache.clear();
    acsCache.set(key, v);
  }
  return v;
}

const baselineCache = new Map<string, string>();
const frozenBaselineCache = new WeakMap<readonly unknown[], string>();
export function baselineFragment(controls: readonly string[] | undefined): string {
  // Frozen control lists (the policy's) are cached by identity; others by content.
  const frozen = Array.isArray(controls) && Object.isFrozen(controls);
  if (frozen) {
    const hit = frozenBaselineCache.get(controls);
    if (hit !== undefined) return hit;
  }
  const key = Array.isArray(controls) ? JSON.stringify(controls) : "";
  let v = baselineCache.get(key);
  if (v === undefined) {
    v = `"baseline":${JSON.stringify(baselineMember(controls))},`;
    if (baselineCache.size > 256) baselineCache.clear();
    baselineCache.set(key, v);
  }
  if (frozen) frozenBaselineCache.set(controls, v);
  return v;
}

const eventCache = new Map<string, string>();
export function eventFragment(action: unknown, outcome: unknown, reason: string | undefined): string {
  const known = typeof action === "string" && Object.prototype.hasOwnProperty.call(CATEGORY_BY_ACTION, action);
  const ok = outcome === "success";
  if (known && reason === undefined) {
    const key = `${action}|${ok ? 1 : 0}`;
    let v = eventCache.get(key);
    if (v === undefined) {
      v = `"event":${JSON.stringify({ action, category: CATEGORY_BY_ACTION[action as AuditAction], outcome: ok ? "success" : "failure" })},`;
      eventCache.set(key, v);
    }
    return v;
  }
  const event: Record<string, unknown> = {
    action: known ? action : scrubText(String(action)),
    category: known ? CATEGORY_BY_ACTION[action as AuditAction] : "unknown",
    outcome: ok ? "success" : "failure",
  };
  if (reason !== undefined) event.reason = reason;
  return `"event":${JSON.stringify(event)},`;
}

function optText(v: unknown): string | undefined {
  return typeof v === "string" ? scrubText(v) : undefined;
}

function finiteNumber(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

const HEX_DIGIT = new Uint8Array(128);
for (const c of "0123456789abcdefABCDEF") HEX_DIGIT[c.charCodeAt(0)] = 1;

function hexRun(v: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (HEX_DIGIT[v.charCodeAt(i)] !== 1) return false;
  return true;
}

/** Same answer as `GUID_SHAPE.test(v)`, faster (it runs twice per `request` record). */
function isGuid(v: string): boolean {
  return (
    v.length === 36 &&
    v.charCodeAt(8) === 45 &&
    v.charCodeAt(13) === 45 &&
    v.charCodeAt(18) === 45 &&
    v.charCodeAt(23) === 45 &&
    hexRun(v, 0, 8) &&
    hexRun(v, 9, 13) &&
    hexRun(v, 14, 18) &&
    hexRun(v, 19, 23) &&
    hexRun(v, 24, 36)
  );
}

/**
 * A JSON string literal for an id: a GUID or a correlation vector the scrubber would leave as it is
 * ({@link isPlainCorrelationVector}) embedded as it is; anything else scrubbed.
 */
export function idJson(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  return isGuid(v) || isPlainCorrelationVector(v) ? `"${v}"` : JSON.stringify(scrubText(v));
}

function methodJson(v: unknown): string {
  const method = typeof v === "string" ? v : "UNKNOWN";
  return METHOD_SHAPE.test(method) ? `"${method}"` : JSON.stringify(scrubText(method));
}

const pathJsonCache = new Map<string, string>();
/**
 * `http.path` as JSON: scrubbed whole first (a key split across what looks like a scheme and host would otherwise
 * lose its first part with the host and leave the rest below the key shape), query, fragment and origin removed,
 * scrubbed again, then each segment not shaped like an identifier replaced ({@link recordPath}: a path the service
 * chose carries no message text); cached by the raw path.
 */
function pathJson(path: unknown): string {
  if (typeof path !== "string") return '""';
  let v = pathJsonCache.get(path);
  if (v === undefined) {
    v = JSON.stringify(recordPath(scrubPath(stripQuery(scrubPath(path)))));
    if (pathJsonCache.size >= 1024) pathJsonCache.clear();
    pathJsonCache.set(path, v);
  }
  return v;
}

/**
 * The `http` member, hand-serialised in canonical order (the hot path of `request` records): GUIDs and methods are
 * embedded only when their shape needs no escaping; everything else goes through `JSON.stringify`.
 */
export function httpFragment(http: NonNullable<AuditEventInput["http"]>): string {
  let s = '"http":{';
  const corr = idJson(http.correlationId);
  if (corr !== undefined) s += `"correlationId":${corr},`;
  s += `"durationMs":${Math.max(0, Math.round(finiteNumber(http.durationMs) ?? 0))},`;
  s += `"method":${methodJson(http.method)},`;
  s += `"path":${pathJson(http.path)}`;
  const rid = idJson(http.requestId);
  if (rid !== undefined) s += `,"requestId":${rid}`;
  const status = finiteNumber(http.status);
  if (status !== undefined) s += `,"status":${Math.trunc(status)}`;
  return `${s}},`;
}

/** `error.code` of a record written in place of one that could not be built. */
export const AUDIT_RECORD_INCOMPLETE = "AUDIT_RECORD_INCOMPLETE";
const LEVELS = new Set(["info", "warn", "error"]);

/**
 * The record written when the real one cannot be built (a value that cannot be serialised): action, outcome,
 * level, time and chain position, and an `error` marker — so nothing is ever dropped silently.
 */
export function minimalRecord(
  action: unknown,
  outcome: unknown,
  time: string,
  level: AuditLevel,
  chain: ChainPosition | undefined,
  log?: LogMember,
): string {
  const known = typeof action === "string" && Object.prototype.hasOwnProperty.call(CATEGORY_BY_ACTION, action);
  const event = {
    action: known ? action : "unknown",
    category: known ? CATEGORY_BY_ACTION[action as AuditAction] : "unknown",
    outcome: outcome === "success" ? "success" : "failure",
  };
  let s = `{"error":{"code":"${AUDIT_RECORD_INCOMPLETE}","message":"This record could not be built in full; only its action, outcome, level and time are kept."},`;
  s += `"event":${JSON.stringify(event)},"level":"${LEVELS.has(level) ? level : "error"}",`;
  if (log !== undefined) s += `"log":{"firstSeq":${log.firstSeq},"records":${log.records}},`;
  if (chain !== undefined) s += `"prevHash":"${chain.prevHash}",`;
  s += `"schema":"${AUDIT_SCHEMA}",`;
  if (chain !== undefined) s += `"seq":${chain.seq},`;
  return `${s}"time":"${time}"}`;
}

/**
 * Serialises one record as canonical JSON (members in sorted order, no white space), without `hash`. `chain` adds
 * `seq` and `prevHash`. Static members come from cached fragments; only the members that change are stringified.
 * Never throws: a record that cannot be built is replaced by {@link minimalRecord}.
 */
export function serializeRecord(
  input: AuditEventInput,
  ctx: RecordContext,
  time: string,
  level: AuditLevel,
  chain: ChainPosition | undefined,
  log?: LogMember,
): string {
  try {
    return buildRecord(input, ctx, time, level, chain, log);
  } catch {
    return minimalRecord(input?.action, input?.outcome, time, level, chain, log);
  }
}

function buildRecord(
  input: AuditEventInput,
  ctx: RecordContext,
  time: string,
  level: AuditLevel,
  chain: ChainPosition | undefined,
  log?: LogMember,
): string {
  let s = "{";
  s += acsFragment(typeof input.client === "string" ? input.client : undefined, ctx.endpoint);
  s += baselineFragment(input.controls);
  if (input.certificate !== undefined && input.certificate !== null) {
    const c: Record<string, unknown> = {};
    const days = finiteNumber(input.certificate.daysRemaining);
    if (days !== undefined) c.daysRemaining = Math.floor(days);
    const notAfter = optText(input.certificate.notAfter);
    if (notAfter !== undefined) c.notAfter = notAfter;
    s += `"certificate":${JSON.stringify(c)},`;
  }
  if (input.error !== undefined && input.error !== null) {
    const e: Record<string, unknown> = {};
    const code = optText(input.error.code);
    if (code !== undefined) e.code = code;
    const message = optText(input.error.message);
    if (message !== undefined) e.message = message;
    s += `"error":${JSON.stringify(e)},`;
  }
  s += eventFragment(input.action, input.outcome, optText(input.reason));
  const http = input.http;
  if (http !== undefined && http !== null) s += httpFragment(http);
  s += `"level":"${level}",`;
  if (log !== undefined) s += `"log":{"firstSeq":${log.firstSeq},"records":${log.records}},`;
  if (input.posture !== undefined && input.posture !== null)
    s += `"posture":${JSON.stringify(postureMember(input.posture))},`;
  if (chain !== undefined) s += `"prevHash":"${chain.prevHash}",`;
  if (input.principal === undefined) {
    s += ctx.principalJson;
  } else {
    const p = principalMember(input.principal);
    if (p !== undefined) s += `"principal":${JSON.stringify(p)},`;
  }
  s += `"schema":"${AUDIT_SCHEMA}",`;
  if (chain !== undefined) s += `"seq":${chain.seq},`;
  const trace =
    input.trace !== undefined && input.trace !== null ? traceIds(input.trace.traceId, input.trace.spanId) : undefined;
  if (trace !== undefined) s += `"span":{"id":"${trace.spanId}"},`;
  s += `"time":"${time}"`;
  if (input.token !== undefined && input.token !== null) {
    const t: Record<string, unknown> = {};
    const exp = optText(input.token.expiresOn);
    if (exp !== undefined) t.expiresOn = exp;
    const scope = optText(input.token.scope);
    if (scope !== undefined) t.scope = scope;
    s += `,"token":${JSON.stringify(t)}`;
  }
  if (trace !== undefined) s += `,"trace":{"id":"${trace.traceId}"}`;
  if (Array.isArray(input.variables)) {
    const vars = input.variables.map((v) => (typeof v === "string" ? keepIfShaped(v, VARIABLE_SHAPE) : REDACTED_VALUE));
    s += `,"variables":${JSON.stringify(vars)}`;
  }
  return `${s}}`;
}
const REDACTED_VALUE = "[REDACTED]";

const POSTURE_CHECK_SHAPE = /^[a-z][a-z-]{0,63}$/;
const POSTURE_STATUSES = new Set(["pass", "fail", "warn", "unknown"]);
const RESOURCE_ID_SHAPE =
  /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[-\w._()]{1,90}\/providers\/Microsoft\.Communication\/communicationServices\/[-\w]{1,63}$/i;

/** The `posture` member: shapes kept, anything else redacted; members in canonical order. */
function postureMember(p: NonNullable<AuditEventInput["posture"]>): Record<string, string> {
  return {
    check: typeof p.check === "string" ? keepIfShaped(p.check, POSTURE_CHECK_SHAPE) : REDACTED_VALUE,
    resourceId: typeof p.resourceId === "string" ? keepIfShaped(p.resourceId, RESOURCE_ID_SHAPE) : REDACTED_VALUE,
    status: POSTURE_STATUSES.has(p.status) ? p.status : REDACTED_VALUE,
  };
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
/** Both ids when they have the W3C shape (and are not all zeros), else undefined. */
export function traceIds(traceId: unknown, spanId: unknown): { traceId: string; spanId: string } | undefined {
  if (typeof traceId !== "string" || typeof spanId !== "string" || !TRACE_ID.test(traceId) || !SPAN_ID.test(spanId))
    return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId };
}

/** Removes the query string and fragment from a path or URL, and the scheme/host of a full URL. */
export function stripQuery(pathOrUrl: string): string {
  let s = pathOrUrl;
  const q = s.search(/[?#]/);
  if (q >= 0) s = s.slice(0, q);
  const scheme = s.indexOf("://");
  if (scheme >= 0) {
    const slash = s.indexOf("/", scheme + 3);
    s = slash >= 0 ? s.slice(slash) : "/";
  }
  return s;
}
