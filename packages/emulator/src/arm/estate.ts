/**
 * The emulated estate beyond the one ACS resource: subscriptions under management groups, more
 * Microsoft.Communication/communicationServices resources, Azure Policy assignments, initiatives and exemptions, and
 * the Activity Log. Resource Graph's tables are built from it (and from the role assignments and definitions of the
 * ARM state); seeding helpers build the small estate `acs-baseline emulator` shows and large ones for benchmarks.
 */
import { randomUUID } from "node:crypto";

/** A subscription and its management group ancestors (nearest first). @public */
export interface EstateSubscription {
  subscriptionId: string;
  name: string;
  managementGroups: string[];
}

/** An ACS resource of the estate (Resource Graph's `resources` row). @public */
export interface EstateResource {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** As ARM stores it: `true`, `false`, absent, or anything a template put there. */
  disableLocalAuth?: unknown;
}

/** A policy assignment. @public */
export interface EstatePolicyAssignment {
  id: string;
  name: string;
  scope: string;
  policyDefinitionId: string;
  enforcementMode: "Default" | "DoNotEnforce";
  parameters?: Record<string, { value: unknown }>;
  /** Scopes the assignment does not apply in (`properties.notScopes`). */
  notScopes?: string[];
  /** Effect overrides (`properties.overrides`: kind `policyEffect`, with optional selectors). */
  overrides?: { kind: string; value: string; selectors?: { kind: string; in?: string[]; notIn?: string[] }[] }[];
  /** Resource selectors (`properties.resourceSelectors`): the assignment applies only to the resources they choose. */
  resourceSelectors?: { name: string; selectors: { kind: string; in?: string[]; notIn?: string[] }[] }[];
}

/** A policy set definition (initiative). @public */
export interface EstatePolicySetDefinition {
  id: string;
  name: string;
  policyDefinitions: {
    policyDefinitionId: string;
    policyDefinitionReferenceId?: string;
    parameters?: Record<string, { value: unknown }>;
  }[];
  parameters?: Record<string, { type?: string; defaultValue?: unknown }>;
}

/** A policy exemption. @public */
export interface EstatePolicyExemption {
  id: string;
  name: string;
  scope: string;
  policyAssignmentId: string;
  exemptionCategory: "Waiver" | "Mitigated";
  expiresOn?: string;
  /** The initiative members it exempts (`properties.policyDefinitionReferenceIds`; absent: all). */
  policyDefinitionReferenceIds?: string[];
  /** The resources it exempts (`properties.resourceSelectors`, as an assignment's; absent: all in its scope). */
  resourceSelectors?: { name: string; selectors: { kind: string; in?: string[]; notIn?: string[] }[] }[];
}

/** What narrows an exemption (see {@link EstatePolicyExemption}). @public */
export type EstateExemptionNarrowing = Pick<
  EstatePolicyExemption,
  "policyDefinitionReferenceIds" | "resourceSelectors"
>;

/** One Activity Log event (the REST `EventData` fields the emulator records). @public */
export interface EstateActivityEvent {
  eventDataId: string;
  correlationId: string;
  eventTimestamp: string;
  resourceId: string;
  operationName: string;
  status: "Started" | "Succeeded" | "Failed";
  caller: string;
  appId: string;
  objectId: string;
}

/** The estate's mutable state. */
export interface EstateState {
  subscriptions: EstateSubscription[];
  resources: EstateResource[];
  policyAssignments: EstatePolicyAssignment[];
  policySetDefinitions: EstatePolicySetDefinition[];
  policyExemptions: EstatePolicyExemption[];
  activity: EstateActivityEvent[];
  /** Resource Graph tables that answer 403 (to test what a sweep does without read access). */
  deniedTables: Set<string>;
  /** Rows per Resource Graph page (Azure: 1,000). */
  graphPageSize: number;
  /** Resource Graph requests received. */
  graphRequests: number;
}

/** A fresh, empty estate. */
export function createEstateState(): EstateState {
  return {
    subscriptions: [],
    resources: [],
    policyAssignments: [],
    policySetDefinitions: [],
    policyExemptions: [],
    activity: [],
    deniedTables: new Set(),
    graphPageSize: 1000,
    graphRequests: 0,
  };
}

/** Built-in: Communication service resource should have local authentication methods disabled (Audit|Deny|Disabled). */
export const LOCAL_AUTH_AUDIT_DENY =
  "/providers/Microsoft.Authorization/policyDefinitions/fc264132-db9c-4302-bb7d-3994c36461fe";
/** Built-in: Configure Communication service resource to disable local authentication (Modify|Disabled). */
export const LOCAL_AUTH_MODIFY =
  "/providers/Microsoft.Authorization/policyDefinitions/145408bc-d134-468a-ae3b-1eaf3b9e5ac7";

const mgId = (name: string) => `/providers/Microsoft.Management/managementGroups/${name}`;

/** Adds an ACS resource; returns it. */
export function addEstateResource(
  estate: EstateState,
  subscriptionId: string,
  name: string,
  disableLocalAuth: unknown,
  resourceGroup = "rg-acs",
): EstateResource {
  const resource: EstateResource = {
    id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Communication/communicationServices/${name}`,
    name,
    subscriptionId,
    resourceGroup,
    location: "global",
    ...(disableLocalAuth === undefined ? {} : { disableLocalAuth }),
  };
  estate.resources.push(resource);
  return resource;
}

/** Adds a policy assignment at `scope`; returns it. */
export function addPolicyAssignment(
  estate: EstateState,
  scope: string,
  policyDefinitionId: string,
  options: {
    effect?: string;
    enforcementMode?: "Default" | "DoNotEnforce";
    parameters?: Record<string, { value: unknown }>;
  } & Pick<EstatePolicyAssignment, "notScopes" | "overrides" | "resourceSelectors"> = {},
): EstatePolicyAssignment {
  const name = randomUUID().replace(/-/g, "").slice(0, 24);
  const parameters =
    options.parameters ?? (options.effect !== undefined ? { effect: { value: options.effect } } : undefined);
  const assignment: EstatePolicyAssignment = {
    id: `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/policyAssignments/${name}`,
    name,
    scope,
    policyDefinitionId,
    enforcementMode: options.enforcementMode ?? "Default",
    ...(parameters !== undefined ? { parameters } : {}),
    ...(options.notScopes !== undefined ? { notScopes: options.notScopes } : {}),
    ...(options.overrides !== undefined ? { overrides: options.overrides } : {}),
    ...(options.resourceSelectors !== undefined ? { resourceSelectors: options.resourceSelectors } : {}),
  };
  estate.policyAssignments.push(assignment);
  return assignment;
}

/** Adds an exemption of `assignment` at `scope`; returns it. */
export function addPolicyExemption(
  estate: EstateState,
  assignment: EstatePolicyAssignment,
  scope: string,
  expiresOn?: string,
  narrowing: EstateExemptionNarrowing = {},
): EstatePolicyExemption {
  const name = `exempt-${randomUUID().slice(0, 8)}`;
  const exemption: EstatePolicyExemption = {
    id: `${scope}/providers/Microsoft.Authorization/policyExemptions/${name}`,
    name,
    scope,
    policyAssignmentId: assignment.id,
    exemptionCategory: "Waiver",
    ...(expiresOn !== undefined ? { expiresOn } : {}),
    ...(narrowing.policyDefinitionReferenceIds !== undefined
      ? { policyDefinitionReferenceIds: narrowing.policyDefinitionReferenceIds }
      : {}),
    ...(narrowing.resourceSelectors !== undefined ? { resourceSelectors: narrowing.resourceSelectors } : {}),
  };
  estate.policyExemptions.push(exemption);
  return exemption;
}

/**
 * The small estate `acs-baseline emulator` seeds: three subscriptions under one management group, resources with
 * local auth on and off, one Deny, one Audit-only and one exempted assignment. Returns the subscriptions.
 */
export function seedSmallEstate(estate: EstateState, managementGroup: string): EstateSubscription[] {
  const subs = ["contoso-prod", "contoso-dev", "contoso-sandbox"].map((name) => ({
    subscriptionId: randomUUID(),
    name,
    managementGroups: [managementGroup],
  }));
  estate.subscriptions.push(...subs);
  const [prod, dev, sandbox] = subs;
  addEstateResource(estate, prod.subscriptionId, "acs-prod-notify", true);
  addEstateResource(estate, prod.subscriptionId, "acs-prod-legacy", false);
  addEstateResource(estate, dev.subscriptionId, "acs-dev", false);
  addEstateResource(estate, sandbox.subscriptionId, "acs-sandbox", undefined);
  addPolicyAssignment(estate, `/subscriptions/${prod.subscriptionId}`, LOCAL_AUTH_AUDIT_DENY, { effect: "Deny" });
  addPolicyAssignment(estate, `/subscriptions/${dev.subscriptionId}`, LOCAL_AUTH_AUDIT_DENY);
  const sandboxDeny = addPolicyAssignment(estate, `/subscriptions/${sandbox.subscriptionId}`, LOCAL_AUTH_AUDIT_DENY, {
    effect: "Deny",
  });
  addPolicyExemption(estate, sandboxDeny, `/subscriptions/${sandbox.subscriptionId}/resourceGroups/rg-acs`);
  return subs;
}

/** A generated estate of `resources` ACS resources spread over `subscriptions` subscriptions (for benchmarks). */
export function seedGeneratedEstate(
  estate: EstateState,
  managementGroup: string,
  resources: number,
  subscriptions: number,
): void {
  const subs = Array.from({ length: subscriptions }, (_, k) => ({
    subscriptionId: randomUUID(),
    name: `generated-${k}`,
    managementGroups: [managementGroup],
  }));
  estate.subscriptions.push(...subs);
  for (let k = 0; k < resources; k++)
    addEstateResource(estate, subs[k % subscriptions].subscriptionId, `acs-${k}`, k % 3 === 0);
  addPolicyAssignment(estate, mgId(managementGroup), LOCAL_AUTH_AUDIT_DENY);
}
