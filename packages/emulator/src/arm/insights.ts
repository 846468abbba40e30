/**
 * Microsoft.Insights diagnostic settings on the emulated resource (list/get/put/delete), validated as Azure Monitor
 * validates them: a destination is required, and log categories must be ones ACS publishes.
 */
import type { ArmRequest, Outcome } from "./request.js";
import { authorize, deny, fail, methodNotAllowed, propertiesOf, send } from "./request.js";
import { lower } from "./state.js";
import type { ArmState, EmulatorDiagnosticSetting } from "./types.js";

/** Log categories of Microsoft.Communication/communicationServices that the emulator accepts. */
export const ACS_LOG_CATEGORIES: readonly string[] = Object.freeze([
  "AuthOperational",
  "ChatOperational",
  "SMSOperational",
  "CallSummary",
  "CallDiagnostics",
  "CallSurvey",
  "CallRecordingOperational",
  "CallRecordingSummary",
  "CallAutomationOperational",
  "CallAutomationMediaSummary",
  "CallClientOperations",
  "CallClientMediaStatsTimeSeries",
  "CallClientServiceRequestAndOutcome",
  "ClosedCaptionsSummary",
  "EmailSendMailOperational",
  "EmailStatusUpdateOperational",
  "EmailUserEngagementOperational",
  "JobRouterOperational",
  "NetworkTraversalOperational",
  "NetworkTraversalDiagnostics",
  "RoomsOperational",
  "Usage",
]);
const CATEGORY_GROUPS = ["allLogs", "audit"];
const DIAGNOSTIC_PATH = /^(.*?)\/providers\/microsoft\.insights\/diagnosticsettings(?:\/([^/]+))?$/i;

function diagnosticJson(state: ArmState, name: string, s: EmulatorDiagnosticSetting): Record<string, unknown> {
  return {
    id: `${state.resource.id}/providers/microsoft.insights/diagnosticSettings/${name}`,
    name,
    type: "Microsoft.Insights/diagnosticSettings",
    properties: {
      ...s,
      logs: (s.logs ?? []).map((l) => ({
        ...(l.category !== undefined ? { category: l.category } : { category: null }),
        ...(l.categoryGroup !== undefined ? { categoryGroup: l.categoryGroup } : { categoryGroup: null }),
        enabled: l.enabled,
        retentionPolicy: { enabled: false, days: 0 },
      })),
      metrics: (s.metrics ?? []).map((m) => ({ ...m, retentionPolicy: { enabled: false, days: 0 } })),
    },
  };
}

/** Validates a diagnostic setting's properties as Azure Monitor does (destination required, known categories). */
export function checkDiagnosticSetting(p: Record<string, unknown>): EmulatorDiagnosticSetting | string {
  const str = (k: string) => (typeof p[k] === "string" && p[k].length > 0 ? p[k] : undefined);
  const setting: EmulatorDiagnosticSetting = {};
  for (const k of [
    "workspaceId",
    "storageAccountId",
    "eventHubAuthorizationRuleId",
    "eventHubName",
    "marketplacePartnerId",
    "serviceBusRuleId",
    "logAnalyticsDestinationType",
  ] as const) {
    const v = str(k);
    if (v !== undefined) setting[k] = v;
  }
  if (
    setting.workspaceId === undefined &&
    setting.storageAccountId === undefined &&
    setting.eventHubAuthorizationRuleId === undefined &&
    setting.marketplacePartnerId === undefined
  ) {
    return "At least one destination (workspaceId, storageAccountId, eventHubAuthorizationRuleId or marketplacePartnerId) is required.";
  }
  const logs: NonNullable<EmulatorDiagnosticSetting["logs"]> = [];
  for (const raw of Array.isArray(p.logs) ? (p.logs as Record<string, unknown>[]) : []) {
    const category = typeof raw.category === "string" ? raw.category : undefined;
    const categoryGroup = typeof raw.categoryGroup === "string" ? raw.categoryGroup : undefined;
    if ((category === undefined) === (categoryGroup === undefined))
      return "Each log entry needs exactly one of category or categoryGroup.";
    if (category !== undefined && !ACS_LOG_CATEGORIES.some((c) => lower(c) === lower(category)))
      return `Category '${category.slice(0, 64)}' is not supported.`;
    if (categoryGroup !== undefined && !CATEGORY_GROUPS.some((c) => lower(c) === lower(categoryGroup)))
      return `Category group '${categoryGroup.slice(0, 64)}' is not supported.`;
    logs.push({
      ...(category !== undefined ? { category } : {}),
      ...(categoryGroup !== undefined ? { categoryGroup } : {}),
      enabled: raw.enabled === true,
    });
  }
  setting.logs = logs;
  setting.metrics = (Array.isArray(p.metrics) ? (p.metrics as Record<string, unknown>[]) : []).map((m) => ({
    ...(typeof m.category === "string" ? { category: m.category } : {}),
    ...(typeof m.timeGrain === "string" ? { timeGrain: m.timeGrain } : {}),
    enabled: m.enabled === true,
  }));
  return setting;
}

function settingByName(r: ArmRequest, name: string): Outcome {
  const state = r.state;
  const key = [...state.diagnosticSettings.keys()].find((k) => lower(k) === lower(name));
  if (r.method === "GET") {
    if (key === undefined)
      return fail(r, 404, "ResourceNotFound", `The diagnostic setting '${name.slice(0, 64)}' doesn't exist.`);
    return send(r, 200, diagnosticJson(state, key, state.diagnosticSettings.get(key) as EmulatorDiagnosticSetting));
  }
  if (r.method === "DELETE") {
    if (key !== undefined) state.diagnosticSettings.delete(key);
    return send(r, key === undefined ? 204 : 200, undefined);
  }
  if (r.method === "PUT") {
    const checked = checkDiagnosticSetting(propertiesOf(r.body));
    if (typeof checked === "string") return fail(r, 400, "BadRequest", checked);
    state.diagnosticSettings.set(key ?? name, checked);
    return send(r, 200, diagnosticJson(state, key ?? name, checked));
  }
  return methodNotAllowed(r);
}

/** Matches diagnostic settings paths on any resource. */
export function matchDiagnosticSettings(r: ArmRequest): boolean {
  return DIAGNOSTIC_PATH.test(r.path);
}

/** Handles a request {@link matchDiagnosticSettings} accepted (only the emulated resource has settings). */
export function handleDiagnosticSettings(r: ArmRequest): Outcome {
  const m = DIAGNOSTIC_PATH.exec(r.path) as RegExpExecArray;
  const state = r.state;
  if (lower(m[1] ?? "") !== lower(state.resource.id))
    return fail(r, 404, "ResourceNotFound", `The Resource '${(m[1] ?? "").slice(0, 300)}' was not found.`);
  const scope = state.resource.id;
  const action = `Microsoft.Insights/diagnosticSettings/${r.method === "PUT" ? "write" : r.method === "DELETE" ? "delete" : "read"}`;
  if (!authorize(r, action, scope)) return deny(r, action, scope);
  if (m[2] !== undefined) return settingByName(r, m[2]);
  if (r.method !== "GET") return methodNotAllowed(r);
  return send(r, 200, { value: [...state.diagnosticSettings].map(([n, s]) => diagnosticJson(state, n, s)) });
}
