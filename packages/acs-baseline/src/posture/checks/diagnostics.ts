/** `resource-logs` and `auth-logs` (LT-4): diagnostic settings on the resource. */
import type { DiagnosticSettingsResource } from "@azure/arm-monitor";
import { CLIENT_NEEDS } from "../clientNeeds.js";
import type { Read } from "../readArm.js";
import type { PostureCheck, PostureClientType } from "../types.js";

const DESTINATIONS = ["workspaceId", "storageAccountId", "eventHubAuthorizationRuleId"] as const;

function destinationsOf(s: DiagnosticSettingsResource): string[] {
  return DESTINATIONS.filter((d) => typeof s[d] === "string" && s[d].length > 0).map((d) =>
    d === "workspaceId" ? "Log Analytics workspace" : d === "storageAccountId" ? "storage account" : "event hub",
  );
}

/** Settings that send somewhere, with their enabled log entries. */
function sending(settings: readonly DiagnosticSettingsResource[]) {
  return settings
    .filter((s) => destinationsOf(s).length > 0)
    .map((s) => ({
      name: s.name ?? "",
      destinations: destinationsOf(s),
      logs: (s.logs ?? []).filter((l) => l.enabled),
    }))
    .filter((s) => s.logs.length > 0);
}

/** True when `category` is sent: explicitly, or through `allLogs` (which covers every category by definition). */
function coverage(
  settings: ReturnType<typeof sending>,
  category: string,
): "explicit" | "allLogs" | "audit-only" | "no" {
  let audit = false;
  for (const s of settings) {
    for (const l of s.logs) {
      if (l.category?.toLowerCase() === category.toLowerCase()) return "explicit";
      if (l.categoryGroup?.toLowerCase() === "alllogs") return "allLogs";
      if (l.categoryGroup?.toLowerCase() === "audit") audit = true;
    }
  }
  return audit ? "audit-only" : "no";
}

const PLAN =
  "`acs-baseline posture --plan … --workspace-id <id>` prints a diagnostic setting for category group allLogs.";

/** Either check while the diagnostic settings cannot be read: unknown, with the reason. */
function unreadable(
  base: Pick<PostureCheck, "id" | "control" | "title">,
  reason: string,
  remediation: string,
): PostureCheck {
  return { ...base, status: "unknown", evidence: `The diagnostic settings could not be read: ${reason}.`, remediation };
}

/** LT-4: at least one diagnostic setting sends logs to a workspace, storage account or event hub. */
export function checkResourceLogs(settings: Read<DiagnosticSettingsResource[]>): PostureCheck {
  const base = {
    id: "resource-logs",
    control: "LT-4",
    title: "Resource logs are sent to a Log Analytics workspace, storage account or event hub",
  } as const;
  const remediation = `Create a diagnostic setting on the resource that sends category group allLogs (or audit, or explicit categories) to a destination. ${PLAN}`;
  if (!settings.ok) return unreadable(base, settings.reason, remediation);
  const active = sending(settings.value);
  if (active.length === 0) {
    return {
      ...base,
      status: "fail",
      evidence: `${settings.value.length} diagnostic setting(s) on the resource; none sends enabled logs to a destination.`,
      remediation,
    };
  }
  const what = active
    .map(
      (s) => `${s.name}: ${s.logs.map((l) => l.categoryGroup ?? l.category).join(", ")} → ${s.destinations.join(", ")}`,
    )
    .join("; ");
  return { ...base, status: "pass", evidence: `Logs are sent (${what}).`, remediation: "" };
}

/** LT-4: AuthOperational is sent, and the categories of the client types the app uses. */
export function checkAuthLogs(
  settings: Read<DiagnosticSettingsResource[]>,
  clients: readonly PostureClientType[],
): PostureCheck {
  const base = {
    id: "auth-logs",
    control: "LT-4",
    title: "Authentication logs (AuthOperational) and the categories of the app's clients are sent",
  } as const;
  const categories = [
    "AuthOperational",
    ...clients.map((c) => CLIENT_NEEDS[c].logCategory).filter((c): c is string => c !== undefined),
  ];
  const remediation = `Send category group allLogs, or the categories ${[...new Set(categories)].join(", ")} explicitly. ${PLAN}`;
  if (!settings.ok) return unreadable(base, settings.reason, remediation);
  const active = sending(settings.value);
  const notes: string[] = [];
  const missing: string[] = [];
  for (const category of [...new Set(categories)]) {
    const c = coverage(active, category);
    if (c === "explicit") notes.push(`${category} is sent explicitly`);
    else if (c === "allLogs")
      notes.push(`${category} is sent through category group allLogs (which covers every category)`);
    else {
      missing.push(category);
      if (c === "audit-only") {
        notes.push(
          `${category} is not confirmed: only category group audit is sent, and Microsoft's documentation does not say whether the audit group of Microsoft.Communication/communicationServices includes ${category}`,
        );
      } else notes.push(`${category} is not sent`);
    }
  }
  const details = { categories: [...new Set(categories)], missing };
  if (missing.length === 0)
    return { ...base, status: "pass", evidence: `${notes.join("; ")}.`, remediation: "", details };
  return { ...base, status: "warn", evidence: `${notes.join("; ")}.`, remediation, details };
}
