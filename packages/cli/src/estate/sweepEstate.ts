/**
 * `sweepEstate`: every Microsoft.Communication/communicationServices resource the caller can read, through Azure
 * Resource Graph, with its local-auth setting, the Azure Policy that covers it (fc264132, 145408bc, directly or in an
 * initiative, management group inheritance, exemptions, DoNotEnforce) and who can read or regenerate its keys. Reads
 * only. A table that cannot be read is reported in `unreadable`, and what it feeds is `unknown`/`null`, never "none".
 */
import type { ArmSessionOptions } from "acs-baseline/internal";
import { openArmSession, snapshotOptions } from "acs-baseline/internal";
import type { KeyReader, RoleAssignmentRow, RoleDefinitionRow } from "./keyReaders.js";
import { keyGrantingAssignments, keyReadersFor } from "./keyReaders.js";
import type { AssignmentRow, ExemptionRow, PolicyIndex, ResourcePolicy, SetDefinitionRow } from "./policyStatus.js";
import { indexPolicy, policyFor } from "./policyStatus.js";
import * as Q from "./queries.js";
import type { GraphReader, GraphScope } from "./resourceGraph.js";
import { GraphReadError, openGraphReader } from "./resourceGraph.js";
import type { ManagementGroupChains } from "./scopes.js";

/** Options of {@link sweepEstate}: posture's ARM options, and where to look. @public */
export interface SweepOptions extends ArmSessionOptions {
  /** Subscriptions to sweep. Neither this nor managementGroups: every subscription the caller can read. */
  subscriptions?: string[];
  /** Management groups to sweep. */
  managementGroups?: string[];
  /** The time exemptions are compared with (default: now). */
  now?: Date;
}

/** One swept resource. @public */
export interface SweptResource {
  /** The resource id as Resource Graph gives it. */
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** `disabled` only when `properties.disableLocalAuth` is boolean `true`. */
  localAuth: "enabled" | "disabled";
  policy: ResourcePolicy;
  /** `null` when the role tables could not be read. */
  keyReaders: KeyReader[] | null;
}

/** The result of {@link sweepEstate} (`acs-baseline/sweep/v1`). @public */
export interface SweepResult {
  schema: "acs-baseline/sweep/v1";
  /** When the sweep ran (ISO 8601). */
  sweptAt: string;
  /** Every ACS resource in scope. */
  resources: SweptResource[];
  /** Counts; `unprotected` and `keyReaders` are `null` when the table they depend on could not be read. */
  summary: { resources: number; localAuthEnabled: number; unprotected: number | null; keyReaders: number | null };
  /** Tables that could not be read, and why. */
  unreadable: { table: string; reason: string }[];
  /** Resource Graph requests sent. */
  requests: number;
}

type Unreadable = SweepResult["unreadable"];
const str = (v: unknown) => (typeof v === "string" ? v : "");
const obj = <T>(v: unknown, fallback: T): T => (typeof v === "object" && v !== null ? (v as T) : fallback);

async function collect<T>(
  reader: GraphReader,
  query: string,
  table: string,
  map: (row: Record<string, unknown>) => T,
  unreadable: Unreadable,
  counter: { requests: number },
): Promise<T[] | undefined> {
  const rows: T[] = [];
  try {
    // Context tables are read over everything the caller can read: assignments at management groups above a swept
    // subscription cover its resources even when only that subscription is swept.
    counter.requests += await reader.query(query, (row) => rows.push(map(row)), false);
    return rows;
  } catch (error) {
    if (!(error instanceof GraphReadError)) throw error;
    if (!unreadable.some((u) => u.table === table)) unreadable.push({ table, reason: error.reason });
    return undefined;
  }
}

type Counter = { requests: number };

/** Policy assignments, initiatives and exemptions, indexed; undefined when a policy query failed. */
async function readPolicy(
  reader: GraphReader,
  unreadable: Unreadable,
  counter: Counter,
): Promise<PolicyIndex | undefined> {
  const assignments = await collect<AssignmentRow>(
    reader,
    Q.ASSIGNMENTS_QUERY,
    "policyresources",
    (r) => ({
      id: str(r.id),
      scope: str(r.scope),
      policyDefinitionId: str(r.policyDefinitionId),
      enforcementMode: str(r.enforcementMode),
      parameters: obj(r.parameters, {}),
    }),
    unreadable,
    counter,
  );
  const sets = await collect<SetDefinitionRow>(
    reader,
    Q.SET_DEFINITIONS_QUERY,
    "policyresources",
    (r) => ({
      id: str(r.id),
      policyDefinitions: Array.isArray(r.policyDefinitions)
        ? (r.policyDefinitions as SetDefinitionRow["policyDefinitions"])
        : [],
      parameters: obj(r.parameters, {}),
    }),
    unreadable,
    counter,
  );
  const exemptions = await collect<ExemptionRow>(
    reader,
    Q.EXEMPTIONS_QUERY,
    "policyresources",
    (r) => ({
      id: str(r.id),
      policyAssignmentId: str(r.policyAssignmentId),
      exemptionCategory: str(r.exemptionCategory),
      expiresOn: str(r.expiresOn),
    }),
    unreadable,
    counter,
  );
  return assignments === undefined || sets === undefined || exemptions === undefined
    ? undefined
    : indexPolicy(assignments, sets, exemptions);
}

/** The role assignments whose role grants a key action; undefined when a role query failed. */
async function readKeyGrants(
  reader: GraphReader,
  unreadable: Unreadable,
  counter: Counter,
): Promise<KeyReader[] | undefined> {
  const roleAssignments = await collect<RoleAssignmentRow>(
    reader,
    Q.ROLE_ASSIGNMENTS_QUERY,
    "authorizationresources",
    (r) => ({
      id: str(r.id),
      scope: str(r.scope),
      principalId: str(r.principalId),
      principalType: str(r.principalType),
      roleDefinitionId: str(r.roleDefinitionId),
    }),
    unreadable,
    counter,
  );
  const roleDefinitions = await collect<RoleDefinitionRow>(
    reader,
    Q.ROLE_DEFINITIONS_QUERY,
    "authorizationresources",
    (r) => ({
      id: str(r.id),
      roleName: str(r.roleName),
      permissions: Array.isArray(r.permissions) ? (r.permissions as RoleDefinitionRow["permissions"]) : [],
    }),
    unreadable,
    counter,
  );
  return roleAssignments === undefined || roleDefinitions === undefined
    ? undefined
    : keyGrantingAssignments(roleAssignments, roleDefinitions);
}

/** Management group ancestors per subscription; undefined when resourcecontainers could not be read. */
async function readChains(
  reader: GraphReader,
  unreadable: Unreadable,
  counter: Counter,
): Promise<ManagementGroupChains | undefined> {
  const rows = await collect(
    reader,
    Q.SUBSCRIPTIONS_QUERY,
    "resourcecontainers",
    (r) => {
      const chain: unknown[] = Array.isArray(r.managementGroupAncestorsChain) ? r.managementGroupAncestorsChain : [];
      return [
        str(r.subscriptionId).toLowerCase(),
        chain.map((m) => str(obj<{ name?: unknown }>(m, {}).name).toLowerCase()),
      ] as const;
    },
    unreadable,
    counter,
  );
  return rows === undefined ? undefined : new Map(rows);
}

const UNKNOWN_POLICY: ResourcePolicy = { status: "unknown", assignments: [], exemptions: [] };

/**
 * Sweeps every ACS resource in scope through Azure Resource Graph. Reads only.
 * @throws TypeError or BaselineViolationError for options posture would refuse; GraphReadError when the resources
 * table cannot be read at all; Error naming the package when `@azure/arm-resourcegraph` is not installed.
 * @public
 */
export async function sweepEstate(options: SweepOptions = {}): Promise<SweepResult> {
  const opts = snapshotOptions(options);
  const session = openArmSession(opts);
  const scope: GraphScope = { subscriptions: opts.subscriptions, managementGroups: opts.managementGroups };
  const reader = await openGraphReader(session, scope, AbortSignal.timeout(Math.max(session.timeoutMs, 1) * 20));
  const unreadable: Unreadable = [];
  const counter = { requests: 0 };
  const chains = await readChains(reader, unreadable, counter);
  const policy = await readPolicy(reader, unreadable, counter);
  const granting = await readKeyGrants(reader, unreadable, counter);
  const now = (opts.now ?? new Date()).getTime();
  const resources: SweptResource[] = [];
  // Resources stream page by page: each row becomes its small result at once.
  counter.requests += await reader.query(Q.RESOURCES_QUERY, (r) => {
    const id = str(r.id);
    const readable = chains !== undefined;
    resources.push({
      id,
      name: str(r.name),
      subscriptionId: str(r.subscriptionId),
      resourceGroup: str(r.resourceGroup),
      location: str(r.location),
      localAuth: r.disableLocalAuth === true ? "disabled" : "enabled",
      policy: readable && policy !== undefined ? policyFor(id, policy, chains, now) : UNKNOWN_POLICY,
      keyReaders: readable && granting !== undefined ? keyReadersFor(id, granting, chains) : null,
    });
  });
  return {
    schema: "acs-baseline/sweep/v1",
    sweptAt: new Date(now).toISOString(),
    resources,
    summary: summarize(resources),
    unreadable,
    requests: counter.requests,
  };
}

/** The summary; counts that depend on an unreadable table are `null`. */
export function summarize(resources: SweptResource[]): SweepResult["summary"] {
  const enabled = resources.filter((r) => r.localAuth === "enabled");
  const policyKnown = resources.every((r) => r.policy.status !== "unknown");
  const readersKnown = resources.every((r) => r.keyReaders !== null);
  return {
    resources: resources.length,
    localAuthEnabled: enabled.length,
    unprotected: policyKnown
      ? enabled.filter((r) => r.policy.status !== "deny" && r.policy.status !== "modify").length
      : null,
    keyReaders: readersKnown
      ? new Set(resources.flatMap((r) => (r.keyReaders ?? []).map((k) => k.principalId.toLowerCase()))).size
      : null,
  };
}

/** Exit code: 0 all disabled; 1 any enabled (or, strict, any without deny/modify). */
export function sweepExitCode(result: SweepResult, strict: boolean): 0 | 1 {
  if (result.summary.localAuthEnabled > 0) return 1;
  if (strict && result.resources.some((r) => r.policy.status !== "deny" && r.policy.status !== "modify")) return 1;
  return 0;
}
