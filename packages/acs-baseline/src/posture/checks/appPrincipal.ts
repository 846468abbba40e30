/** `app-principal-least-privilege` (PA-7): the app's own principal holds only what its clients need. */
import { CLIENT_NEEDS } from "../clientNeeds.js";
import { customRoleFor } from "../customRole.js";
import type { PostureInputs } from "../readArm.js";
import { ACS_ACTIONS } from "../roleActions.js";
import type { PostureCheck, PostureClientType } from "../types.js";
import { resolveAssignments, roleGrants } from "./roles.js";

const DANGEROUS: readonly { action: string; what: string }[] = [
  { action: ACS_ACTIONS.listKeys, what: "read the access keys" },
  { action: ACS_ACTIONS.regenerateKey, what: "regenerate the access keys" },
  { action: ACS_ACTIONS.delete, what: "delete the resource" },
  { action: ACS_ACTIONS.roleAssignmentsWrite, what: "write role assignments" },
];

/** Fails on key, delete or role-assignment rights; warns on write; the remediation is a generated custom role. */
export function checkAppPrincipal(
  inputs: Pick<PostureInputs, "appAssignments" | "definitions">,
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
  details.roles = resolved.map((r) => ({ roleName: r.roleName, scope: r.assignment.scope ?? "" }));
  const roles = resolved.map((r) => `${r.roleName} at ${r.assignment.scope ?? ""}`).join("; ") || "none";
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
  return {
    ...base,
    status: "pass",
    evidence: `The app principal ${objectId ?? ""} cannot read keys, delete, write role assignments or write the resource (roles: ${roles}).`,
    remediation: "",
    details,
  };
}
