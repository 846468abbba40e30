/** The seeding API of the ARM plane: what tests and the demo use to shape the emulated estate. */
import { randomUUID } from "node:crypto";
import { checkDiagnosticSetting } from "./insights.js";
import { BUILT_IN_ROLE_IDS } from "./roles.js";
import { addAssignment, defineCustomRole, lower, roleByGuid, roleDefinitionIdFor, scopesOf } from "./state.js";
import type { ArmState, EmulatorArm, EmulatorEstate } from "./types.js";
import {
  addEstateResource,
  addPolicyAssignment,
  addPolicyExemption,
  seedGeneratedEstate,
  seedSmallEstate,
} from "./estate.js";

/** The seeding API over an ARM state. */
export function createEmulatorArm(state: ArmState): EmulatorArm {
  const scopes = scopesOf(state);
  return {
    get endpoint() {
      return state.endpoint();
    },
    get tokenScope() {
      return `${state.endpoint()}/.default`;
    },
    subscriptionId: state.subscriptionId,
    resourceGroup: state.resourceGroup,
    managementGroupId: state.managementGroupId,
    resourceId: state.resource.id,
    scopes,
    resource: state.resource,
    get requests() {
      return state.stats.armRequests;
    },
    connectionString: (key = "primary") => `endpoint=${state.acsEndpoint()}/;accesskey=${state.keys[key]}`,
    assignRole(options) {
      const guid = (BUILT_IN_ROLE_IDS as Record<string, string>)[options.role] ?? options.role;
      if (roleByGuid(state, guid) === undefined)
        throw new Error(`no role definition "${options.role}" in the emulator`);
      const where = options.scope ?? "resource";
      const scope = where in scopes ? scopes[where as keyof typeof scopes] : where;
      return addAssignment(state, {
        name: randomUUID(),
        scope,
        roleDefinitionId: roleDefinitionIdFor(state, guid),
        principalId: options.principalId,
        principalType: options.principalType ?? "ServicePrincipal",
      });
    },
    removeRoleAssignment(nameOrId) {
      const i = state.assignments.findIndex(
        (a) => lower(a.name) === lower(nameOrId) || lower(a.id) === lower(nameOrId),
      );
      if (i !== -1) state.assignments.splice(i, 1);
    },
    roleAssignments: state.assignments,
    addGroupMember(groupId, memberId) {
      const key = lower(groupId);
      const members = state.groupMembers.get(key) ?? new Set<string>();
      members.add(lower(memberId));
      state.groupMembers.set(key, members);
    },
    removeGroupMember: (groupId, memberId) => void state.groupMembers.get(lower(groupId))?.delete(lower(memberId)),
    defineRole: (options) => defineCustomRole(state, { ...options, name: options.name ?? randomUUID() }),
    setDiagnosticSetting(name, setting) {
      const checked = checkDiagnosticSetting(setting as Record<string, unknown>);
      if (typeof checked === "string") throw new Error(checked);
      state.diagnosticSettings.set(name, checked);
    },
    clearDiagnosticSettings: () => state.diagnosticSettings.clear(),
    estate: createEmulatorEstate(state),
    setPageSize(size) {
      if (!Number.isInteger(size) || size < 1) throw new RangeError("page size must be a positive integer");
      state.pageSize = size;
    },
  };
}

/** The estate seeding API over an ARM state. */
function createEmulatorEstate(state: ArmState): EmulatorEstate {
  const estate = state.estate;
  return {
    subscriptions: estate.subscriptions,
    resources: estate.resources,
    get graphRequests() {
      return estate.graphRequests;
    },
    addSubscription(name, managementGroups = [state.managementGroupId]) {
      const subscription = { subscriptionId: randomUUID(), name, managementGroups };
      estate.subscriptions.push(subscription);
      return subscription;
    },
    addResource: (subscriptionId, name, disableLocalAuth, resourceGroup) =>
      addEstateResource(estate, subscriptionId, name, disableLocalAuth, resourceGroup),
    assignPolicy: (scope, policyDefinitionId, options) =>
      addPolicyAssignment(estate, scope, policyDefinitionId, options),
    definePolicySet(definition, scope = `/subscriptions/${state.subscriptionId}`) {
      const name = randomUUID();
      const set = {
        ...definition,
        name,
        id: `${scope}/providers/Microsoft.Authorization/policySetDefinitions/${name}`,
      };
      estate.policySetDefinitions.push(set);
      return set;
    },
    exempt: (assignment, scope, expiresOn, narrowing) =>
      addPolicyExemption(estate, assignment, scope, expiresOn, narrowing),
    denyTable: (table) => estate.deniedTables.add(table.toLowerCase()),
    setGraphPageSize(size) {
      if (!Number.isInteger(size) || size < 1) throw new RangeError("page size must be a positive integer");
      estate.graphPageSize = size;
    },
    seedSmall() {
      const subscriptions = seedSmallEstate(estate, state.managementGroupId);
      // A key reader: a principal whose role (Contributor) grants listKeys on the production subscription.
      addAssignment(state, {
        name: randomUUID(),
        scope: `/subscriptions/${subscriptions[0].subscriptionId}`,
        roleDefinitionId: roleDefinitionIdFor(state, BUILT_IN_ROLE_IDS.Contributor),
        principalId: randomUUID(),
        principalType: "ServicePrincipal",
      });
      return subscriptions;
    },
    seedGenerated: (resources, subscriptions) =>
      seedGeneratedEstate(estate, state.managementGroupId, resources, subscriptions),
  };
}
