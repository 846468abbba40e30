/**
 * Builds `acs-baseline.audit/1` records from observer events. Objects are built with their members already in
 * canonical (sorted) order, so `JSON.stringify(record)` *is* the canonical JSON and the hot path serialises once.
 */
import type { AuditAction, AuditEventInput, AuditPrincipal } from "./events.js";
import { AUDIT_SCHEMA } from "./canonical.js";
import { GUID_SHAPE, THUMBPRINT_SHAPE, keepIfShaped, scrubCached, scrubText } from "./redaction.js";

/** Levels a record can have. */
export type AuditLevel = "info" | "warn" | "error";

/** The ECS-style category of each action (documented in docs/audit-log.md). */
export const CATEGORY_BY_ACTION: Readonly<Record<AuditAction, string>> = Object.freeze({
  "credential.resolve": "authentication",
  "credential.rotate": "authentication",
  "token.acquire": "authentication",
  refuse: "configuration",
  "config.warning": "configuration",
  "client.create": "configuration",
  request: "web",
  "log.close": "audit",
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
    out.credentialType = CREDENTIAL_TYPES.has(p.credentialType) ? p.credentialType : scrubText(String(p.credentialType));
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
  if (Array.isArray(controls)) for (const c of controls) if (typeof c === "string" && CONTROL_SHAPE.test(c)) list.push(c);
  return { controls: list };
}

/** State the recorder keeps between records (static parts precomputed). */
export interface RecordContext {
  principal: Record<string, string> | undefined;
  endpoint: string | undefined;
}

/** Extra members only the recorder itself writes (`log.close`). */
export interface LogMember {
  firstSeq: number;
  records: number;
}

/** An unchained record: every member except `seq`, `prevHash` and `hash`. */
export type AuditRecordBody = Record<string, unknown>;

const acsCache = new Map<string, { client?: string; endpoint?: string }>();
function acsMember(client: string | undefined, endpoint: string | undefined): { client?: string; endpoint?: string } | undefined {
  if (client === undefined && endpoint === undefined) return undefined;
  const key = `${client ?? ""}\u0000${endpoint ?? ""}`;
  let v = acsCache.get(key);
  if (v === undefined) {
    v = {};
    if (client !== undefined) v.client = scrubText(client);
    if (endpoint !== undefined) v.endpoint = endpoint;
    if (acsCache.size > 256) acsCache.clear();
    acsCache.set(key, v);
  }
  return v;
}

function optText(v: unknown): string | undefined {
  return typeof v === "string" ? scrubText(v) : undefined;
}

function finiteNumber(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** Position of a record in its chain. */
export interface ChainPosition {
  seq: number;
  prevHash: string;
}

/**
 * Builds one record; `chain` adds `seq` and `prevHash` (the caller adds `hash` after serialising). Members are
 * inserted in canonical order.
 */
export function buildRecord(
  input: AuditEventInput,
  ctx: RecordContext,
  time: string,
  level: AuditLevel,
  chain: ChainPosition | undefined,
  log?: LogMember,
): AuditRecordBody {
  const rec: AuditRecordBody = {};
  const acs = acsMember(typeof input.client === "string" ? input.client : undefined, ctx.endpoint);
  if (acs !== undefined) rec.acs = acs;
  rec.baseline = baselineMember(input.controls);
  if (input.certificate !== undefined && input.certificate !== null) {
    const c: Record<string, unknown> = {};
    const days = finiteNumber(input.certificate.daysRemaining);
    if (days !== undefined) c.daysRemaining = Math.floor(days);
    const notAfter = optText(input.certificate.notAfter);
    if (notAfter !== undefined) c.notAfter = notAfter;
    rec.certificate = c;
  }
  if (input.error !== undefined && input.error !== null) {
    const e: Record<string, unknown> = {};
    const code = optText(input.error.code);
    if (code !== undefined) e.code = code;
    const message = optText(input.error.message);
    if (message !== undefined) e.message = message;
    rec.error = e;
  }
  const action = input.action;
  const event: Record<string, unknown> = {
    action: typeof action === "string" && action in CATEGORY_BY_ACTION ? action : scrubText(String(action)),
    category: CATEGORY_BY_ACTION[action] ?? "unknown",
    outcome: input.outcome === "success" ? "success" : "failure",
  };
  const reason = optText(input.reason);
  if (reason !== undefined) event.reason = reason;
  rec.event = event;
  const http = input.http;
  if (http !== undefined && http !== null) {
    const h: Record<string, unknown> = {};
    const corr = typeof http.correlationId === "string" ? scrubText(http.correlationId) : undefined;
    if (corr !== undefined) h.correlationId = corr;
    h.durationMs = Math.max(0, Math.round(finiteNumber(http.durationMs) ?? 0));
    h.method = typeof http.method === "string" ? keepIfShaped(http.method, METHOD_SHAPE) : "UNKNOWN";
    h.path = typeof http.path === "string" ? scrubCached(stripQuery(http.path)) : "";
    const rid = typeof http.requestId === "string" ? keepIfShaped(http.requestId, GUID_SHAPE) : undefined;
    if (rid !== undefined) h.requestId = rid;
    const status = finiteNumber(http.status);
    if (status !== undefined) h.status = Math.trunc(status);
    rec.http = h;
  }
  rec.level = level;
  if (log !== undefined) rec.log = { firstSeq: log.firstSeq, records: log.records };
  if (chain !== undefined) rec.prevHash = chain.prevHash;
  const principal = input.principal === undefined ? ctx.principal : principalMember(input.principal);
  if (principal !== undefined) rec.principal = principal;
  rec.schema = AUDIT_SCHEMA;
  if (chain !== undefined) rec.seq = chain.seq;
  rec.time = time;
  if (input.token !== undefined && input.token !== null) {
    const t: Record<string, unknown> = {};
    const exp = optText(input.token.expiresOn);
    if (exp !== undefined) t.expiresOn = exp;
    const scope = optText(input.token.scope);
    if (scope !== undefined) t.scope = scope;
    rec.token = t;
  }
  if (Array.isArray(input.variables)) {
    rec.variables = input.variables.map((v) => (typeof v === "string" ? keepIfShaped(v, VARIABLE_SHAPE) : REDACTED_VALUE));
  }
  return rec;
}
const REDACTED_VALUE = "[REDACTED]";

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
