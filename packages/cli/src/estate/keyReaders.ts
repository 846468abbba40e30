/**
 * Who can read or regenerate a resource's keys: every role assignment whose scope covers it and whose role grants
 * `listKeys` or `regenerateKey`, with wildcards and `notActions` evaluated by posture's role evaluation (data actions
 * never grant them).
 */
import { ACS_ACTIONS, grants } from "acs-baseline/internal";
import type { RolePermission } from "acs-baseline/internal";
import type { ManagementGroupChains } from "./scopes.js";
import { scopeCovers } from "./scopes.js";

/** A role assignment row. */
export interface RoleAssignmentRow {
  id: string;
  scope: string;
  principalId: string;
  principalType: string;
  roleDefinitionId: string;
}
/** A role definition row. */
export interface RoleDefinitionRow {
  id: string;
  roleName: string;
  permissions: RolePermission[];
}
/** A principal that can read or regenerate the keys. @public */
export interface KeyReader {
  principalId: string;
  principalType: string;
  roleDefinitionId: string;
  roleName: string;
  scope: string;
}

const guid = (id: string) => (id.split("/").pop() ?? "").toLowerCase();

/** The assignments whose role grants a key action (scope not yet checked). */
export function keyGrantingAssignments(
  assignments: RoleAssignmentRow[],
  definitions: RoleDefinitionRow[],
): KeyReader[] {
  const byGuid = new Map(definitions.map((d) => [guid(d.id), d]));
  const out: KeyReader[] = [];
  for (const a of assignments) {
    const role = byGuid.get(guid(a.roleDefinitionId));
    if (role === undefined) continue;
    const permissions = Array.isArray(role.permissions) ? role.permissions : [];
    if (!grants(permissions, ACS_ACTIONS.listKeys) && !grants(permissions, ACS_ACTIONS.regenerateKey)) continue;
    out.push({
      principalId: a.principalId,
      principalType: a.principalType,
      roleDefinitionId: a.roleDefinitionId,
      roleName: role.roleName,
      scope: a.scope,
    });
  }
  return out;
}

/** The key readers of one resource. */
export function keyReadersFor(resourceId: string, granting: KeyReader[], chains: ManagementGroupChains): KeyReader[] {
  return granting.filter((k) => scopeCovers(k.scope, resourceId, chains));
}
