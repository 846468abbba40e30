/**
 * A reviewable fix for every failing posture check, as Bicep, an ARM template (JSON) or Azure CLI commands. Printing
 * a plan changes nothing on Azure: the operator reviews and applies it.
 *
 * - `local-auth-disabled`: `disableLocalAuth: true` with api-version 2025-09-01 (at least 2025-05-01 is needed: older
 *   api-versions cannot set the property).
 * - `resource-logs` / `auth-logs`: a diagnostic setting sending category group `allLogs` to the workspace.
 * - `key-access-principals` / `app-principal-least-privilege`: the least-privilege custom role and its assignment to
 *   the app's principal at the resource; principals with key access are listed for review.
 */
import { customRoleFor } from "./customRole.js";
import { parseAcsResourceId } from "./resourceId.js";
import type { KeyAccessPrincipal, PostureClientType, PostureResult } from "./types.js";

/** Output format of {@link renderPosturePlan}. @public */
export type PlanFormat = "bicep" | "arm" | "az";

/** api-version used to set disableLocalAuth (the first stable one with the property is 2025-05-01). */
export const LOCAL_AUTH_API_VERSION = "2025-09-01";
const DIAGNOSTIC_API_VERSION = "2021-05-01-preview";
const AUTHORIZATION_API_VERSION = "2022-04-01";
const SETTING_NAME = "acs-baseline-all-logs";

/** Options of {@link renderPosturePlan}. @public */
export interface PlanOptions {
  /** Log Analytics workspace resource id for the diagnostic setting (a parameter without it). */
  workspaceId?: string | undefined;
  clients?: readonly PostureClientType[] | undefined;
  armEndpoint?: string | undefined;
}

interface Needs {
  localAuth: boolean;
  logs: boolean;
  role: boolean;
  keyPrincipals: KeyAccessPrincipal[];
  dataLocation: string;
}

type AcsResource = ReturnType<typeof parseAcsResourceId>;
type CustomRole = ReturnType<typeof customRoleFor>;

/** What each rendering of the plan (Bicep, ARM template, az commands) is made from. */
interface PlanInput {
  needs: Needs;
  resource: AcsResource;
  role: CustomRole;
  /** The app's service principal object id ("" when unknown). */
  principalId: string;
  options: PlanOptions;
}

function needsOf(result: PostureResult): Needs {
  const failing = (id: string) =>
    result.checks.some((c) => c.id === id && (c.status === "fail" || (id === "auth-logs" && c.status === "warn")));
  const local = result.checks.find((c) => c.id === "local-auth-disabled");
  const keys = result.checks.find((c) => c.id === "key-access-principals");
  return {
    localAuth: failing("local-auth-disabled"),
    logs: failing("resource-logs") || failing("auth-logs"),
    role: failing("key-access-principals") || failing("app-principal-least-privilege"),
    keyPrincipals:
      keys?.status === "fail" ? ((keys.details?.principals as KeyAccessPrincipal[] | undefined) ?? []) : [],
    dataLocation:
      typeof local?.details?.dataLocation === "string" && local.details.dataLocation.length > 0
        ? local.details.dataLocation
        : "United States",
  };
}

const bicepString = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** True when nothing needs fixing. */
export function planIsEmpty(result: PostureResult): boolean {
  const n = needsOf(result);
  return !n.localAuth && !n.logs && !n.role;
}

/**
 * A reviewable fix for every failing check of `result`: Bicep, an ARM template (JSON) or Azure CLI commands.
 * Changes nothing; deterministic for a given result and options. Empty of fixes when nothing fails.
 * @public
 */
export function renderPosturePlan(result: PostureResult, format: PlanFormat, options: PlanOptions = {}): string {
  const resource = parseAcsResourceId(result.resourceId);
  const input: PlanInput = {
    needs: needsOf(result),
    resource,
    role: customRoleFor(resource.id, options.clients ?? []),
    principalId: result.principal.objectId ?? "",
    options,
  };
  if (format === "bicep") return bicep(input);
  if (format === "arm") return `${JSON.stringify(armTemplate(input), null, 2)}\n`;
  return az(input);
}

function bicep({ needs, resource, role, principalId, options }: PlanInput): string {
  const lines: string[] = [
    "// acs-baseline posture plan: review, then deploy to the resource's resource group:",
    `//   az deployment group create --resource-group ${resource.resourceGroup} --template-file plan.bicep`,
    "// Nothing was changed on Azure.",
    "",
  ];
  if (needs.logs)
    lines.push(
      "@description('Resource id of the Log Analytics workspace that receives the resource logs.')",
      `param workspaceId string${options.workspaceId !== undefined ? ` = ${bicepString(options.workspaceId)}` : ""}`,
      "",
    );
  if (needs.role)
    lines.push(
      "@description('Object id of the application\\'s service principal.')",
      `param appPrincipalId string = ${bicepString(principalId)}`,
      "",
    );
  lines.push(...bicepAcs(needs, resource));
  if (needs.logs) lines.push(...bicepLogs());
  if (needs.role) lines.push(...bicepRole(needs, role));
  return `${lines.join("\n").trimEnd()}\n`;
}

/** The ACS resource: declared with local auth disabled when that check failed, otherwise referenced as existing. */
function bicepAcs(needs: Needs, resource: AcsResource): string[] {
  const lines: string[] = [];
  if (needs.localAuth) {
    lines.push(
      "// local-auth-disabled (IM-1): a full declaration (PUT). Keep every property you set elsewhere (linkedDomains, tags, identity).",
      `resource acs 'Microsoft.Communication/communicationServices@${LOCAL_AUTH_API_VERSION}' = {`,
      `  name: ${bicepString(resource.name)}`,
      "  location: 'global'",
      "  properties: {",
      `    dataLocation: ${bicepString(needs.dataLocation)}`,
      "    disableLocalAuth: true",
      "  }",
      "}",
      "",
    );
  } else {
    lines.push(
      `resource acs 'Microsoft.Communication/communicationServices@${LOCAL_AUTH_API_VERSION}' existing = {`,
      `  name: ${bicepString(resource.name)}`,
      "}",
      "",
    );
  }
  return lines;
}

/** Every log category to the workspace (resource-logs, auth-logs). */
function bicepLogs(): string[] {
  const lines: string[] = [];
  lines.push(
    "// resource-logs, auth-logs (LT-4): every log category (allLogs covers AuthOperational) to the workspace.",
    `resource allLogs 'Microsoft.Insights/diagnosticSettings@${DIAGNOSTIC_API_VERSION}' = {`,
    `  name: ${bicepString(SETTING_NAME)}`,
    "  scope: acs",
    "  properties: {",
    "    workspaceId: workspaceId",
    "    logs: [",
    "      {",
    "        categoryGroup: 'allLogs'",
    "        enabled: true",
    "      }",
    "    ]",
    "  }",
    "}",
    "",
  );
  return lines;
}

/** The custom role for the app's clients and its assignment (key-access-principals, app-principal-least-privilege). */
function bicepRole(needs: Needs, role: CustomRole): string[] {
  const lines: string[] = [];
  lines.push(
    "// key-access-principals, app-principal-least-privilege (PA-7): the app's clients need only this.",
    `resource senderRole 'Microsoft.Authorization/roleDefinitions@${AUTHORIZATION_API_VERSION}' = {`,
    `  name: guid(resourceGroup().id, ${bicepString(role.Name)})`,
    "  properties: {",
    `    roleName: ${bicepString(role.Name)}`,
    `    description: ${bicepString(role.Description)}`,
    "    type: 'CustomRole'",
    "    permissions: [",
    "      {",
    "        actions: [",
    ...role.Actions.map((a) => `          ${bicepString(a)}`),
    "        ]",
    "        notActions: [",
    ...role.NotActions.map((a) => `          ${bicepString(a)}`),
    "        ]",
    "      }",
    "    ]",
    "    assignableScopes: [",
    "      resourceGroup().id",
    "    ]",
    "  }",
    "}",
    "",
    `resource senderAssignment 'Microsoft.Authorization/roleAssignments@${AUTHORIZATION_API_VERSION}' = {`,
    "  name: guid(acs.id, appPrincipalId, senderRole.id)",
    "  scope: acs",
    "  properties: {",
    "    roleDefinitionId: senderRole.id",
    "    principalId: appPrincipalId",
    "    principalType: 'ServicePrincipal'",
    "  }",
    "}",
    "",
    "// Then remove the app's broader role assignments, and review these principals with key access:",
    ...needs.keyPrincipals.map((p) => `//   ${p.principalType} ${p.principalId}: ${p.roleName} at ${p.scope}`),
  );
  return lines;
}

function armTemplate({ needs, resource, role, principalId, options }: PlanInput): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  const resources: Record<string, unknown>[] = [];
  const acsId = `[resourceId('Microsoft.Communication/communicationServices', '${resource.name}')]`;
  if (needs.logs)
    parameters.workspaceId = {
      type: "string",
      ...(options.workspaceId !== undefined ? { defaultValue: options.workspaceId } : {}),
      metadata: { description: "Resource id of the Log Analytics workspace." },
    };
  if (needs.role)
    parameters.appPrincipalId = {
      type: "string",
      defaultValue: principalId,
      metadata: { description: "Object id of the application's service principal." },
    };
  if (needs.localAuth) {
    resources.push({
      type: "Microsoft.Communication/communicationServices",
      apiVersion: LOCAL_AUTH_API_VERSION,
      name: resource.name,
      location: "global",
      properties: { dataLocation: needs.dataLocation, disableLocalAuth: true },
      metadata: {
        comment: "local-auth-disabled (IM-1). A full PUT: keep linkedDomains, tags and identity you set elsewhere.",
      },
    });
  }
  if (needs.logs) {
    resources.push({
      type: "Microsoft.Insights/diagnosticSettings",
      apiVersion: DIAGNOSTIC_API_VERSION,
      name: SETTING_NAME,
      scope: `Microsoft.Communication/communicationServices/${resource.name}`,
      ...(needs.localAuth ? { dependsOn: [acsId] } : {}),
      properties: { workspaceId: "[parameters('workspaceId')]", logs: [{ categoryGroup: "allLogs", enabled: true }] },
      metadata: { comment: "resource-logs, auth-logs (LT-4)" },
    });
  }
  if (needs.role) resources.push(...armRoleResources(role, acsId, resource.name));
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    metadata: {
      generator: "acs-baseline posture --plan arm",
      comment: `Review, then: az deployment group create --resource-group ${resource.resourceGroup} --template-file plan.json. Nothing was changed on Azure.`,
      ...(needs.keyPrincipals.length > 0
        ? {
            reviewKeyAccess: needs.keyPrincipals.map(
              (p) => `${p.principalType} ${p.principalId}: ${p.roleName} at ${p.scope}`,
            ),
          }
        : {}),
    },
    parameters,
    resources,
  };
}

/** The custom role for the app's clients and its assignment (key-access-principals, app-principal-least-privilege). */
function armRoleResources(role: CustomRole, acsId: string, name: string): Record<string, unknown>[] {
  const roleGuid = `[guid(resourceGroup().id, '${role.Name.replace(/'/g, "''")}')]`;
  return [
    {
      type: "Microsoft.Authorization/roleDefinitions",
      apiVersion: AUTHORIZATION_API_VERSION,
      name: roleGuid,
      properties: {
        roleName: role.Name,
        description: role.Description,
        type: "CustomRole",
        permissions: [{ actions: role.Actions, notActions: role.NotActions }],
        assignableScopes: ["[resourceGroup().id]"],
      },
      metadata: { comment: "key-access-principals, app-principal-least-privilege (PA-7)" },
    },
    {
      type: "Microsoft.Authorization/roleAssignments",
      apiVersion: AUTHORIZATION_API_VERSION,
      name: `[guid(${acsId.slice(1, -1)}, parameters('appPrincipalId'), ${roleGuid.slice(1, -1)})]`,
      scope: `Microsoft.Communication/communicationServices/${name}`,
      dependsOn: [`[resourceId('Microsoft.Authorization/roleDefinitions', ${roleGuid.slice(1, -1)})]`],
      properties: {
        roleDefinitionId: `[resourceId('Microsoft.Authorization/roleDefinitions', ${roleGuid.slice(1, -1)})]`,
        principalId: "[parameters('appPrincipalId')]",
        principalType: "ServicePrincipal",
      },
    },
  ];
}

function az({ needs, resource, role, principalId, options }: PlanInput): string {
  const arm = options.armEndpoint ?? "https://management.azure.com";
  const lines = [
    "#!/usr/bin/env bash",
    "# acs-baseline posture plan: review, then run. Nothing was changed on Azure.",
    "set -euo pipefail",
    "",
  ];
  if (needs.localAuth) {
    lines.push(
      `# local-auth-disabled (IM-1): PATCH with api-version ${LOCAL_AUTH_API_VERSION} (2025-05-01 or later can set disableLocalAuth)`,
      `az rest --method patch --url ${shellQuote(`${arm}${resource.id}?api-version=${LOCAL_AUTH_API_VERSION}`)} \\`,
      `  --body ${shellQuote(JSON.stringify({ properties: { disableLocalAuth: true } }))}`,
      "# then regenerate both keys:",
      `az rest --method post --url ${shellQuote(`${arm}${resource.id}/regenerateKey?api-version=${LOCAL_AUTH_API_VERSION}`)} --body ${shellQuote('{"keyType":"Primary"}')}`,
      `az rest --method post --url ${shellQuote(`${arm}${resource.id}/regenerateKey?api-version=${LOCAL_AUTH_API_VERSION}`)} --body ${shellQuote('{"keyType":"Secondary"}')}`,
      "",
    );
  }
  if (needs.logs) {
    lines.push(
      "# resource-logs, auth-logs (LT-4): every log category (allLogs) to the workspace",
      `WORKSPACE_ID=${shellQuote(options.workspaceId ?? "<Log Analytics workspace resource id>")}`,
      `az monitor diagnostic-settings create --name ${SETTING_NAME} --resource ${shellQuote(resource.id)} \\`,
      `  --workspace "$WORKSPACE_ID" --logs ${shellQuote(JSON.stringify([{ categoryGroup: "allLogs", enabled: true }]))}`,
      "",
    );
  }
  if (needs.role) {
    lines.push(
      "# key-access-principals, app-principal-least-privilege (PA-7): the custom role and its assignment at the resource",
      `az role definition create --role-definition ${shellQuote(JSON.stringify(role))}`,
      `az role assignment create --assignee-object-id ${shellQuote(principalId || "<app principal object id>")} --assignee-principal-type ServicePrincipal \\`,
      `  --role ${shellQuote(role.Name)} --scope ${shellQuote(resource.id)}`,
      "# then remove the app's broader role assignments (az role assignment delete --ids …) and review these principals with key access:",
      ...needs.keyPrincipals.map((p) => `#   ${p.principalType} ${p.principalId}: ${p.roleName} at ${p.scope}`),
      "",
    );
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
