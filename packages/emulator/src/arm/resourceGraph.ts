/**
 * Microsoft.ResourceGraph: `POST /providers/Microsoft.ResourceGraph/resources` (api-version 2024-04-01, as
 * `@azure/arm-resourcegraph` 5 sends it). Serves the KQL subset of `kql.ts` over the tables `resources`,
 * `resourcecontainers`, `policyresources` and `authorizationresources`, limited to the requested subscriptions and
 * management groups and to what the caller may read, with `$skipToken` paging (`resultFormat: objectArray`).
 */
import type { ArmRequest, Outcome } from "./request.js";
import { authorize, fail, ok } from "./request.js";
import { KqlUnsupportedError, parseKql, runKql } from "./kql.js";
import { allRoles, lower, roleDefinitionIdFor } from "./state.js";
import type { ArmState } from "./types.js";

type Row = Record<string, unknown>;
const READ = "Microsoft.Resources/subscriptions/resources/read";

/** Every subscription of the emulator: its own and the estate's, with management group ancestors. */
export function allSubscriptions(
  state: ArmState,
): { subscriptionId: string; name: string; managementGroups: string[] }[] {
  return [
    { subscriptionId: state.subscriptionId, name: "acs-emulator", managementGroups: [state.managementGroupId] },
    ...state.estate.subscriptions,
  ];
}

function resourceRows(state: ArmState): Row[] {
  const own = {
    id: state.resource.id,
    name: state.resource.name,
    subscriptionId: state.subscriptionId,
    resourceGroup: state.resourceGroup,
    location: "global",
    disableLocalAuth: state.resource.disableLocalAuth,
  };
  return [own, ...state.estate.resources].map((r) => ({
    id: r.id,
    name: r.name,
    type: "microsoft.communication/communicationservices",
    tenantId: state.tenantId,
    location: r.location,
    resourceGroup: lower(r.resourceGroup),
    subscriptionId: r.subscriptionId,
    properties: {
      provisioningState: "Succeeded",
      ...(r.disableLocalAuth === undefined ? {} : { disableLocalAuth: r.disableLocalAuth }),
    },
  }));
}

function containerRows(state: ArmState): Row[] {
  return allSubscriptions(state).map((s) => ({
    id: `/subscriptions/${s.subscriptionId}`,
    name: s.name,
    type: "microsoft.resources/subscriptions",
    subscriptionId: s.subscriptionId,
    properties: { managementGroupAncestorsChain: s.managementGroups.map((name) => ({ name, displayName: name })) },
  }));
}

function policyRows(state: ArmState): Row[] {
  const e = state.estate;
  const subscriptionOf = (scope: string) => /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1] ?? "";
  return [
    ...e.policyAssignments.map((a) => ({
      id: a.id,
      name: a.name,
      type: "microsoft.authorization/policyassignments",
      subscriptionId: subscriptionOf(a.scope),
      properties: {
        scope: a.scope,
        policyDefinitionId: a.policyDefinitionId,
        enforcementMode: a.enforcementMode,
        parameters: a.parameters ?? {},
        notScopes: a.notScopes ?? [],
        ...(a.overrides !== undefined ? { overrides: a.overrides } : {}),
        ...(a.resourceSelectors !== undefined ? { resourceSelectors: a.resourceSelectors } : {}),
      },
    })),
    ...e.policySetDefinitions.map((d) => ({
      id: d.id,
      name: d.name,
      type: "microsoft.authorization/policysetdefinitions",
      subscriptionId: subscriptionOf(d.id),
      properties: { policyType: "Custom", policyDefinitions: d.policyDefinitions, parameters: d.parameters ?? {} },
    })),
    ...e.policyExemptions.map((x) => ({
      id: x.id,
      name: x.name,
      type: "microsoft.authorization/policyexemptions",
      subscriptionId: subscriptionOf(x.scope),
      properties: {
        policyAssignmentId: x.policyAssignmentId,
        exemptionCategory: x.exemptionCategory,
        ...(x.expiresOn !== undefined ? { expiresOn: x.expiresOn } : {}),
        ...(x.policyDefinitionReferenceIds !== undefined
          ? { policyDefinitionReferenceIds: x.policyDefinitionReferenceIds }
          : {}),
        ...(x.resourceSelectors !== undefined ? { resourceSelectors: x.resourceSelectors } : {}),
      },
    })),
  ];
}

function authorizationRows(state: ArmState): Row[] {
  const subscriptionOf = (scope: string) => /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1] ?? "";
  return [
    ...state.assignments.map((a) => ({
      id: a.id,
      name: a.name,
      type: "microsoft.authorization/roleassignments",
      subscriptionId: subscriptionOf(a.scope),
      properties: {
        scope: a.scope,
        principalId: a.principalId,
        principalType: a.principalType,
        roleDefinitionId: a.roleDefinitionId,
      },
    })),
    ...allRoles(state).map((r) => ({
      id: roleDefinitionIdFor(state, r.name),
      name: r.name,
      type: "microsoft.authorization/roledefinitions",
      subscriptionId: state.subscriptionId,
      properties: {
        roleName: r.roleName,
        type: r.type,
        permissions: r.permissions,
        assignableScopes: r.assignableScopes,
      },
    })),
  ];
}

const TABLES: Record<string, (state: ArmState) => Row[]> = {
  resources: resourceRows,
  resourcecontainers: containerRows,
  policyresources: policyRows,
  authorizationresources: authorizationRows,
};

/** The subscriptions (and their management groups) a query covers, limited to what the caller may read. */
function scopeFilter(r: ArmRequest): (row: Row) => boolean {
  const wantedSubs = Array.isArray(r.body.subscriptions)
    ? r.body.subscriptions.map((s) => lower(String(s)))
    : undefined;
  const wantedMgs = Array.isArray(r.body.managementGroups)
    ? r.body.managementGroups.map((s) => lower(String(s)))
    : undefined;
  const subs = allSubscriptions(r.state).filter((s) => {
    if (wantedSubs !== undefined && !wantedSubs.includes(lower(s.subscriptionId)))
      return wantedMgs !== undefined && s.managementGroups.some((m) => wantedMgs.includes(lower(m)));
    if (
      wantedSubs === undefined &&
      wantedMgs !== undefined &&
      !s.managementGroups.some((m) => wantedMgs.includes(lower(m)))
    )
      return false;
    return authorize(r, READ, `/subscriptions/${s.subscriptionId}`);
  });
  const subIds = new Set(subs.map((s) => lower(s.subscriptionId)));
  const mgs = new Set(subs.flatMap((s) => s.managementGroups.map(lower)));
  return (row) => {
    const sub = lower(typeof row.subscriptionId === "string" ? row.subscriptionId : "");
    if (sub !== "") return subIds.has(sub);
    // Rows above any subscription (management group policy assignments, built-in role definitions).
    const id = lower(typeof row.id === "string" ? row.id : "");
    const mg = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)/.exec(id)?.[1];
    return mg === undefined ? subs.length > 0 : mgs.has(mg);
  };
}

/** Matches `POST /providers/Microsoft.ResourceGraph/resources`. */
export function matchResourceGraph(r: ArmRequest): boolean {
  return r.lpath === "/providers/microsoft.resourcegraph/resources";
}

/** Handles a Resource Graph query. */
export function handleResourceGraph(r: ArmRequest): Outcome {
  const estate = r.state.estate;
  estate.graphRequests++;
  if (r.method !== "POST") return fail(r, 405, "MethodNotAllowed", `The method '${r.method}' is not allowed.`);
  const text = typeof r.body.query === "string" ? r.body.query : "";
  let query;
  try {
    query = parseKql(text);
  } catch (error) {
    if (error instanceof KqlUnsupportedError) return fail(r, 400, "BadRequest", error.message);
    throw error;
  }
  const table = TABLES[query.table];
  if (table === undefined)
    return fail(
      r,
      400,
      "BadRequest",
      `Table '${query.table.slice(0, 64)}' is not supported by the emulator's Resource Graph.`,
    );
  if (estate.deniedTables.has(query.table))
    return fail(
      r,
      403,
      "AuthorizationFailed",
      `The client '${r.clientId}' does not have access to table '${query.table}'.`,
    );
  const inScope = scopeFilter(r);
  const rows = runKql(query, table(r.state).filter(inScope));
  const options = (typeof r.body.options === "object" && r.body.options !== null ? r.body.options : {}) as Record<
    string,
    unknown
  >;
  const skip =
    typeof options.$skipToken === "string"
      ? Number.parseInt(Buffer.from(options.$skipToken, "base64url").toString("utf8"), 10) || 0
      : 0;
  const top =
    typeof options.$top === "number" && options.$top > 0
      ? Math.min(options.$top, estate.graphPageSize)
      : estate.graphPageSize;
  const data = rows.slice(skip, skip + top);
  const more = skip + top < rows.length;
  // As Resource Graph: results page only when they carry the `id` column; otherwise the rest is cut off, said by
  // resultTruncated "true" and no $skipToken.
  const pageable = rows.length === 0 || Object.hasOwn(rows[0] ?? {}, "id");
  return ok(r, 200, {
    totalRecords: rows.length,
    count: data.length,
    resultTruncated: more && !pageable ? "true" : "false",
    ...(more && pageable ? { $skipToken: Buffer.from(String(skip + top)).toString("base64url") } : {}),
    data,
    facets: [],
  });
}
