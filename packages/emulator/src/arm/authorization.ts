/**
 * Microsoft.Authorization: role assignments (list for a scope with `atScope()`, `principalId eq '…'` (the principal's
 * own assignments) and `assignedTo('…')` (its own and its groups', transitively), inherited
 * from the resource group, subscription, management group and root; get/put/delete) and role definitions (the
 * built-ins with their published action lists, plus custom roles), at any scope.
 */
import type { ArmRequest, Outcome } from "./request.js";
import { authorize, deny, fail, methodNotAllowed, page, propertiesOf, send } from "./request.js";
import type { EmulatorRolePermission, EmulatorRoleDefinition } from "./roles.js";
import {
  addAssignment,
  allRoles,
  appliesAt,
  defineCustomRole,
  isBelow,
  lower,
  principalAndGroups,
  roleByGuid,
  trimSlash,
} from "./state.js";
import type { ArmState, EmulatorRoleAssignment } from "./types.js";

const AUTHORIZATION_PATH =
  /^(.*?)\/providers\/microsoft\.authorization\/(roleassignments|roledefinitions)(?:\/([^/]+))?$/i;
const STAMP = "2026-01-01T00:00:00.0000000Z";

function assignmentJson(a: EmulatorRoleAssignment): Record<string, unknown> {
  return {
    id: a.id,
    name: a.name,
    type: "Microsoft.Authorization/roleAssignments",
    properties: {
      scope: a.scope,
      roleDefinitionId: a.roleDefinitionId,
      principalId: a.principalId,
      principalType: a.principalType,
      condition: null,
      conditionVersion: null,
      createdOn: STAMP,
      updatedOn: STAMP,
      createdBy: null,
      updatedBy: null,
      delegatedManagedIdentityResourceId: null,
      description: null,
    },
  };
}

function definitionJson(state: ArmState, role: EmulatorRoleDefinition, scope: string): Record<string, unknown> {
  const s = trimSlash(scope);
  const idScope =
    s === "/" || lower(s).startsWith("/providers/microsoft.management/")
      ? ""
      : `/subscriptions/${state.subscriptionId}`;
  return {
    id: `${idScope}/providers/Microsoft.Authorization/roleDefinitions/${role.name}`,
    name: role.name,
    type: "Microsoft.Authorization/roleDefinitions",
    properties: {
      roleName: role.roleName,
      type: role.type,
      description: role.description,
      assignableScopes: [...role.assignableScopes],
      permissions: role.permissions.map((p) => ({
        actions: [...p.actions],
        notActions: [...(p.notActions ?? [])],
        dataActions: [...(p.dataActions ?? [])],
        notDataActions: [...(p.notDataActions ?? [])],
      })),
      createdOn: STAMP,
      updatedOn: STAMP,
      createdBy: null,
      updatedBy: null,
    },
  };
}

/** A parsed role-assignment `$filter`: `principalIds` (lower case) limits the assignments to those principals. */
interface AssignmentFilter {
  atScope: boolean;
  principalIds?: Set<string>;
}

/**
 * Parses the role-assignment `$filter` ARM supports here: `atScope()`, `principalId eq '…'` (that principal's own
 * assignments) and `assignedTo('…')` (its own and those of every group it is in), joined by `and`.
 */
function parseAssignmentFilter(state: ArmState, filter: string | null): AssignmentFilter | undefined {
  if (filter === null || filter.trim().length === 0) return { atScope: false };
  const result: AssignmentFilter = { atScope: false };
  for (const part of filter.split(/\s+and\s+/i)) {
    const p = part.trim();
    const direct = /^principalId\s+eq\s+'([^']+)'$/i.exec(p)?.[1];
    const assignedTo = /^assignedTo\('([^']+)'\)$/i.exec(p)?.[1];
    if (/^atScope\(\)$/i.test(p)) result.atScope = true;
    else if (direct !== undefined) result.principalIds = new Set([lower(direct)]);
    else if (assignedTo !== undefined) result.principalIds = principalAndGroups(state, assignedTo);
    else return undefined;
  }
  return result;
}

const verb = (method: string, write: boolean): string => (write ? "write" : method === "DELETE" ? "delete" : "read");

function listAssignments(r: ArmRequest, scope: string): Outcome {
  if (r.method !== "GET") return methodNotAllowed(r);
  const filter = parseAssignmentFilter(r.state, r.query.get("$filter"));
  if (filter === undefined)
    return fail(
      r,
      400,
      "InvalidFilterInQueryString",
      "The filter is not supported. Supported: atScope(), principalId eq '{id}', assignedTo('{id}').",
    );
  const items = r.state.assignments.filter((a) => {
    if (filter.principalIds !== undefined && !filter.principalIds.has(lower(a.principalId))) return false;
    return appliesAt(r.state, a.scope, scope) || (!filter.atScope && isBelow(a.scope, scope));
  });
  return send(r, 200, page(r, items.map(assignmentJson)));
}

function putAssignment(
  r: ArmRequest,
  scope: string,
  name: string,
  existing: EmulatorRoleAssignment | undefined,
): Outcome {
  const p = propertiesOf(r.body);
  const roleDefinitionId = typeof p.roleDefinitionId === "string" ? p.roleDefinitionId : "";
  const principalId = typeof p.principalId === "string" ? p.principalId : "";
  if (roleByGuid(r.state, roleDefinitionId.split("/").pop() ?? "") === undefined)
    return fail(r, 400, "RoleDefinitionDoesNotExist", "The specified role definition does not exist.");
  if (principalId.length === 0)
    return fail(r, 400, "InvalidPrincipalId", "A valid principal ID must be provided for role assignment.");
  if (existing !== undefined) return fail(r, 409, "RoleAssignmentExists", "The role assignment already exists.");
  const principalType = (
    typeof p.principalType === "string" ? p.principalType : "ServicePrincipal"
  ) as EmulatorRoleAssignment["principalType"];
  const created = addAssignment(r.state, { name, scope, roleDefinitionId, principalId, principalType });
  return send(r, 201, assignmentJson(created));
}

function roleAssignments(r: ArmRequest, scope: string, name: string | undefined): Outcome {
  const m = r.method;
  const action = `Microsoft.Authorization/roleAssignments/${verb(m, name !== undefined && m === "PUT")}`;
  if (!authorize(r, action, scope)) return deny(r, action, scope);
  if (name === undefined) return listAssignments(r, scope);
  const existing = r.state.assignments.find(
    (a) => lower(a.name) === lower(name) && lower(trimSlash(a.scope)) === lower(trimSlash(scope)),
  );
  if (m === "GET") {
    if (existing === undefined) return fail(r, 404, "RoleAssignmentNotFound", "The role assignment does not exist.");
    return send(r, 200, assignmentJson(existing));
  }
  if (m === "DELETE") {
    if (existing === undefined) return send(r, 204, undefined);
    r.state.assignments.splice(r.state.assignments.indexOf(existing), 1);
    return send(r, 200, assignmentJson(existing));
  }
  if (m === "PUT") return putAssignment(r, scope, name, existing);
  return methodNotAllowed(r);
}

function listDefinitions(r: ArmRequest, scope: string): Outcome {
  if (r.method !== "GET") return methodNotAllowed(r);
  const filter = r.query.get("$filter");
  const byName = filter === null ? undefined : /^roleName\s+eq\s+'([^']*)'$/i.exec(filter.trim())?.[1];
  const byType = filter === null ? undefined : /^type\s+eq\s+'([^']*)'$/i.exec(filter.trim())?.[1];
  const items = allRoles(r.state).filter(
    (role) =>
      (byName === undefined || lower(role.roleName) === lower(byName)) &&
      (byType === undefined || lower(role.type) === lower(byType)),
  );
  return send(
    r,
    200,
    page(
      r,
      items.map((role) => definitionJson(r.state, role, scope)),
    ),
  );
}

function putDefinition(r: ArmRequest, scope: string, name: string, role: EmulatorRoleDefinition | undefined): Outcome {
  const p = propertiesOf(r.body);
  if (role?.type === "BuiltInRole")
    return fail(r, 400, "RoleDefinitionUpdateNotAllowed", "Built-in role definitions cannot be changed.");
  const permissions = Array.isArray(p.permissions) ? (p.permissions as EmulatorRolePermission[]) : [];
  const defined = defineCustomRole(r.state, {
    name,
    roleName: typeof p.roleName === "string" ? p.roleName : name,
    description: typeof p.description === "string" ? p.description : "",
    actions: permissions.flatMap((x) => (Array.isArray(x.actions) ? x.actions.map(String) : [])),
    notActions: permissions.flatMap((x) => (Array.isArray(x.notActions) ? x.notActions.map(String) : [])),
    assignableScopes: Array.isArray(p.assignableScopes) ? p.assignableScopes.map(String) : [scope],
  });
  return send(r, 201, definitionJson(r.state, defined, scope));
}

function roleDefinitions(r: ArmRequest, scope: string, name: string | undefined): Outcome {
  const m = r.method;
  const action = `Microsoft.Authorization/roleDefinitions/${verb(m, m === "PUT")}`;
  // Reading built-in definitions at the root or a management group needs no assignment there (as in ARM, any
  // authenticated caller can read role definitions).
  if (m !== "GET" && !authorize(r, action, scope)) return deny(r, action, scope);
  if (name === undefined) return listDefinitions(r, scope);
  const role = roleByGuid(r.state, name);
  if (m === "GET") {
    if (role === undefined)
      return fail(
        r,
        404,
        "RoleDefinitionDoesNotExist",
        `The specified role definition with ID '${name.slice(0, 64)}' does not exist.`,
      );
    return send(r, 200, definitionJson(r.state, role, scope));
  }
  if (m === "PUT") return putDefinition(r, scope, name, role);
  if (m === "DELETE") {
    if (role === undefined || role.type === "BuiltInRole") return send(r, 204, undefined);
    r.state.customRoles.splice(r.state.customRoles.indexOf(role), 1);
    return send(r, 200, definitionJson(r.state, role, scope));
  }
  return methodNotAllowed(r);
}

/** Matches role assignment and role definition paths at any scope. */
export function matchAuthorization(r: ArmRequest): boolean {
  return AUTHORIZATION_PATH.test(r.path);
}

/** Handles a request {@link matchAuthorization} accepted. */
export function handleAuthorization(r: ArmRequest): Outcome {
  const m = AUTHORIZATION_PATH.exec(r.path) as RegExpExecArray;
  const scope = m[1] === "" ? "/" : (m[1] ?? "/");
  const name = m[3];
  return lower(m[2] ?? "") === "roleassignments" ? roleAssignments(r, scope, name) : roleDefinitions(r, scope, name);
}
