/**
 * Every Resource Graph query the sweep sends (docs/sweep.md prints them): a table, `where`, `project`. Joins happen
 * in code, so each query stays inside the small KQL subset a reader can check and the emulator can serve.
 */

/** The ACS resources. */
export const RESOURCES_QUERY =
  "resources | where type =~ 'microsoft.communication/communicationservices' | project id, name, subscriptionId, resourceGroup, location, disableLocalAuth = properties.disableLocalAuth";

/** Subscriptions with their management group ancestors (`id` projected: Resource Graph pages only results with it). */
export const SUBSCRIPTIONS_QUERY =
  "resourcecontainers | where type =~ 'microsoft.resources/subscriptions' | project id, subscriptionId, managementGroupAncestorsChain = properties.managementGroupAncestorsChain";

/** Policy assignments, with what narrows them (excluded scopes, resource selectors, effect overrides). */
export const ASSIGNMENTS_QUERY =
  "policyresources | where type =~ 'microsoft.authorization/policyassignments' | project id, scope = tostring(properties.scope), policyDefinitionId = tostring(properties.policyDefinitionId), enforcementMode = tostring(properties.enforcementMode), parameters = properties.parameters, notScopes = properties.notScopes, overrides = properties.overrides, resourceSelectors = properties.resourceSelectors";

/** Policy set definitions (initiatives). */
export const SET_DEFINITIONS_QUERY =
  "policyresources | where type =~ 'microsoft.authorization/policysetdefinitions' | project id, policyDefinitions = properties.policyDefinitions, parameters = properties.parameters";

/** Policy exemptions, with what narrows them (the initiative members and the resources they exempt). */
export const EXEMPTIONS_QUERY =
  "policyresources | where type =~ 'microsoft.authorization/policyexemptions' | project id, policyAssignmentId = tostring(properties.policyAssignmentId), exemptionCategory = tostring(properties.exemptionCategory), expiresOn = tostring(properties.expiresOn), policyDefinitionReferenceIds = properties.policyDefinitionReferenceIds, resourceSelectors = properties.resourceSelectors";

/** Role assignments. */
export const ROLE_ASSIGNMENTS_QUERY =
  "authorizationresources | where type =~ 'microsoft.authorization/roleassignments' | project id, scope = tostring(properties.scope), principalId = tostring(properties.principalId), principalType = tostring(properties.principalType), roleDefinitionId = tostring(properties.roleDefinitionId)";

/** Role definitions. */
export const ROLE_DEFINITIONS_QUERY =
  "authorizationresources | where type =~ 'microsoft.authorization/roledefinitions' | project id, roleName = tostring(properties.roleName), permissions = properties.permissions";
