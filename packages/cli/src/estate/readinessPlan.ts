/**
 * `readiness --plan`: the flip (`disableLocalAuth: true`) and a Deny assignment of the built-in fc264132 at the
 * resource group, so the flip stays flipped. Bicep, an ARM template, or az commands; nothing is run.
 */
import type { AcsResourceId } from "acs-baseline/internal";

const DEFINITION = "/providers/Microsoft.Authorization/policyDefinitions/fc264132-db9c-4302-bb7d-3994c36461fe";
const ASSIGNMENT = "deny-acs-local-auth";

/** The plan in the chosen format. */
export function renderReadinessPlan(resource: AcsResourceId, format: "bicep" | "arm" | "az"): string {
  const rgScope = `/subscriptions/${resource.subscriptionId}/resourceGroups/${resource.resourceGroup}`;
  if (format === "az") {
    return [
      `# 1. Switch local auth off (access keys stop working).`,
      `az resource update --ids '${resource.id}' --set properties.disableLocalAuth=true --api-version 2025-05-01`,
      `# 2. Keep it off: deny local auth in the resource group (built-in fc264132, effect Deny).`,
      `az policy assignment create --name ${ASSIGNMENT} --scope '${rgScope}' --policy fc264132-db9c-4302-bb7d-3994c36461fe --params '{"effect":{"value":"Deny"}}'`,
    ].join("\n");
  }
  if (format === "bicep") {
    return `// Deploy at the resource group ${resource.resourceGroup}.
resource acs 'Microsoft.Communication/communicationServices@2025-05-01' existing = {
  name: '${resource.name}'
}
// 1. Switch local auth off: redeploy the resource's own template with this property (shown here as the change).
//    properties: { disableLocalAuth: true }
// 2. Keep it off: deny local auth in this resource group.
resource denyLocalAuth 'Microsoft.Authorization/policyAssignments@2024-04-01' = {
  name: '${ASSIGNMENT}'
  properties: {
    policyDefinitionId: '${DEFINITION}'
    enforcementMode: 'Default'
    parameters: { effect: { value: 'Deny' } }
  }
}`;
  }
  return JSON.stringify(
    {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      resources: [
        {
          type: "Microsoft.Authorization/policyAssignments",
          apiVersion: "2024-04-01",
          name: ASSIGNMENT,
          properties: {
            policyDefinitionId: DEFINITION,
            enforcementMode: "Default",
            parameters: { effect: { value: "Deny" } },
          },
        },
      ],
      outputs: {
        flip: {
          type: "string",
          value: `Set properties.disableLocalAuth to true on ${resource.id} (api-version 2025-05-01).`,
        },
      },
    },
    null,
    2,
  );
}
