/** Which ARM scopes cover a resource: the root, a management group above its subscription, or a prefix of its id. */

const lower = (s: string) => s.toLowerCase();
const MG = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)$/;

/** The management group ancestors of each subscription (lower-cased ids and names). */
export type ManagementGroupChains = ReadonlyMap<string, readonly string[]>;

/** True when an assignment or exemption at `scope` applies to `resourceId`. */
export function scopeCovers(scope: string, resourceId: string, chains: ManagementGroupChains): boolean {
  const s = lower(scope.trim().replace(/\/+$/, ""));
  const r = lower(resourceId);
  if (s === "" || s === r || r.startsWith(`${s}/`)) return true;
  const group = MG.exec(s)?.[1];
  if (group === undefined) return false;
  const subscription = /^\/subscriptions\/([^/]+)/.exec(r)?.[1] ?? "";
  return (chains.get(subscription) ?? []).includes(group);
}

/** The scope of an exemption or assignment id (the part before `/providers/Microsoft.Authorization/…`). */
export function scopeOfId(id: string): string {
  const at = lower(id).lastIndexOf("/providers/microsoft.authorization/");
  return at <= 0 ? "/" : id.slice(0, at);
}
