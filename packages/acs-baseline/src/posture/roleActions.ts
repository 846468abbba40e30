/**
 * ARM action matching as Azure RBAC does it: case-insensitive, `*` matches any run of characters, and a permission
 * block grants an action when one of its `actions` matches and none of its `notActions` does. A role grants an action
 * when any of its blocks does.
 */

/** One permission block of a role definition (as the authorization SDK returns it). */
export interface RolePermission {
  actions?: string[];
  notActions?: string[];
}

const cache = new Map<string, RegExp>();

/** True when the ARM action pattern matches `action` (case-insensitive, `*` wildcards). */
export function actionMatches(pattern: string, action: string): boolean {
  let re = cache.get(pattern);
  if (re === undefined) {
    const parts = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"));
    re = new RegExp(`^${parts.join(".*")}$`, "is");
    if (cache.size < 10_000) cache.set(pattern, re);
  }
  return re.test(action);
}

/** True when the permission blocks grant `action`. */
export function grants(permissions: readonly RolePermission[], action: string): boolean {
  return permissions.some(
    (p) =>
      (p.actions ?? []).some((a) => actionMatches(a, action)) &&
      !(p.notActions ?? []).some((n) => actionMatches(n, action)),
  );
}

/** The ACS management actions posture checks look for (lower-camel, as in the operations list). */
export const ACS_ACTIONS = Object.freeze({
  read: "Microsoft.Communication/communicationServices/read",
  write: "Microsoft.Communication/communicationServices/write",
  delete: "Microsoft.Communication/communicationServices/delete",
  listKeys: "Microsoft.Communication/communicationServices/listKeys/action",
  regenerateKey: "Microsoft.Communication/communicationServices/regenerateKey/action",
  roleAssignmentsWrite: "Microsoft.Authorization/roleAssignments/write",
} as const);
