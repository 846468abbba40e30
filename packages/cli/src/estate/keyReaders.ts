/**
 * Who can read or regenerate a resource's keys: every role assignment whose scope covers it and whose role grants
 * `listKeys` or `regenerateKey`, with wildcards and `notActions` evaluated by posture's role evaluation (data actions
 * never grant them).
 */
import { ACS_ACTIONS, grants } from "acs-baseline/internal";
import type { RolePermission } from "acs-baseline/internal";
import type { ManagementGroupChains } from "./scopes.js";
import { assignmentScope, scopeCovers } from "./scopes.js";

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

/**
 * Built-in roles by GUID (Microsoft Learn, "Azure built-in roles"), for an assignment whose definition Resource Graph
 * did not return: their name and whether they grant the keys (Owner and Contributor hold `*`).
 */
const BUILT_IN_ROLES: ReadonlyMap<string, { roleName: string; grantsKeys: boolean }> = new Map([
  ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635", { roleName: "Owner", grantsKeys: true }],
  ["b24988ac-6180-42a0-ab88-20f7382dd24c", { roleName: "Contributor", grantsKeys: true }],
  ["acdd72a7-3385-48ef-bd42-f606fba81ae7", { roleName: "Reader", grantsKeys: false }],
]);
/** The name given to a role whose definition is unknown: counted, never dropped (it may grant the keys). */
export const UNKNOWN_ROLE_NAME = "unknown role (its definition is not in Resource Graph; it may grant the keys)";

/** What a definition says about the keys: its name when it grants them, else undefined. */
function keyRoleName(role: RoleDefinitionRow | undefined, roleDefinitionId: string): string | undefined {
  if (role === undefined) {
    const builtIn = BUILT_IN_ROLES.get(guid(roleDefinitionId));
    if (builtIn === undefined) return UNKNOWN_ROLE_NAME;
    return builtIn.grantsKeys ? builtIn.roleName : undefined;
  }
  const permissions = Array.isArray(role.permissions) ? role.permissions : [];
  return grants(permissions, ACS_ACTIONS.listKeys) || grants(permissions, ACS_ACTIONS.regenerateKey)
    ? role.roleName
    : undefined;
}

/**
 * The assignments whose role grants a key action (scope not yet checked). An assignment whose definition Resource Graph
 * did not return (a deleted custom role, a definition the caller cannot see) is counted as {@link UNKNOWN_ROLE_NAME}
 * unless it is a built-in role known not to grant the keys: a sweep never under-reports who can read them.
 */
export function keyGrantingAssignments(
  assignments: RoleAssignmentRow[],
  definitions: RoleDefinitionRow[],
): KeyReader[] {
  const byGuid = new Map(definitions.map((d) => [guid(d.id), d]));
  const out: KeyReader[] = [];
  for (const a of assignments) {
    const roleName = keyRoleName(byGuid.get(guid(a.roleDefinitionId)), a.roleDefinitionId);
    if (roleName === undefined) continue;
    out.push({
      principalId: a.principalId,
      principalType: a.principalType,
      roleDefinitionId: a.roleDefinitionId,
      roleName,
      scope: assignmentScope(a.scope, a.id, "roleAssignments"),
    });
  }
  return out;
}

/**
 * The key readers of one resource. An assignment whose scope is unknown (neither its `scope` nor its id names one) is
 * counted: a sweep never under-reports who can read the keys.
 */
export function keyReadersFor(resourceId: string, granting: KeyReader[], chains: ManagementGroupChains): KeyReader[] {
  return granting.filter((k) => k.scope.trim() === "" || scopeCovers(k.scope, resourceId, chains));
}
