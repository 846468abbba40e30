/** `key-access-principals` (PA-7): who can read or regenerate the access keys. */
import type { CommunicationServiceResource } from "@azure/arm-communication";
import type { PostureInputs, Read } from "../readArm.js";
import { ACS_ACTIONS } from "../roleActions.js";
import type { KeyAccessPrincipal, PostureCheck } from "../types.js";
import { resolveAssignments, roleGrants } from "./roles.js";

/** Lists every principal whose role grants listKeys or regenerateKey; fails while local auth is on and any exist. */
export function checkKeyAccess(
  inputs: Pick<PostureInputs, "assignments" | "definitions">,
  resource: Read<CommunicationServiceResource>,
): PostureCheck {
  const base = {
    id: "key-access-principals",
    control: "PA-7",
    title: "Principals that can read or regenerate the access keys",
  } as const;
  const remediation =
    "Disable local auth (then keys are useless), and replace broad roles (Owner, Contributor, Communication and Email Service Owner, custom roles with wildcards) with a custom role without listKeys/regenerateKey for principals that only use the data plane.";
  const resolved = resolveAssignments(inputs.assignments, inputs.definitions, "The role assignments");
  if (typeof resolved === "string") return { ...base, status: "unknown", evidence: resolved, remediation };
  const principals: KeyAccessPrincipal[] = [];
  for (const r of resolved) {
    const actions = [ACS_ACTIONS.listKeys, ACS_ACTIONS.regenerateKey].filter((a) => roleGrants(r, a));
    if (actions.length === 0) continue;
    principals.push({
      principalId: r.assignment.principalId ?? "",
      principalType: r.assignment.principalType ?? "Unknown",
      roleName: r.roleName,
      scope: r.assignment.scope ?? "",
      actions,
    });
  }
  const list = principals.map((p) => `${p.principalType} ${p.principalId} (${p.roleName} at ${p.scope})`).join("; ");
  const details = { principals };
  if (principals.length === 0) {
    return {
      ...base,
      status: "pass",
      evidence: "No role assignment at or above the resource grants listKeys or regenerateKey.",
      remediation: "",
      details,
    };
  }
  const count = `${principals.length} principal${principals.length === 1 ? "" : "s"} can read or regenerate the keys: ${list}.`;
  if (resource.ok && resource.value.disableLocalAuth === true) {
    return {
      ...base,
      status: "pass",
      evidence: `Local auth is disabled, so keys cannot be used. ${count}`,
      remediation: "",
      details,
    };
  }
  if (!resource.ok) {
    return {
      ...base,
      status: "unknown",
      evidence: `${count} Whether local auth is disabled is unknown: ${resource.reason}.`,
      remediation,
      details,
    };
  }
  return { ...base, status: "fail", evidence: `Local auth is enabled and ${count}`, remediation, details };
}
