/** `app-principal-least-privilege` (PA-7): the app's own principal holds only what its clients need. */
import { CLIENT_NEEDS } from "../clientNeeds.js";
import { customRoleFor } from "../customRole.js";
import type { PostureInputs } from "../readArm.js";
import { ACS_ACTIONS } from "../roleActions.js";
import type { PostureCheck, PostureClientType } from "../types.js";
import type { ResolvedAssignment } from "./roles.js";
import { resolveAssignments, roleGrants } from "./roles.js";

const DANGEROUS: readonly { action: string; what: string }[] = [
  { action: ACS_ACTIONS.listKeys, what: "read the access keys" },
  { action: ACS_ACTIONS.regenerateKey, what: "regenerate the access keys" },
  { action: ACS_ACTIONS.delete, what: "delete the resource" },
  { action: ACS_ACTIONS.roleAssignmentsWrite, what: "write role assignments" },
];

/** How a resolved assignment reads in the evidence: role, scope, and the group it comes through (if any). */
function describeRole(r: ResolvedAssignment, objectId: string | undefined): string {
  const principal = r.assignment.principalId;
  const through =
    principal !== undefined && objectId !== undefined && principal.toLowerCase() !== objectId.toLowerCase()
      ? ` (through ${r.assignment.principalType === "Group" ? "group" : "principal"} ${principal})`
      : "";
  return `${r.roleName} at ${r.assignment.scope ?? ""}${through}`;
}

/**
 * What the check says when only the app's direct assignments could be listed and none grants a dangerous right: not
 * a pass, since a group may grant more (and certainly grants something when the app has no role yet read the resource).
 */
function groupsUnknown(
  inputs: Pick<PostureInputs, "appGroupsUnread" | "resource">,
  objectId: string | undefined,
  roles: string,
): string {
  const read =
    roles === "none" && inputs.resource.ok
      ? " It has no direct role assignment, yet it could read the resource: its rights come from elsewhere, such as a group."
      : "";
  return `The app principal ${objectId ?? ""} has direct roles: ${roles}.${read} ${inputs.appGroupsUnread ?? ""}: the role assignments of its groups are unknown and may grant key, delete or role-assignment rights.`;
}

/**
 * What the check says when ARM listed every assignment of the app (its own and its groups') and there is none, yet the
 * app could read the resource: its rights come from something the listing does not show, so they are unknown, not nil.
 */
function unexplainedAccess(objectId: string | undefined): string {
  return `The app principal ${objectId ?? ""} could read the resource, yet ARM lists no role assignment for it (its own or its groups') at or above the resource (roles: none): its access comes from something that listing does not show, such as an Azure Lighthouse delegation from a managing tenant or an assignment outside the listed scope, so whether it can read keys, delete or write role assignments is unknown. Find where its access comes from (for Lighthouse, the delegation's authorizations in the managing tenant).`;
}

/**
 * Fails on key, delete or role-assignment rights (the app's own assignments and its groups'); warns on write; the
 * remediation is a generated custom role. Unknown instead of pass when its groups' assignments could not be listed, or
 * when none is listed although the app could read the resource (access the listing does not explain).
 */
export function checkAppPrincipal(
  inputs: Pick<PostureInputs, "appAssignments" | "definitions" | "appGroupsUnread" | "resource">,
  resourceId: string,
  objectId: string | undefined,
  clients: readonly PostureClientType[],
): PostureCheck {
  const base = {
    id: "app-principal-least-privilege",
    control: "PA-7",
    title: "The app's own principal holds only what its clients need",
  } as const;
  const role = customRoleFor(resourceId, clients);
  const remediation = `Replace the app's role assignments with this custom role, assigned at the resource only:\n${JSON.stringify(role, null, 2)}`;
  const details: Record<string, unknown> = { customRole: role, ...(objectId !== undefined ? { objectId } : {}) };
  const resolved = resolveAssignments(
    inputs.appAssignments,
    inputs.definitions,
    "The app principal's role assignments",
  );
  if (typeof resolved === "string") return { ...base, status: "unknown", evidence: resolved, remediation, details };
  details.roles = resolved.map((r) => ({
    roleName: r.roleName,
    scope: r.assignment.scope ?? "",
    principalId: r.assignment.principalId ?? "",
  }));
  const roles = resolved.map((r) => describeRole(r, objectId)).join("; ") || "none";
  const excessive = DANGEROUS.filter((d) => resolved.some((r) => roleGrants(r, d.action)));
  if (excessive.length > 0) {
    return {
      ...base,
      status: "fail",
      evidence: `The app principal ${objectId ?? ""} can ${excessive.map((d) => d.what).join(", ")} (roles: ${roles}).`,
      remediation,
      details,
    };
  }
  if (inputs.appGroupsUnread !== undefined)
    return { ...base, status: "unknown", evidence: groupsUnknown(inputs, objectId, roles), remediation, details };
  if (resolved.some((r) => roleGrants(r, ACS_ACTIONS.write))) {
    const used = clients.length > 0 ? clients : (["sms", "identity"] as const);
    const why = used
      .map(
        (c) =>
          `${c}: ${CLIENT_NEEDS[c].documented ? "needs Write (documented" : "Write assumed (undocumented"}; ${CLIENT_NEEDS[c].source})`,
      )
      .join(" | ");
    return {
      ...base,
      status: "warn",
      evidence: `The app principal ${objectId ?? ""} can write the resource (roles: ${roles}). Some data-plane features check write actions: ${why}.`,
      remediation,
      details,
    };
  }
  if (resolved.length === 0 && inputs.resource.ok)
    return { ...base, status: "unknown", evidence: unexplainedAccess(objectId), remediation, details };
  return {
    ...base,
    status: "pass",
    evidence: `The app principal ${objectId ?? ""} cannot read keys, delete, write role assignments or write the resource (roles: ${roles}).`,
    remediation: "",
    details,
  };
}
