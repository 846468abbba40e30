/** Which ARM scopes cover a resource: the root, a management group above its subscription, or a prefix of its id. */

const lower = (s: string) => s.toLowerCase();
const MG = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)$/;

/** The management group ancestors of each subscription (lower-cased ids and names). */
export type ManagementGroupChains = ReadonlyMap<string, readonly string[]>;

/** The subscription id in a resource id, lower-cased ("" when it names none). */
export function subscriptionOf(resourceId: string): string {
  return /^\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1]?.toLowerCase() ?? "";
}

/**
 * True when an assignment or exemption at `scope` applies to `resourceId`. An empty scope names nothing and covers
 * nothing (the root scope is `/`); a management group covers the resource only when its subscription's ancestors are
 * in `chains`.
 */
export function scopeCovers(scope: string, resourceId: string, chains: ManagementGroupChains): boolean {
  if (scope.trim() === "") return false;
  const s = lower(scope.trim().replace(/\/+$/, ""));
  const r = lower(resourceId);
  if (s === "" || s === r || r.startsWith(`${s}/`)) return true;
  const group = MG.exec(s)?.[1];
  if (group === undefined) return false;
  return (chains.get(subscriptionOf(r)) ?? []).includes(group);
}

/** The scope of an exemption or assignment id (the part before `/providers/Microsoft.Authorization/…`). */
export function scopeOfId(id: string): string {
  const at = lower(id).lastIndexOf("/providers/microsoft.authorization/");
  return at <= 0 ? "/" : id.slice(0, at);
}

/**
 * The scope of an assignment: `scope` when it names one, else the scope in its id (the part before
 * `/providers/Microsoft.Authorization/{kind}/`); "" when neither does (it then covers nothing).
 */
export function assignmentScope(scope: string, id: string, kind: "policyAssignments" | "roleAssignments"): string {
  if (scope.trim() !== "") return scope;
  const at = lower(id).lastIndexOf(`/providers/microsoft.authorization/${lower(kind)}/`);
  return at > 0 ? id.slice(0, at) : "";
}
