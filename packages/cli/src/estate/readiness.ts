/**
 * `checkReadiness`: is it safe to switch local auth off? Reads the resource's `disableLocalAuth` and the Activity Log
 * of the last N days (1–90) for `listKeys` and `regenerateKey`, grouped by caller (caller, `appid`, object id claim);
 * `count` counts calls (the Started and Succeeded events of one correlationId count once). Reads only.
 */
import type { ArmSessionOptions } from "acs-baseline/internal";
import { describeArmError, openArmSession, parseAcsResourceId, snapshotOptions } from "acs-baseline/internal";

/** Options of {@link checkReadiness}. @public */
export interface ReadinessOptions extends ArmSessionOptions {
  /** `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Communication/communicationServices/{n}` */
  resourceId: string;
  /** Window in days, 1–90 (default 30). */
  days?: number;
  /** End of the window (default: now). */
  now?: Date;
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
  operationName?: { value?: string };
  caller?: string;
  claims?: Record<string, string>;
  correlationId?: string;
  eventTimestamp?: Date | string;
};

/** Groups key events by operation and caller, one call per correlationId. */
export function groupKeyAccess(events: Iterable<EventLike>): KeyAccess[] {
  const groups = new Map<string, KeyAccess & { calls: Set<string> }>();
  for (const e of events) {
    const operation = OPERATIONS[(e.operationName?.value ?? "").toLowerCase()];
    if (operation === undefined) continue;
    const appId = e.claims?.appid;
    const objectId = e.claims?.[OBJECT_ID_CLAIM];
    const caller = e.caller ?? objectId ?? appId ?? "unknown";
    const key = JSON.stringify([operation, caller.toLowerCase(), appId ?? "", objectId ?? ""]);
    const at = new Date(e.eventTimestamp ?? 0).toISOString();
    const g = groups.get(key) ?? {
      operation,
      caller,
      ...(appId !== undefined ? { appId } : {}),
      ...(objectId !== undefined ? { objectId } : {}),
      count: 0,
      first: at,
      last: at,
      calls: new Set<string>(),
    };
    g.calls.add(e.correlationId ?? `${at}-${g.calls.size}`);
    g.count = g.calls.size;
    if (at < g.first) g.first = at;
    if (at > g.last) g.last = at;
    groups.set(key, g);
  }
  return [...groups.values()]
    .map(({ calls: _calls, ...rest }) => rest)
    .sort((a, b) => b.count - a.count || a.caller.localeCompare(b.caller));
}

/**
 * Checks whether local auth can be switched off without breaking a key user the Activity Log shows.
 * @throws TypeError for a malformed resource id or ARM endpoint; RangeError for `days` outside 1–90.
 * @public
 */
export async function checkReadiness(options: ReadinessOptions): Promise<ReadinessResult> {
  const opts = snapshotOptions(options);
  const days = checkDays(opts.days);
  const resource = parseAcsResourceId(opts.resourceId);
  const session = openArmSession(opts);
  const to = opts.now ?? new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  const base = {
    schema: "acs-baseline/readiness/v1" as const,
    resourceId: resource.id,
    window: { from: from.toISOString(), to: to.toISOString() },
  };
  const [{ CommunicationServiceManagementClient }, { MonitorClient }] = await Promise.all([
    import("@azure/arm-communication"),
    import("@azure/arm-monitor"),
  ]);
  const common = {
    ...session.guardedClientOptions,
    endpoint: session.armEndpoint,
    $host: session.armEndpoint,
    credentialScopes: [session.scope],
  };
  const signal = AbortSignal.timeout(session.timeoutMs > 0 ? session.timeoutMs : 30_000);
  let localAuth: ReadinessResult["localAuth"];
  try {
    const communication = new CommunicationServiceManagementClient(session.credential, resource.subscriptionId, common);
    const r = await communication.communicationServices.get(resource.resourceGroup, resource.name, {
      abortSignal: signal,
    });
    localAuth = r.disableLocalAuth === true ? "disabled" : "enabled";
  } catch (error) {
    return {
      ...base,
      localAuth: "unknown",
      verdict: "unknown",
      keyAccess: [],
      reason: `the resource could not be read: ${describeArmError(error)}`,
    };
  }
  const monitor = new MonitorClient(session.credential, resource.subscriptionId, {
    ...session.guardedClientOptions,
    endpoint: session.armEndpoint,
    credentials: { scopes: [session.scope] },
  });
  const filter = `eventTimestamp ge '${from.toISOString()}' and eventTimestamp le '${to.toISOString()}' and resourceUri eq '${resource.id}'`;
  const events: EventLike[] = [];
  try {
    for await (const e of monitor.activityLogs.list(filter, { abortSignal: signal })) events.push(e);
  } catch (error) {
    // Already disabled stays already disabled; otherwise the evidence is missing.
    if (localAuth === "disabled") return { ...base, localAuth, verdict: "already-disabled", keyAccess: [] };
    return {
      ...base,
      localAuth,
      verdict: "unknown",
      keyAccess: [],
      reason: `the Activity Log could not be read: ${describeArmError(error)}`,
    };
  }
  // Already disabled: who fetched keys in the window is still shown (keys are useless now).
  if (localAuth === "disabled")
    return { ...base, localAuth, verdict: "already-disabled", keyAccess: groupKeyAccess(events) };
  const keyAccess = groupKeyAccess(events);
  return { ...base, localAuth, verdict: keyAccess.length === 0 ? "ready" : "not-ready", keyAccess };
}

/** Exit code: 0 ready or already disabled, 1 not ready, 2 unknown. */
export function readinessExitCode(result: ReadinessResult): 0 | 1 | 2 {
  return result.verdict === "not-ready" ? 1 : result.verdict === "unknown" ? 2 : 0;
}
