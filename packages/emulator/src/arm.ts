/**
 * The Azure Resource Manager side of the emulator: one Microsoft.Communication/communicationServices resource (GET,
 * PATCH, listKeys, regenerateKey), its diagnostic settings (Microsoft.Insights, list/get/put/delete), and
 * Microsoft.Authorization role assignments (list for a scope with `atScope()` and `principalId eq '…'`, inherited
 * from the resource group, subscription, management group and root; get/put/delete) and role definitions (the
 * built-ins with their published action lists, plus custom roles). Response shapes follow the public REST
 * specifications at the api-versions the SDKs use by default. Every request needs an emulator-issued Bearer token
 * for the ARM audience, and the caller's role assignments are evaluated as ARM does (403 AuthorizationFailed).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { KeyLike } from "jose";
import { errors as joseErrors, jwtVerify } from "jose";
import type { EmulatorRoleDefinition, EmulatorRolePermission } from "./armRoles.js";
import { BUILT_IN_ROLES, BUILT_IN_ROLE_IDS, permissionsGrant } from "./armRoles.js";
import { header, pathOf, queryOf, readBody, sendJson } from "./http.js";

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
  readonly scopes: { readonly resource: string; readonly resourceGroup: string; readonly subscription: string; readonly managementGroup: string; readonly root: string };
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
  /** Defines a custom role; returns its definition. */
  defineRole(options: DefineRoleOptions): EmulatorRoleDefinition;
  /** Creates or replaces a diagnostic setting on the resource. */
  setDiagnosticSetting(name: string, setting: EmulatorDiagnosticSetting): void;
  /** Removes every diagnostic setting. */
  clearDiagnosticSettings(): void;
  /** Page size of list operations (role assignments, role definitions, diagnostic settings); default 100. */
  setPageSize(size: number): void;
}

/** Log categories of Microsoft.Communication/communicationServices that the emulator accepts. */
export const ACS_LOG_CATEGORIES: readonly string[] = Object.freeze([
  "AuthOperational",
  "ChatOperational",
  "SMSOperational",
  "CallSummary",
  "CallDiagnostics",
  "CallSurvey",
  "CallRecordingOperational",
  "CallRecordingSummary",
  "CallAutomationOperational",
  "CallAutomationMediaSummary",
  "CallClientOperations",
  "CallClientMediaStatsTimeSeries",
  "CallClientServiceRequestAndOutcome",
  "ClosedCaptionsSummary",
  "EmailSendMailOperational",
  "EmailStatusUpdateOperational",
  "EmailUserEngagementOperational",
  "JobRouterOperational",
  "NetworkTraversalOperational",
  "NetworkTraversalDiagnostics",
  "RoomsOperational",
  "Usage",
]);
const CATEGORY_GROUPS = ["allLogs", "audit"];

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
  customRoles: EmulatorRoleDefinition[];
  pageSize: number;
  stats: { armRequests: number };
}

type Outcome = { status: number; clientId?: string; authScheme: string; error?: string };

const RESOURCE_PROVIDER_PATH = "/providers/microsoft.communication/communicationservices/";
const MIN_LOCAL_AUTH_API_VERSION = "2025-05-01";

const lower = (s: string) => s.toLowerCase();
const trimSlash = (s: string) => (s.length > 1 && s.endsWith("/") ? s.slice(0, -1) : s);

/** A fresh ARM state for a new emulator. */
export function createArmState(init: Omit<ArmState, "resource" | "keys" | "diagnosticSettings" | "assignments" | "customRoles" | "pageSize" | "immutableResourceId">): ArmState {
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
    customRoles: [],
    pageSize: 100,
  };
}

function scopesOf(state: ArmState) {
  const subscription = `/subscriptions/${state.subscriptionId}`;
  return {
    resource: state.resource.id,
    resourceGroup: `${subscription}/resourceGroups/${state.resourceGroup}`,
    subscription,
    managementGroup: `/providers/Microsoft.Management/managementGroups/${state.managementGroupId}`,
    root: "/",
  };
}

function allRoles(state: ArmState): EmulatorRoleDefinition[] {
  return [...BUILT_IN_ROLES, ...state.customRoles];
}

function roleDefinitionIdFor(state: ArmState, guid: string): string {
  return `/subscriptions/${state.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

/** True when an assignment at `assignmentScope` applies at `scope` (same scope or an ancestor). */
function appliesAt(state: ArmState, assignmentScope: string, scope: string): boolean {
  const a = lower(trimSlash(assignmentScope));
  const s = lower(trimSlash(scope));
  if (a === "/" || a === s || s.startsWith(`${a}/`)) return true;
  const mg = lower(scopesOf(state).managementGroup);
  return a === mg && s.startsWith(`/subscriptions/${lower(state.subscriptionId)}`);
}

/** True when an assignment at `assignmentScope` is below `scope`. */
function isBelow(assignmentScope: string, scope: string): boolean {
  const a = lower(trimSlash(assignmentScope));
  const s = lower(trimSlash(scope));
  return s === "/" ? a !== "/" : a.startsWith(`${s}/`);
}

function roleByGuid(state: ArmState, guid: string): EmulatorRoleDefinition | undefined {
  return allRoles(state).find((r) => lower(r.name) === lower(guid));
}

/** True when `principalId` holds `action` at `scope` through any applicable assignment. */
export function isAuthorized(state: ArmState, principalId: string, action: string, scope: string): boolean {
  return state.assignments.some((assignment) => {
    if (lower(assignment.principalId) !== lower(principalId) || !appliesAt(state, assignment.scope, scope)) return false;
    const role = roleByGuid(state, assignment.roleDefinitionId.split("/").pop() ?? "");
    return role !== undefined && permissionsGrant(role.permissions, action);
  });
}

function armError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } }, { "x-ms-request-id": randomUUID(), "x-ms-correlation-request-id": randomUUID() });
}

function resourceJson(state: ArmState, apiVersion: string): Record<string, unknown> {
  const r = state.resource;
  const properties: Record<string, unknown> = {
    provisioningState: "Succeeded",
    hostName: r.hostName,
    dataLocation: r.dataLocation,
    version: "0.2.0",
    immutableResourceId: state.immutableResourceId,
    linkedDomains: [...r.linkedDomains],
    publicNetworkAccess: r.publicNetworkAccess,
  };
  // disableLocalAuth exists from api-version 2025-05-01 on; older versions neither return nor accept it.
  if (apiVersion >= MIN_LOCAL_AUTH_API_VERSION) properties.disableLocalAuth = r.disableLocalAuth;
  return {
    id: r.id,
    name: r.name,
    type: "Microsoft.Communication/CommunicationServices",
    location: "global",
    tags: { ...r.tags },
    identity: r.identityType === "None" ? { type: "None" } : { type: r.identityType, principalId: state.immutableResourceId, tenantId: state.tenantId },
    properties,
  };
}

function keysJson(state: ArmState): Record<string, string> {
  const endpoint = `${state.acsEndpoint()}/`;
  return {
    primaryKey: state.keys.primary,
    secondaryKey: state.keys.secondary,
    primaryConnectionString: `endpoint=${endpoint};accesskey=${state.keys.primary}`,
    secondaryConnectionString: `endpoint=${endpoint};accesskey=${state.keys.secondary}`,
  };
}

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
      createdOn: "2026-01-01T00:00:00.0000000Z",
      updatedOn: "2026-01-01T00:00:00.0000000Z",
      createdBy: null,
      updatedBy: null,
      delegatedManagedIdentityResourceId: null,
      description: null,
    },
  };
}

function definitionJson(state: ArmState, role: EmulatorRoleDefinition, scope: string): Record<string, unknown> {
  const s = trimSlash(scope);
  const idScope = s === "/" || lower(s).startsWith("/providers/microsoft.management/") ? "" : `/subscriptions/${state.subscriptionId}`;
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
      createdOn: "2026-01-01T00:00:00.0000000Z",
      updatedOn: "2026-01-01T00:00:00.0000000Z",
      createdBy: null,
      updatedBy: null,
    },
  };
}

function diagnosticJson(state: ArmState, name: string, s: EmulatorDiagnosticSetting): Record<string, unknown> {
  return {
    id: `${state.resource.id}/providers/microsoft.insights/diagnosticSettings/${name}`,
    name,
    type: "Microsoft.Insights/diagnosticSettings",
    properties: {
      ...s,
      logs: (s.logs ?? []).map((l) => ({ ...(l.category !== undefined ? { category: l.category } : { category: null }), ...(l.categoryGroup !== undefined ? { categoryGroup: l.categoryGroup } : { categoryGroup: null }), enabled: l.enabled, retentionPolicy: { enabled: false, days: 0 } })),
      metrics: (s.metrics ?? []).map((m) => ({ ...m, retentionPolicy: { enabled: false, days: 0 } })),
    },
  };
}

/** A page of `items` from `?$skipToken=N`, with a nextLink carrying the same query. */
function page(state: ArmState, req: IncomingMessage, items: unknown[]): { value: unknown[]; nextLink?: string } {
  const query = queryOf(req);
  const skip = Math.max(0, Number.parseInt(query.get("$skipToken") ?? "0", 10) || 0);
  const value = items.slice(skip, skip + state.pageSize);
  if (skip + state.pageSize >= items.length) return { value };
  query.set("$skipToken", String(skip + state.pageSize));
  return { value, nextLink: `${state.endpoint()}${pathOf(req)}?${query.toString()}` };
}

/** Parses the role-assignment `$filter` ARM supports here: `atScope()`, `principalId eq '…'`, joined by `and`. */
function parseAssignmentFilter(filter: string | null): { atScope: boolean; principalId?: string } | undefined {
  if (filter === null || filter.trim().length === 0) return { atScope: false };
  const result: { atScope: boolean; principalId?: string } = { atScope: false };
  for (const part of filter.split(/\s+and\s+/i)) {
    const p = part.trim();
    if (/^atScope\(\)$/i.test(p)) result.atScope = true;
    else {
      const m = /^principalId\s+eq\s+'([^']+)'$/i.exec(p);
      if (m === null) return undefined;
      result.principalId = m[1];
    }
  }
  return result;
}

/** Handles one ARM request. */
export async function handleArm(req: IncomingMessage, res: ServerResponse, state: ArmState): Promise<Outcome> {
  state.stats.armRequests++;
  const authorization = header(req, "authorization") ?? "";
  const scheme = authorization.length === 0 ? "none" : (authorization.split(" ")[0] ?? "none").slice(0, 32);
  const fail = (status: number, code: string, message: string, clientId?: string): Outcome => {
    armError(res, status, code, message);
    return { status, authScheme: scheme, error: code, ...(clientId !== undefined ? { clientId } : {}) };
  };
  if (scheme !== "Bearer") {
    res.setHeader("www-authenticate", `Bearer authorization_uri="${state.issuer()}", error="invalid_token"`);
    return fail(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
  }
  let oid: string;
  let clientId: string;
  try {
    const { payload } = await jwtVerify(authorization.slice(7).trim(), state.verifyKey, {
      algorithms: ["RS256"],
      audience: [state.endpoint(), `${state.endpoint()}/`],
      issuer: state.issuer(),
      requiredClaims: ["exp", "oid"],
    });
    oid = String(payload.oid);
    clientId = typeof payload.appid === "string" ? payload.appid : "";
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return fail(401, "ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time.");
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "aud") {
      return fail(401, "InvalidAuthenticationTokenAudience", "The access token has been obtained for wrong audience or resource.");
    }
    return fail(401, "InvalidAuthenticationToken", "The access token is invalid.");
  }
  const withClient = (o: Outcome): Outcome => ({ ...o, clientId });
  const query = queryOf(req);
  const apiVersion = query.get("api-version");
  if (apiVersion === null || apiVersion.length === 0) {
    return withClient(fail(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests."));
  }
  const path = trimSlash(decodeURIComponent(pathOf(req)).replace(/\/{2,}/g, "/"));
  const lpath = lower(path);
  const method = (req.method ?? "GET").toUpperCase();
  const deny = (action: string, scope: string): Outcome =>
    withClient(
      fail(
        403,
        "AuthorizationFailed",
        `The client '${clientId}' with object id '${oid}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      ),
    );
  const authorize = (action: string, scope: string): boolean => isAuthorized(state, oid, action, scope);
  const ok = (status: number, body: unknown): Outcome => {
    sendJson(res, status, body, { "x-ms-request-id": randomUUID() });
    return withClient({ status, authScheme: scheme });
  };
  let body: Record<string, unknown> = {};
  if (method === "PUT" || method === "PATCH" || method === "POST") {
    const text = await readBody(req);
    if (text === undefined) return withClient(fail(413, "RequestEntityTooLarge", "The request body is too large."));
    if (text.length > 0) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
        body = parsed as Record<string, unknown>;
      } catch {
        return withClient(fail(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized."));
      }
    }
  }

  // Role assignments and role definitions at any scope.
  const authz = /^(.*?)\/providers\/microsoft\.authorization\/(roleassignments|roledefinitions)(?:\/([^/]+))?$/i.exec(path);
  if (authz !== null) {
    const scope = authz[1] === "" ? "/" : (authz[1] ?? "/");
    const kind = lower(authz[2] ?? "");
    const name = authz[3];
    if (kind === "roleassignments") return withClient(roleAssignments(method, scope, name, body));
    return withClient(roleDefinitions(method, scope, name, body));
  }
  const rid = lower(state.resource.id);
  // Diagnostic settings on the resource.
  const diag = /^(.*?)\/providers\/microsoft\.insights\/diagnosticsettings(?:\/([^/]+))?$/i.exec(path);
  if (diag !== null) {
    if (lower(diag[1] ?? "") !== rid) return withClient(fail(404, "ResourceNotFound", `The Resource '${(diag[1] ?? "").slice(0, 300)}' was not found.`));
    return withClient(diagnosticSettings(method, diag[2], body));
  }
  if (lpath === rid || lpath === `${rid}/listkeys` || lpath === `${rid}/regeneratekey`) {
    if (lpath === rid && method === "GET") {
      if (!authorize("Microsoft.Communication/communicationServices/read", state.resource.id)) return deny("Microsoft.Communication/communicationServices/read", state.resource.id);
      return ok(200, resourceJson(state, apiVersion));
    }
    if (lpath === rid && method === "PATCH") {
      if (!authorize("Microsoft.Communication/communicationServices/write", state.resource.id)) return deny("Microsoft.Communication/communicationServices/write", state.resource.id);
      const error = patchResource(body, apiVersion);
      if (error !== undefined) return withClient(fail(400, "InvalidRequestContent", error));
      return ok(200, resourceJson(state, apiVersion));
    }
    if (lpath.endsWith("/listkeys") && method === "POST") {
      if (!authorize("Microsoft.Communication/communicationServices/listKeys/action", state.resource.id)) return deny("Microsoft.Communication/communicationServices/listKeys/action", state.resource.id);
      return ok(200, keysJson(state));
    }
    if (lpath.endsWith("/regeneratekey") && method === "POST") {
      if (!authorize("Microsoft.Communication/communicationServices/regenerateKey/action", state.resource.id)) return deny("Microsoft.Communication/communicationServices/regenerateKey/action", state.resource.id);
      const keyType = typeof body.keyType === "string" ? lower(body.keyType) : "";
      if (keyType !== "primary" && keyType !== "secondary") return withClient(fail(400, "InvalidRequestContent", "keyType must be 'Primary' or 'Secondary'."));
      state.keys[keyType] = randomBytes(64).toString("base64");
      return ok(200, keysJson(state));
    }
    return withClient(fail(405, "MethodNotAllowed", `The method '${method}' is not allowed on this resource.`));
  }
  if (lpath.startsWith(`/subscriptions/${lower(state.subscriptionId)}/resourcegroups/`) && lpath.includes(RESOURCE_PROVIDER_PATH)) {
    return withClient(fail(404, "ResourceNotFound", `The Resource 'Microsoft.Communication/communicationServices/${path.split("/").pop()?.slice(0, 64) ?? ""}' under resource group '${path.split("/")[4] ?? ""}' was not found.`));
  }
  return withClient(fail(404, "NotFound", "The requested resource does not exist."));

  function patchResource(patch: Record<string, unknown>, version: string): string | undefined {
    const properties = (typeof patch.properties === "object" && patch.properties !== null ? patch.properties : {}) as Record<string, unknown>;
    const r = state.resource;
    if (properties.disableLocalAuth !== undefined && version >= MIN_LOCAL_AUTH_API_VERSION) {
      if (typeof properties.disableLocalAuth !== "boolean") return "properties.disableLocalAuth must be a boolean.";
      r.disableLocalAuth = properties.disableLocalAuth;
    }
    if (properties.publicNetworkAccess !== undefined) {
      if (typeof properties.publicNetworkAccess !== "string" || !["Enabled", "Disabled", "SecuredByPerimeter"].includes(properties.publicNetworkAccess)) return "properties.publicNetworkAccess must be Enabled, Disabled or SecuredByPerimeter.";
      r.publicNetworkAccess = properties.publicNetworkAccess as EmulatorAcsResource["publicNetworkAccess"];
    }
    if (Array.isArray(properties.linkedDomains)) r.linkedDomains = properties.linkedDomains.map(String);
    if (typeof patch.tags === "object" && patch.tags !== null) r.tags = Object.fromEntries(Object.entries(patch.tags).map(([k, v]) => [k, String(v)]));
    if (typeof patch.identity === "object" && patch.identity !== null) {
      const raw = (patch.identity as Record<string, unknown>).type;
      const type = typeof raw === "string" ? raw : "None";
      if (!["None", "SystemAssigned", "UserAssigned", "SystemAssigned,UserAssigned"].includes(type)) return "identity.type is not valid.";
      r.identityType = type as EmulatorAcsResource["identityType"];
    }
    return undefined;
  }

  function roleAssignments(m: string, scope: string, name: string | undefined, b: Record<string, unknown>): Outcome {
    const write = name !== undefined && m === "PUT";
    const action = `Microsoft.Authorization/roleAssignments/${write ? "write" : m === "DELETE" ? "delete" : "read"}`;
    if (!authorize(action, scope)) return deny(action, scope);
    if (name === undefined) {
      if (m !== "GET") return fail(405, "MethodNotAllowed", `The method '${m}' is not allowed.`);
      const filter = parseAssignmentFilter(query.get("$filter"));
      if (filter === undefined) return fail(400, "InvalidFilterInQueryString", "The filter is not supported. Supported: atScope(), principalId eq '{id}'.");
      const items = state.assignments.filter((a) => {
        if (filter.principalId !== undefined && lower(a.principalId) !== lower(filter.principalId)) return false;
        return appliesAt(state, a.scope, scope) || (!filter.atScope && isBelow(a.scope, scope));
      });
      sendJson(res, 200, page(state, req, items.map(assignmentJson)));
      return { status: 200, authScheme: scheme };
    }
    const existing = state.assignments.find((a) => lower(a.name) === lower(name) && lower(trimSlash(a.scope)) === lower(trimSlash(scope)));
    if (m === "GET") {
      if (existing === undefined) return fail(404, "RoleAssignmentNotFound", "The role assignment does not exist.");
      sendJson(res, 200, assignmentJson(existing));
      return { status: 200, authScheme: scheme };
    }
    if (m === "DELETE") {
      if (existing === undefined) {
        sendJson(res, 204, undefined);
        return { status: 204, authScheme: scheme };
      }
      state.assignments.splice(state.assignments.indexOf(existing), 1);
      sendJson(res, 200, assignmentJson(existing));
      return { status: 200, authScheme: scheme };
    }
    if (m === "PUT") {
      const p = (typeof b.properties === "object" && b.properties !== null ? b.properties : {}) as Record<string, unknown>;
      const roleDefinitionId = typeof p.roleDefinitionId === "string" ? p.roleDefinitionId : "";
      const principalId = typeof p.principalId === "string" ? p.principalId : "";
      if (roleByGuid(state, roleDefinitionId.split("/").pop() ?? "") === undefined) return fail(400, "RoleDefinitionDoesNotExist", "The specified role definition does not exist.");
      if (principalId.length === 0) return fail(400, "InvalidPrincipalId", "A valid principal ID must be provided for role assignment.");
      if (existing !== undefined) return fail(409, "RoleAssignmentExists", "The role assignment already exists.");
      const created = addAssignment(state, { name, scope, roleDefinitionId, principalId, principalType: (typeof p.principalType === "string" ? p.principalType : "ServicePrincipal") as EmulatorRoleAssignment["principalType"] });
      sendJson(res, 201, assignmentJson(created));
      return { status: 201, authScheme: scheme };
    }
    return fail(405, "MethodNotAllowed", `The method '${m}' is not allowed.`);
  }

  function roleDefinitions(m: string, scope: string, name: string | undefined, b: Record<string, unknown>): Outcome {
    const action = `Microsoft.Authorization/roleDefinitions/${m === "PUT" ? "write" : m === "DELETE" ? "delete" : "read"}`;
    // Reading built-in definitions at the root or a management group needs no assignment there (as in ARM, any
    // authenticated caller can read role definitions).
    if (m !== "GET" && !authorize(action, scope)) return deny(action, scope);
    if (name === undefined) {
      if (m !== "GET") return fail(405, "MethodNotAllowed", `The method '${m}' is not allowed.`);
      const filter = query.get("$filter");
      const byName = filter === null ? undefined : /^roleName\s+eq\s+'([^']*)'$/i.exec(filter.trim())?.[1];
      const byType = filter === null ? undefined : /^type\s+eq\s+'([^']*)'$/i.exec(filter.trim())?.[1];
      const items = allRoles(state).filter((r) => (byName === undefined || lower(r.roleName) === lower(byName)) && (byType === undefined || lower(r.type) === lower(byType)));
      sendJson(res, 200, page(state, req, items.map((r) => definitionJson(state, r, scope))));
      return { status: 200, authScheme: scheme };
    }
    const role = roleByGuid(state, name);
    if (m === "GET") {
      if (role === undefined) return fail(404, "RoleDefinitionDoesNotExist", "The specified role definition with ID '" + name.slice(0, 64) + "' does not exist.");
      sendJson(res, 200, definitionJson(state, role, scope));
      return { status: 200, authScheme: scheme };
    }
    if (m === "PUT") {
      const p = (typeof b.properties === "object" && b.properties !== null ? b.properties : {}) as Record<string, unknown>;
      if (role?.type === "BuiltInRole") return fail(400, "RoleDefinitionUpdateNotAllowed", "Built-in role definitions cannot be changed.");
      const permissions = Array.isArray(p.permissions) ? (p.permissions as EmulatorRolePermission[]) : [];
      const defined = defineCustomRole(state, {
        name,
        roleName: typeof p.roleName === "string" ? p.roleName : name,
        description: typeof p.description === "string" ? p.description : "",
        actions: permissions.flatMap((x) => (Array.isArray(x.actions) ? x.actions.map(String) : [])),
        notActions: permissions.flatMap((x) => (Array.isArray(x.notActions) ? x.notActions.map(String) : [])),
        assignableScopes: Array.isArray(p.assignableScopes) ? p.assignableScopes.map(String) : [scope],
      });
      sendJson(res, 201, definitionJson(state, defined, scope));
      return { status: 201, authScheme: scheme };
    }
    if (m === "DELETE") {
      if (role === undefined || role.type === "BuiltInRole") {
        sendJson(res, 204, undefined);
        return { status: 204, authScheme: scheme };
      }
      state.customRoles.splice(state.customRoles.indexOf(role), 1);
      sendJson(res, 200, definitionJson(state, role, scope));
      return { status: 200, authScheme: scheme };
    }
    return fail(405, "MethodNotAllowed", `The method '${m}' is not allowed.`);
  }

  function diagnosticSettings(m: string, name: string | undefined, b: Record<string, unknown>): Outcome {
    const scope = state.resource.id;
    const action = `Microsoft.Insights/diagnosticSettings/${m === "PUT" ? "write" : m === "DELETE" ? "delete" : "read"}`;
    if (!authorize(action, scope)) return deny(action, scope);
    if (name === undefined) {
      if (m !== "GET") return fail(405, "MethodNotAllowed", `The method '${m}' is not allowed.`);
      const items = [...state.diagnosticSettings].map(([n, s]) => diagnosticJson(state, n, s));
      sendJson(res, 200, { value: items });
      return { status: 200, authScheme: scheme };
    }
    const key = [...state.diagnosticSettings.keys()].find((k) => lower(k) === lower(name));
    if (m === "GET") {
      if (key === undefined) return fail(404, "ResourceNotFound", `The diagnostic setting '${name.slice(0, 64)}' doesn't exist.`);
      sendJson(res, 200, diagnosticJson(state, key, state.diagnosticSettings.get(key) as EmulatorDiagnosticSetting));
      return { status: 200, authScheme: scheme };
    }
    if (m === "DELETE") {
      if (key !== undefined) state.diagnosticSettings.delete(key);
      sendJson(res, key === undefined ? 204 : 200, undefined);
      return { status: key === undefined ? 204 : 200, authScheme: scheme };
    }
    if (m === "PUT") {
      const p = (typeof b.properties === "object" && b.properties !== null ? b.properties : {}) as Record<string, unknown>;
      const checked = checkDiagnosticSetting(p);
      if (typeof checked === "string") return fail(400, "BadRequest", checked);
      state.diagnosticSettings.set(key ?? name, checked);
      sendJson(res, 200, diagnosticJson(state, key ?? name, checked));
      return { status: 200, authScheme: scheme };
    }
    return fail(405, "MethodNotAllowed", `The method '${m}' is not allowed.`);
  }
}

/** Validates a diagnostic setting's properties as Azure Monitor does (destination required, known categories). */
export function checkDiagnosticSetting(p: Record<string, unknown>): EmulatorDiagnosticSetting | string {
  const str = (k: string) => (typeof p[k] === "string" && (p[k]).length > 0 ? (p[k]) : undefined);
  const setting: EmulatorDiagnosticSetting = {};
  for (const k of ["workspaceId", "storageAccountId", "eventHubAuthorizationRuleId", "eventHubName", "marketplacePartnerId", "serviceBusRuleId", "logAnalyticsDestinationType"] as const) {
    const v = str(k);
    if (v !== undefined) setting[k] = v;
  }
  if (setting.workspaceId === undefined && setting.storageAccountId === undefined && setting.eventHubAuthorizationRuleId === undefined && setting.marketplacePartnerId === undefined) {
    return "At least one destination (workspaceId, storageAccountId, eventHubAuthorizationRuleId or marketplacePartnerId) is required.";
  }
  const logs: NonNullable<EmulatorDiagnosticSetting["logs"]> = [];
  for (const raw of Array.isArray(p.logs) ? (p.logs as Record<string, unknown>[]) : []) {
    const category = typeof raw.category === "string" ? raw.category : undefined;
    const categoryGroup = typeof raw.categoryGroup === "string" ? raw.categoryGroup : undefined;
    if ((category === undefined) === (categoryGroup === undefined)) return "Each log entry needs exactly one of category or categoryGroup.";
    if (category !== undefined && !ACS_LOG_CATEGORIES.some((c) => lower(c) === lower(category))) return `Category '${category.slice(0, 64)}' is not supported.`;
    if (categoryGroup !== undefined && !CATEGORY_GROUPS.some((c) => lower(c) === lower(categoryGroup))) return `Category group '${categoryGroup.slice(0, 64)}' is not supported.`;
    logs.push({ ...(category !== undefined ? { category } : {}), ...(categoryGroup !== undefined ? { categoryGroup } : {}), enabled: raw.enabled === true });
  }
  setting.logs = logs;
  setting.metrics = (Array.isArray(p.metrics) ? (p.metrics as Record<string, unknown>[]) : []).map((m) => ({
    ...(typeof m.category === "string" ? { category: m.category } : {}),
    ...(typeof m.timeGrain === "string" ? { timeGrain: m.timeGrain } : {}),
    enabled: m.enabled === true,
  }));
  return setting;
}

function addAssignment(state: ArmState, a: Omit<EmulatorRoleAssignment, "id">): EmulatorRoleAssignment {
  const scope = trimSlash(a.scope);
  const assignment: EmulatorRoleAssignment = {
    ...a,
    scope,
    id: `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`,
  };
  state.assignments.push(assignment);
  return assignment;
}

function defineCustomRole(state: ArmState, options: DefineRoleOptions & { name: string }): EmulatorRoleDefinition {
  const role: EmulatorRoleDefinition = {
    name: options.name,
    roleName: options.roleName,
    type: "CustomRole",
    description: options.description ?? "",
    permissions: [{ actions: [...options.actions], notActions: [...(options.notActions ?? [])], dataActions: [], notDataActions: [] }],
    assignableScopes: options.assignableScopes ?? [scopesOf(state).subscription],
  };
  const i = state.customRoles.findIndex((r) => lower(r.name) === lower(options.name));
  if (i === -1) state.customRoles.push(role);
  else state.customRoles[i] = role;
  return role;
}

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
      if (roleByGuid(state, guid) === undefined) throw new Error(`no role definition "${options.role}" in the emulator`);
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
      const i = state.assignments.findIndex((a) => lower(a.name) === lower(nameOrId) || lower(a.id) === lower(nameOrId));
      if (i !== -1) state.assignments.splice(i, 1);
    },
    roleAssignments: state.assignments,
    defineRole: (options) => defineCustomRole(state, { ...options, name: options.name ?? randomUUID() }),
    setDiagnosticSetting(name, setting) {
      const checked = checkDiagnosticSetting(setting as Record<string, unknown>);
      if (typeof checked === "string") throw new Error(checked);
      state.diagnosticSettings.set(name, checked);
    },
    clearDiagnosticSettings: () => state.diagnosticSettings.clear(),
    setPageSize(size) {
      if (!Number.isInteger(size) || size < 1) throw new RangeError("page size must be a positive integer");
      state.pageSize = size;
    },
  };
}
