/**
 * `checkReadiness`: is it safe to switch local auth off? Reads the resource's `disableLocalAuth` and the Activity Log
 * of the last N days (1–90) for `listKeys` and `regenerateKey`, grouped by caller (caller, `appid`, object id claim);
 * `count` counts calls (the Started and Succeeded events of one correlationId count once). Reads only.
 */
import type { ArmSession, ArmSessionOptions } from "acs-baseline/internal";
import { openArmSession, parseAcsResourceId, readCommunicationResource, snapshotOptions } from "acs-baseline/internal";
import type { AppEvidence } from "./appEvidence.js";
import { readAppEvidence } from "./appEvidence.js";
import { describeEstateError, estateClientOptions } from "./armRequests.js";

/** Options of {@link checkReadiness}. @public */
export interface ReadinessOptions extends ArmSessionOptions {
  /** `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Communication/communicationServices/{n}` */
  resourceId: string;
  /** Window in days, 1–90 (default 30). */
  days?: number;
  /** End of the window (default: now). */
  now?: Date;
  /**
   * This app's audit logs (files, or directories of rotated files): each is verified, and the key refusals it
   * recorded in the window are added as `appEvidence`. They never change the verdict (docs/readiness.md).
   */
  auditLogs?: readonly string[];
  /**
   * The audit logs are your pino logger's (or a captured stdout's) output: lines that are not audit records are
   * skipped, as `verify-log --logger` does. Default: strict, every line must be a record.
   */
  auditLogLoggerMode?: boolean;
}

/** Key access by one caller. @public */
export interface KeyAccess {
  /** Which key operation. */
  operation: "listKeys" | "regenerateKey";
  /** The event's `caller` (UPN or object id). */
  caller: string;
  /** The `appid` claim. */
  appId?: string;
  /** The object id claim (`http://schemas.microsoft.com/identity/claims/objectidentifier`). */
  objectId?: string;
  /** Calls (one per correlationId). */
  count: number;
  /** First and last event time (ISO 8601). */
  first: string;
  last: string;
}

/** The result of {@link checkReadiness} (`acs-baseline/readiness/v1`). @public */
export interface ReadinessResult {
  schema: "acs-baseline/readiness/v1";
  /** The normalised resource id. */
  resourceId: string;
  /** The Activity Log window read (ISO 8601). */
  window: { from: string; to: string };
  /** From the resource's `disableLocalAuth` (`unknown` when it could not be read). */
  localAuth: "enabled" | "disabled" | "unknown";
  /** The verdict (docs/readiness.md). */
  verdict: "already-disabled" | "ready" | "not-ready" | "unknown";
  /** Key operations in the window, grouped by caller. */
  keyAccess: KeyAccess[];
  /** Why the verdict is unknown (secret-free). */
  reason?: string;
  /** This app's own evidence, only when audit logs were given: how each verified, and its key refusals. */
  appEvidence?: AppEvidence;
}

const OBJECT_ID_CLAIM = "http://schemas.microsoft.com/identity/claims/objectidentifier";
const OPERATIONS: Record<string, KeyAccess["operation"]> = {
  "microsoft.communication/communicationservices/listkeys/action": "listKeys",
  "microsoft.communication/communicationservices/regeneratekey/action": "regenerateKey",
};

/** Validates `days` (1–90, whole). @throws RangeError */
export function checkDays(days: number | undefined): number {
  const d = days ?? 30;
  if (!Number.isInteger(d) || d < 1 || d > 90)
    throw new RangeError("--days must be a whole number from 1 to 90 (the Activity Log keeps 90 days)");
  return d;
}

type EventLike = {
  operationName?: { value?: unknown } | null;
  authorization?: { action?: unknown } | null;
  caller?: unknown;
  claims?: Record<string, unknown> | null;
  correlationId?: unknown;
  eventTimestamp?: unknown;
};

/** `value` when it is a non-empty string (the Activity Log is outside input: any member may be missing or odd). */
const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0 ? value : undefined;

/** The event's time (ISO 8601); a missing or unparsable time is the epoch, so that the call is still counted. */
function eventTime(value: unknown): string {
  const t = value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : Number.NaN;
  return new Date(Number.isFinite(t) ? t : 0).toISOString();
}

/**
 * Key events grouped by operation and caller as they arrive, one call per correlationId: the Activity Log is
 * streamed, never held (90 days of an app that lists keys every minute are some 260,000 events). Never throws on odd
 * events (a member of the wrong type, an unparsable time): a key event is evidence and is counted, since dropping it
 * could turn not-ready into ready.
 */
class KeyAccessGroups {
  readonly #groups = new Map<string, KeyAccess & { calls: Set<string> }>();

  add(e: EventLike): void {
    if (typeof e !== "object" || e === null) return;
    // Every EventData member is optional in the spec: without operationName, the authorization's action names it.
    const name = (text(e.operationName?.value) ?? text(e.authorization?.action) ?? "").toLowerCase();
    if (!Object.hasOwn(OPERATIONS, name)) return; // not "constructor" or another inherited name either
    const operation = OPERATIONS[name];
    const claims = typeof e.claims === "object" && e.claims !== null ? e.claims : {};
    const appId = text(claims.appid);
    const objectId = text(claims[OBJECT_ID_CLAIM]);
    const caller = text(e.caller) ?? objectId ?? appId ?? "unknown";
    const key = JSON.stringify([operation, caller.toLowerCase(), appId ?? "", objectId ?? ""]);
    const at = eventTime(e.eventTimestamp);
    const g = this.#groups.get(key) ?? {
      operation,
      caller,
      ...(appId !== undefined ? { appId } : {}),
      ...(objectId !== undefined ? { objectId } : {}),
      count: 0,
      first: at,
      last: at,
      calls: new Set<string>(),
    };
    g.calls.add(text(e.correlationId) ?? `${at}-${g.calls.size}`);
    g.count = g.calls.size;
    if (at < g.first) g.first = at;
    if (at > g.last) g.last = at;
    this.#groups.set(key, g);
  }

  list(): KeyAccess[] {
    return [...this.#groups.values()]
      .map(({ calls: _calls, ...rest }) => rest)
      .sort((a, b) => b.count - a.count || a.caller.localeCompare(b.caller));
  }
}

/** Groups key events by operation and caller, one call per correlationId (see {@link KeyAccessGroups}). */
export function groupKeyAccess(events: Iterable<EventLike>): KeyAccess[] {
  const groups = new KeyAccessGroups();
  for (const e of events) groups.add(e);
  return groups.list();
}

type Resource = ReturnType<typeof parseAcsResourceId>;
type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Options every ARM SDK client of readiness takes: the guarded transport, every request (next pages and retry waits
 * included) bound to `signal` and pinned to the ARM endpoint, and the endpoint.
 */
function armClientOptions(session: ArmSession, signal: AbortSignal) {
  return { ...estateClientOptions(session, signal), endpoint: session.armEndpoint };
}

/** The resource's `disableLocalAuth`, read through `@azure/arm-communication` as posture reads it. */
async function readLocalAuth(
  session: ArmSession,
  resource: Resource,
  signal: AbortSignal,
): Promise<Read<"enabled" | "disabled">> {
  const { CommunicationServiceManagementClient } = await import("@azure/arm-communication");
  try {
    const communication = new CommunicationServiceManagementClient(session.credential, resource.subscriptionId, {
      ...armClientOptions(session, signal),
      $host: session.armEndpoint,
      credentialScopes: [session.scope],
    });
    // Posture's reader: only a JSON `true` in `properties` is disabled (the SDK's model turns "true" into true).
    const r = await readCommunicationResource(communication, resource, { abortSignal: signal });
    return { ok: true, value: r.disableLocalAuth === true ? "disabled" : "enabled" };
  } catch (error) {
    return { ok: false, reason: `the resource could not be read: ${describeEstateError(error)}` };
  }
}

/** The key access in the Activity Log of the resource in the window, read through `@azure/arm-monitor` (streamed). */
async function readActivityLog(
  session: ArmSession,
  resource: Resource,
  window: { from: string; to: string },
  signal: AbortSignal,
): Promise<Read<KeyAccess[]>> {
  const { MonitorClient } = await import("@azure/arm-monitor");
  const monitor = new MonitorClient(session.credential, resource.subscriptionId, {
    ...armClientOptions(session, signal),
    credentials: { scopes: [session.scope] },
  });
  const filter = `eventTimestamp ge '${window.from}' and eventTimestamp le '${window.to}' and resourceUri eq '${resource.id}'`;
  const groups = new KeyAccessGroups();
  try {
    for await (const e of monitor.activityLogs.list(filter, { abortSignal: signal })) groups.add(e);
    return { ok: true, value: groups.list() };
  } catch (error) {
    return { ok: false, reason: `the Activity Log could not be read: ${describeEstateError(error)}` };
  }
}

/**
 * Checks whether local auth can be switched off without breaking a key user the Activity Log shows. With
 * `auditLogs`, adds this app's own evidence (`appEvidence`), which never changes the verdict.
 * @throws TypeError for a malformed resource id or ARM endpoint, or an audit log given twice; RangeError for `days`
 * outside 1–90; an Error named `AuditLogUnreadableError` (with the file system `code`) when an audit log cannot be read.
 * @public
 */
export async function checkReadiness(options: ReadinessOptions): Promise<ReadinessResult> {
  const opts = snapshotOptions(options);
  const days = checkDays(opts.days);
  const resource = parseAcsResourceId(opts.resourceId);
  const session = openArmSession(opts);
  const to = opts.now ?? new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  const window = { from: from.toISOString(), to: to.toISOString() };
  // The app's logs first: a log that cannot be read is bad usage, before anything is asked of ARM.
  const appEvidence =
    opts.auditLogs !== undefined
      ? await readAppEvidence(opts.auditLogs, from, to, opts.auditLogLoggerMode === true)
      : undefined;
  const base = {
    schema: "acs-baseline/readiness/v1" as const,
    resourceId: resource.id,
    window,
  };
  const withEvidence = (result: ReadinessResult): ReadinessResult =>
    appEvidence !== undefined ? { ...result, appEvidence } : result;
  const signal = AbortSignal.timeout(session.timeoutMs > 0 ? session.timeoutMs : 30_000);
  const localAuth = await readLocalAuth(session, resource, signal);
  if (!localAuth.ok)
    return withEvidence({ ...base, localAuth: "unknown", verdict: "unknown", keyAccess: [], reason: localAuth.reason });
  const access = await readActivityLog(session, resource, window, signal);
  if (!access.ok)
    // Already disabled stays already disabled; otherwise the evidence is missing.
    return withEvidence(
      localAuth.value === "disabled"
        ? { ...base, localAuth: "disabled", verdict: "already-disabled", keyAccess: [] }
        : { ...base, localAuth: localAuth.value, verdict: "unknown", keyAccess: [], reason: access.reason },
    );
  const keyAccess = access.value;
  // Already disabled: who fetched keys in the window is still shown (keys are useless now).
  const verdict = localAuth.value === "disabled" ? "already-disabled" : keyAccess.length === 0 ? "ready" : "not-ready";
  return withEvidence({ ...base, localAuth: localAuth.value, verdict, keyAccess });
}

/** Exit code: 0 ready or already disabled, 1 not ready, 2 unknown. */
export function readinessExitCode(result: ReadinessResult): 0 | 1 | 2 {
  return result.verdict === "not-ready" ? 1 : result.verdict === "unknown" ? 2 : 0;
}
