/**
 * The types of the emulator's ARM plane: the public seeding surface ({@link EmulatorArm} and what it hands out) and
 * the internal {@link ArmState} that every resource provider's handler reads and writes.
 */
import type { KeyLike } from "jose";
import type { EmulatorRoleDefinition } from "./roles.js";
import type {
  EstatePolicyAssignment,
  EstateExemptionNarrowing,
  EstatePolicyExemption,
  EstatePolicySetDefinition,
  EstateResource,
  EstateState,
  EstateSubscription,
} from "./estate.js";

/** The writable and read-only state of the emulated ACS resource. @public */
export interface EmulatorAcsResource {
  readonly id: string;
  readonly name: string;
  disableLocalAuth: boolean;
  publicNetworkAccess: "Enabled" | "Disabled" | "SecuredByPerimeter";
  dataLocation: string;
  /** Host name of the data plane (no port), as ARM reports it. */
  hostName: string;
  /** Managed identity type. */
  identityType: "None" | "SystemAssigned" | "UserAssigned" | "SystemAssigned,UserAssigned";
  linkedDomains: string[];
  tags: Record<string, string>;
}

/** A diagnostic setting on the resource (the REST `properties`). @public */
export interface EmulatorDiagnosticSetting {
  workspaceId?: string;
  storageAccountId?: string;
  eventHubAuthorizationRuleId?: string;
  eventHubName?: string;
  marketplacePartnerId?: string;
  serviceBusRuleId?: string;
  logAnalyticsDestinationType?: string;
  logs?: { category?: string; categoryGroup?: string; enabled: boolean }[];
  metrics?: { category?: string; timeGrain?: string; enabled: boolean }[];
}

/** A role assignment held by the emulator. @public */
export interface EmulatorRoleAssignment {
  /** Full id: `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
  id: string;
  name: string;
  scope: string;
  /** `/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}` */
  roleDefinitionId: string;
  principalId: string;
  principalType: "User" | "Group" | "ServicePrincipal" | "ForeignGroup" | "Device";
}

/** Seeding options for {@link EmulatorArm.assignRole}. @public */
export interface AssignRoleOptions {
  principalId: string;
  principalType?: EmulatorRoleAssignment["principalType"];
  /** A built-in role name (`"Reader"`, `"Owner"`, …), or a role definition GUID (built-in or custom). */
  role: string;
  /** `resource` (default), `resourceGroup`, `subscription`, `managementGroup`, `root`, or any scope path. */
  scope?: "resource" | "resourceGroup" | "subscription" | "managementGroup" | "root" | (string & {});
}

/** Seeding options for {@link EmulatorArm.defineRole}. @public */
export interface DefineRoleOptions {
  roleName: string;
  description?: string;
  actions: string[];
  notActions?: string[];
  /** Default: the subscription. */
  assignableScopes?: string[];
  /** GUID. Default: random. */
  name?: string;
}

/** The ARM side of a running emulator, with its seeding API. @public */
export interface EmulatorArm {
  /** `https://127.0.0.1:PORT`: pass as `endpoint` and `$host` (and the token scope `{endpoint}/.default`). */
  readonly endpoint: string;
  /** `{endpoint}/.default` */
  readonly tokenScope: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly managementGroupId: string;
  /** `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Communication/communicationServices/{n}` */
  readonly resourceId: string;
  /** Scope paths of the resource's ancestors. */
  readonly scopes: {
    readonly resource: string;
    readonly resourceGroup: string;
    readonly subscription: string;
    readonly managementGroup: string;
    readonly root: string;
  };
  /** The live resource state (mutate to seed; PATCH through ARM changes it too). */
  readonly resource: EmulatorAcsResource;
  /** Number of ARM requests received. */
  readonly requests: number;
  /** `endpoint=https://127.0.0.1:PORT/;accesskey=…` with the current primary (or secondary) key: a "leaked" secret for tests. */
  connectionString(key?: "primary" | "secondary"): string;
  /** Assigns a role; returns the assignment. */
  assignRole(options: AssignRoleOptions): EmulatorRoleAssignment;
  /** Removes a role assignment by its name or id. */
  removeRoleAssignment(nameOrId: string): void;
  /** The role assignments, oldest first. */
  readonly roleAssignments: readonly EmulatorRoleAssignment[];
  /**
   * Makes `memberId` (a principal or another group) a member of the Entra group `groupId`: the group's role
   * assignments then apply to it (authorization, and `$filter=assignedTo('…')`, transitively as in ARM).
   */
  addGroupMember(groupId: string, memberId: string): void;
  /** Ends a membership {@link EmulatorArm.addGroupMember} made. */
  removeGroupMember(groupId: string, memberId: string): void;
  /** Defines a custom role; returns its definition. */
  defineRole(options: DefineRoleOptions): EmulatorRoleDefinition;
  /** Creates or replaces a diagnostic setting on the resource. */
  setDiagnosticSetting(name: string, setting: EmulatorDiagnosticSetting): void;
  /** Removes every diagnostic setting. */
  clearDiagnosticSettings(): void;
  /** Page size of list operations (role assignments, role definitions, diagnostic settings); default 100. */
  setPageSize(size: number): void;
  /** Subscriptions, ACS resources and Azure Policy beyond the one resource, for Resource Graph and the Activity Log. */
  readonly estate: EmulatorEstate;
}

/** The mutable state of one emulator's ARM plane. */
export interface ArmState {
  issuer: () => string;
  verifyKey: KeyLike;
  endpoint: () => string;
  acsEndpoint: () => string;
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  managementGroupId: string;
  resource: EmulatorAcsResource;
  immutableResourceId: string;
  keys: { primary: string; secondary: string };
  diagnosticSettings: Map<string, EmulatorDiagnosticSetting>;
  assignments: EmulatorRoleAssignment[];
  /** Entra group memberships: lower-cased group id → lower-cased member ids (principals or groups). */
  groupMembers: Map<string, Set<string>>;
  customRoles: EmulatorRoleDefinition[];
  pageSize: number;
  stats: { armRequests: number };
  /** Subscriptions, resources, policy and the Activity Log beyond the one resource. */
  estate: EstateState;
}

/** The estate seeding API (docs/emulator.md): subscriptions, ACS resources, Azure Policy, Resource Graph knobs. @public */
export interface EmulatorEstate {
  readonly subscriptions: readonly EstateSubscription[];
  readonly resources: readonly EstateResource[];
  /** Resource Graph requests received. */
  readonly graphRequests: number;
  /** Adds a subscription under management groups (nearest first; default: the tenant root group). */
  addSubscription(name: string, managementGroups?: string[]): EstateSubscription;
  /** Adds an ACS resource; `disableLocalAuth` is stored as given (`undefined`: absent). */
  addResource(subscriptionId: string, name: string, disableLocalAuth: unknown, resourceGroup?: string): EstateResource;
  /**
   * Assigns a policy definition or set definition at a scope, optionally with `notScopes`, `overrides` and
   * `resourceSelectors` (served in `properties` as ARM stores them).
   */
  assignPolicy(
    scope: string,
    policyDefinitionId: string,
    options?: {
      effect?: string;
      enforcementMode?: "Default" | "DoNotEnforce";
      parameters?: Record<string, { value: unknown }>;
    } & Pick<EstatePolicyAssignment, "notScopes" | "overrides" | "resourceSelectors">,
  ): EstatePolicyAssignment;
  /** Defines an initiative at a scope (default: the emulator's subscription). */
  definePolicySet(
    definition: Omit<EstatePolicySetDefinition, "id" | "name">,
    scope?: string,
  ): EstatePolicySetDefinition;
  /**
   * Exempts `scope` from an assignment, optionally until `expiresOn` (ISO 8601), optionally only some initiative
   * members (`policyDefinitionReferenceIds`) or resources (`resourceSelectors`).
   */
  exempt(
    assignment: EstatePolicyAssignment,
    scope: string,
    expiresOn?: string,
    narrowing?: EstateExemptionNarrowing,
  ): EstatePolicyExemption;
  /** Makes Resource Graph answer 403 for queries on `table`. */
  denyTable(table: string): void;
  /** Rows per Resource Graph page (default 1,000, as Azure). */
  setGraphPageSize(size: number): void;
  /** Seeds the small demo estate: three subscriptions, local auth on and off, Deny, Audit-only, an exemption, a key reader. */
  seedSmall(): EstateSubscription[];
  /** Seeds `resources` ACS resources over `subscriptions` new subscriptions (benchmarks). */
  seedGenerated(resources: number, subscriptions: number): void;
}
