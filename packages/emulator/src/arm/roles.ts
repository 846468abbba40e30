/**
 * Built-in Azure role definitions the ARM side of the emulator serves, with their published action lists, and
 * ARM action matching (case-insensitive, `*` wildcards, `notActions` subtracted per permission block).
 *
 * Sources: Owner, Contributor and Reader from Microsoft Learn "Azure built-in roles" (privileged / general);
 * "Communication and Email Service Owner" (09976791-48a7-449e-bb21-39d1a415f350) from its published definition
 * (created 2024-11-21). Built-ins write ACS actions as `Microsoft.Communication/CommunicationServices/ListKeys/action`.
 */

/** One permission block of a role definition. @public */
export interface EmulatorRolePermission {
  actions: string[];
  notActions?: string[];
  dataActions?: string[];
  notDataActions?: string[];
}

/** A role definition held by the emulator. @public */
export interface EmulatorRoleDefinition {
  /** GUID (the definition's `name`). */
  name: string;
  roleName: string;
  type: "BuiltInRole" | "CustomRole";
  description: string;
  permissions: EmulatorRolePermission[];
  assignableScopes: string[];
}

/** Built-in role GUIDs. @public */
export const BUILT_IN_ROLE_IDS = Object.freeze({
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  "Communication and Email Service Owner": "09976791-48a7-449e-bb21-39d1a415f350",
} as const);

/** The built-in roles, as published. */
export const BUILT_IN_ROLES: readonly EmulatorRoleDefinition[] = Object.freeze([
  {
    name: BUILT_IN_ROLE_IDS.Owner,
    roleName: "Owner",
    type: "BuiltInRole",
    description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    permissions: [{ actions: ["*"], notActions: [], dataActions: [], notDataActions: [] }],
    assignableScopes: ["/"],
  },
  {
    name: BUILT_IN_ROLE_IDS.Contributor,
    roleName: "Contributor",
    type: "BuiltInRole",
    description:
      "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    permissions: [
      {
        actions: ["*"],
        notActions: [
          "Microsoft.Authorization/*/Delete",
          "Microsoft.Authorization/*/Write",
          "Microsoft.Authorization/elevateAccess/Action",
          "Microsoft.Blueprint/blueprintAssignments/write",
          "Microsoft.Blueprint/blueprintAssignments/delete",
          "Microsoft.Compute/galleries/share/action",
          "Microsoft.Purview/consents/write",
          "Microsoft.Purview/consents/delete",
          "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
          "Microsoft.Subscription/cancel/action",
          "Microsoft.Subscription/enable/action",
        ],
        dataActions: [],
        notDataActions: [],
      },
    ],
    assignableScopes: ["/"],
  },
  {
    name: BUILT_IN_ROLE_IDS.Reader,
    roleName: "Reader",
    type: "BuiltInRole",
    description: "View all resources, but does not allow you to make any changes.",
    permissions: [{ actions: ["*/read"], notActions: [], dataActions: [], notDataActions: [] }],
    assignableScopes: ["/"],
  },
  {
    name: BUILT_IN_ROLE_IDS["Communication and Email Service Owner"],
    roleName: "Communication and Email Service Owner",
    type: "BuiltInRole",
    description: "Create, read, modify, and delete Communications and Email Service resources.",
    permissions: [
      {
        actions: [
          "Microsoft.Communication/CheckNameAvailability/action",
          "Microsoft.Communication/Locations/OperationStatuses/read",
          "Microsoft.Communication/Locations/OperationStatuses/write",
          "Microsoft.Communication/Operations/read",
          "Microsoft.Communication/CommunicationServices/read",
          "Microsoft.Communication/CommunicationServices/write",
          "Microsoft.Communication/CommunicationServices/delete",
          "Microsoft.Communication/CommunicationServices/ListKeys/action",
          "Microsoft.Communication/CommunicationServices/RegenerateKey/action",
          "Microsoft.Communication/CommunicationServices/LinkNotificationHub/action",
          "Microsoft.Communication/CommunicationServices/EventGridFilters/read",
          "Microsoft.Communication/CommunicationServices/EventGridFilters/write",
          "Microsoft.Communication/CommunicationServices/EventGridFilters/delete",
          "Microsoft.Communication/EmailServices/read",
          "Microsoft.Communication/EmailServices/write",
          "Microsoft.Communication/EmailServices/delete",
          "Microsoft.Communication/EmailServices/Domains/read",
          "Microsoft.Communication/EmailServices/Domains/write",
          "Microsoft.Communication/EmailServices/Domains/delete",
          "Microsoft.Communication/EmailServices/Domains/SenderUsernames/read",
          "Microsoft.Communication/EmailServices/Domains/SenderUsernames/write",
          "Microsoft.Communication/EmailServices/Domains/SenderUsernames/delete",
        ],
        notActions: [],
        dataActions: [],
        notDataActions: [],
      },
    ],
    assignableScopes: ["/"],
  },
] satisfies EmulatorRoleDefinition[]);

const patternCache = new Map<string, RegExp>();

/** True when an ARM action pattern (`*` wildcards, case-insensitive) matches `action`. */
export function actionMatches(pattern: string, action: string): boolean {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"));
    re = new RegExp(`^${escaped.join(".*")}$`, "i");
    if (patternCache.size < 10_000) patternCache.set(pattern, re);
  }
  return re.test(action);
}

/** True when the permission blocks grant `action` (some block lists it in `actions` and not in its `notActions`). */
export function permissionsGrant(permissions: readonly EmulatorRolePermission[], action: string): boolean {
  return permissions.some(
    (p) =>
      p.actions.some((a) => actionMatches(a, action)) && !(p.notActions ?? []).some((n) => actionMatches(n, action)),
  );
}
