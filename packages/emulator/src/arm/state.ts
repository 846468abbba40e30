/**
 * The ARM plane's state and the scope rules every provider shares: a fresh state, the resource's ancestor scopes,
 * which role assignments apply where, and whether a principal holds an action at a scope (as ARM evaluates it).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { DefineRoleOptions, EmulatorRoleAssignment, ArmState } from "./types.js";
import type { EmulatorRoleDefinition } from "./roles.js";
import { BUILT_IN_ROLES, permissionsGrant } from "./roles.js";
import { createEstateState } from "./estate.js";

/** Lower case, for ARM's case-insensitive ids and actions. */
export const lower = (s: string): string => s.toLowerCase();
/** Drops one trailing slash (but keeps the root `/`). */
export const trimSlash = (s: string): string => (s.length > 1 && s.endsWith("/") ? s.slice(0, -1) : s);

/** A fresh ARM state for a new emulator. */
export function createArmState(
  init: Omit<
    ArmState,
    | "resource"
    | "keys"
    | "diagnosticSettings"
    | "assignments"
    | "groupMembers"
    | "customRoles"
    | "pageSize"
    | "immutableResourceId"
    | "estate"
  >,
): ArmState {
  const name = "acs-emulator";
  return {
    ...init,
    resource: {
      id: `/subscriptions/${init.subscriptionId}/resourceGroups/${init.resourceGroup}/providers/Microsoft.Communication/communicationServices/${name}`,
      name,
      disableLocalAuth: false,
      publicNetworkAccess: "Enabled",
      dataLocation: "United States",
      hostName: "127.0.0.1",
      identityType: "None",
      linkedDomains: [],
      tags: {},
    },
    immutableResourceId: randomUUID(),
    keys: { primary: randomBytes(64).toString("base64"), secondary: randomBytes(64).toString("base64") },
    diagnosticSettings: new Map(),
    assignments: [],
    groupMembers: new Map(),
    customRoles: [],
    pageSize: 100,
    estate: createEstateState(),
  };
}

/** Scope paths of the resource and its ancestors. */
export function scopesOf(state: ArmState) {
  const subscription = `/subscriptions/${state.subscriptionId}`;
  return {
    resource: state.resource.id,
    resourceGroup: `${subscription}/resourceGroups/${state.resourceGroup}`,
    subscription,
    managementGroup: `/providers/Microsoft.Management/managementGroups/${state.managementGroupId}`,
    root: "/",
  };
}

/** The built-in roles and the custom roles defined so far. */
export function allRoles(state: ArmState): EmulatorRoleDefinition[] {
  return [...BUILT_IN_ROLES, ...state.customRoles];
}

/** The subscription-level id of a role definition. */
export function roleDefinitionIdFor(state: ArmState, guid: string): string {
  return `/subscriptions/${state.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

/** True when an assignment at `assignmentScope` applies at `scope` (same scope or an ancestor). */
export function appliesAt(state: ArmState, assignmentScope: string, scope: string): boolean {
  const a = lower(trimSlash(assignmentScope));
  const s = lower(trimSlash(scope));
  if (a === "/" || a === s || s.startsWith(`${a}/`)) return true;
  const mg = lower(scopesOf(state).managementGroup);
  if (a === mg && s.startsWith(`/subscriptions/${lower(state.subscriptionId)}`)) return true;
  // A management group of the estate applies to the subscriptions under it.
  const group = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)$/.exec(a)?.[1];
  const subscription = /^\/subscriptions\/([^/]+)/.exec(s)?.[1];
  if (group === undefined || subscription === undefined) return false;
  const entry = state.estate.subscriptions.find((e) => lower(e.subscriptionId) === subscription);
  return entry !== undefined && entry.managementGroups.some((m) => lower(m) === group);
}

/** True when an assignment at `assignmentScope` is below `scope`. */
export function isBelow(assignmentScope: string, scope: string): boolean {
  const a = lower(trimSlash(assignmentScope));
  const s = lower(trimSlash(scope));
  return s === "/" ? a !== "/" : a.startsWith(`${s}/`);
}

/** The role definition with this GUID, built-in or custom. */
export function roleByGuid(state: ArmState, guid: string): EmulatorRoleDefinition | undefined {
  return allRoles(state).find((r) => lower(r.name) === lower(guid));
}

/**
 * The lower-cased ids whose role assignments apply to `principalId`: itself and every group it is a member of,
 * directly or through other groups (ARM's `assignedTo()` is transitive for groups).
 */
export function principalAndGroups(state: ArmState, principalId: string): Set<string> {
  const found = new Set([lower(principalId)]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [group, members] of state.groupMembers)
      if (!found.has(group) && [...members].some((m) => found.has(m))) {
        found.add(group);
        grew = true;
      }
  }
  return found;
}

/** True when `principalId` holds `action` at `scope` through any applicable assignment (its groups' included). */
export function isAuthorized(state: ArmState, principalId: string, action: string, scope: string): boolean {
  const ids = principalAndGroups(state, principalId);
  return state.assignments.some((assignment) => {
    if (!ids.has(lower(assignment.principalId)) || !appliesAt(state, assignment.scope, scope)) return false;
    const role = roleByGuid(state, assignment.roleDefinitionId.split("/").pop() ?? "");
    return role !== undefined && permissionsGrant(role.permissions, action);
  });
}

/** Adds a role assignment (its id derived from scope and name) and returns it. */
export function addAssignment(state: ArmState, a: Omit<EmulatorRoleAssignment, "id">): EmulatorRoleAssignment {
  const scope = trimSlash(a.scope);
  const assignment: EmulatorRoleAssignment = {
    ...a,
    scope,
    id: `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`,
  };
  state.assignments.push(assignment);
  return assignment;
}

/** Creates or replaces a custom role. */
export function defineCustomRole(
  state: ArmState,
  options: DefineRoleOptions & { name: string },
): EmulatorRoleDefinition {
  const role: EmulatorRoleDefinition = {
    name: options.name,
    roleName: options.roleName,
    type: "CustomRole",
    description: options.description ?? "",
    permissions: [
      {
        actions: [...options.actions],
        notActions: [...(options.notActions ?? [])],
        dataActions: [],
        notDataActions: [],
      },
    ],
    assignableScopes: options.assignableScopes ?? [scopesOf(state).subscription],
  };
  const i = state.customRoles.findIndex((r) => lower(r.name) === lower(options.name));
  if (i === -1) state.customRoles.push(role);
  else state.customRoles[i] = role;
  return role;
}
