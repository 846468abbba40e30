/**
 * `sweepEstate`: every Microsoft.Communication/communicationServices resource the caller can read, through Azure
 * Resource Graph, with its local-auth setting, the Azure Policy that covers it (fc264132, 145408bc, directly or in an
 * initiative, management group inheritance, notScopes, resource selectors, effect overrides, exemptions, DoNotEnforce)
 * and who can read or regenerate its keys. Reads
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
import { GraphReadError, openGraphReader, THROTTLE_RETRIES } from "./resourceGraph.js";
import type { ManagementGroupChains } from "./scopes.js";
import { subscriptionOf } from "./scopes.js";

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
  /** Resource Graph requests sent (throttled ones and the SDK's own retries included). */
  requests: number;
}

type Unreadable = SweepResult["unreadable"];
const str = (v: unknown) => (typeof v === "string" ? v : "");
const obj = <T>(v: unknown, fallback: T): T => (typeof v === "object" && v !== null ? (v as T) : fallback);

/** An array member as a list: absent or null is empty, a single value is a list of one. */
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

async function collect<T>(
  reader: GraphReader,
  query: string,
  table: string,
  map: (row: Record<string, unknown>) => T,
  unreadable: Unreadable,
): Promise<T[] | undefined> {
  const rows: T[] = [];
  try {
    // Context tables are read over everything the caller can read: assignments at management groups above a swept
    // subscription cover its resources even when only that subscription is swept.
    await reader.query(query, (row) => rows.push(map(row)), false);
    return rows;
  } catch (error) {
    if (!(error instanceof GraphReadError)) throw error;
    if (!unreadable.some((u) => u.table === table)) unreadable.push({ table, reason: error.reason });
    return undefined;
  }
}

/** Policy assignments, initiatives and exemptions, indexed; undefined when a policy query failed. */
async function readPolicy(reader: GraphReader, unreadable: Unreadable): Promise<PolicyIndex | undefined> {
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
      notScopes: list(r.notScopes),
      overrides: list(r.overrides),
      resourceSelectors: list(r.resourceSelectors),
    }),
    unreadable,
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
      policyDefinitionReferenceIds: list(r.policyDefinitionReferenceIds),
      resourceSelectors: list(r.resourceSelectors),
    }),
    unreadable,
  );
  return assignments === undefined || sets === undefined || exemptions === undefined
    ? undefined
    : indexPolicy(assignments, sets, exemptions);
}

/** The role assignments whose role grants a key action; undefined when a role query failed. */
async function readKeyGrants(reader: GraphReader, unreadable: Unreadable): Promise<KeyReader[] | undefined> {
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
  );
  return roleAssignments === undefined || roleDefinitions === undefined
    ? undefined
    : keyGrantingAssignments(roleAssignments, roleDefinitions);
}

/** Management group ancestors per subscription; undefined when resourcecontainers could not be read. */
async function readChains(reader: GraphReader, unreadable: Unreadable): Promise<ManagementGroupChains | undefined> {
  const rows = await collect(
    reader,
    Q.SUBSCRIPTIONS_QUERY,
    "resourcecontainers",
    (r) => {
      const chain: unknown[] = Array.isArray(r.managementGroupAncestorsChain) ? r.managementGroupAncestorsChain : [];
      return [
        str(r.subscriptionId).toLowerCase() || subscriptionOf(str(r.id)),
        chain.map((m) => str(obj<{ name?: unknown }>(m, {}).name).toLowerCase()),
      ] as const;
    },
    unreadable,
  );
  return rows === undefined ? undefined : new Map(rows);
}

/** Posture's default `timeoutMs`. */
const DEFAULT_TIMEOUT_MS = 30_000;

const UNKNOWN_POLICY: ResourcePolicy = { status: "unknown", assignments: [], exemptions: [] };

/** What the CLI hears while a sweep runs (not part of the public options). */
export interface SweepHooks {
  /** A line of progress: a throttled query waiting before it is asked again. */
  onProgress?: (line: string) => void;
}

/** The context tables a resource is judged against (undefined: the table could not be read). */
interface SweepContext {
  chains: ManagementGroupChains | undefined;
  policy: PolicyIndex | undefined;
  granting: KeyReader[] | undefined;
  now: number;
  unreadable: Unreadable;
}

/**
 * One swept resource. A subscription missing from `resourcecontainers` (the caller can read resources in it but not
 * the subscription itself) has unknown management group ancestors: the policy and key readers that come from above
 * it are unknown, so its resources get `unknown` and `null`, and `unreadable` names the subscription.
 */
function sweptResource(r: Record<string, unknown>, ctx: SweepContext): SweptResource {
  const id = str(r.id);
  const location = str(r.location);
  const subscription = subscriptionOf(id);
  const chainKnown = ctx.chains?.has(subscription) === true;
  if (ctx.chains !== undefined && !chainKnown) {
    const reason = `subscription ${subscription === "" ? "(none in the resource id)" : subscription} is not in it (the caller may read resources in it but not the subscription itself): the management group policy and roles above it are unknown`;
    if (!ctx.unreadable.some((u) => u.reason === reason)) ctx.unreadable.push({ table: "resourcecontainers", reason });
  }
  const policy =
    chainKnown && ctx.chains !== undefined && ctx.policy !== undefined
      ? policyFor({ id, location }, ctx.policy, ctx.chains, ctx.now)
      : UNKNOWN_POLICY;
  noteUnreadSets(policy, ctx);
  return {
    id,
    name: str(r.name),
    subscriptionId: str(r.subscriptionId),
    resourceGroup: str(r.resourceGroup),
    location,
    localAuth: r.disableLocalAuth === true ? "disabled" : "enabled",
    policy,
    keyReaders:
      chainKnown && ctx.chains !== undefined && ctx.granting !== undefined
        ? keyReadersFor(id, ctx.granting, ctx.chains)
        : null,
  };
}

/** Names in `unreadable` each initiative a covering assignment assigns that Resource Graph did not return. */
function noteUnreadSets(policy: ResourcePolicy, ctx: SweepContext): void {
  const unread = ctx.policy?.candidates.filter((c) => c.unread === true) ?? [];
  for (const a of policy.assignments) {
    if (!unread.some((c) => c.assignment.id === a.id)) continue;
    const reason = `policy set definition ${a.definitionId} (assigned by ${a.id}) is not in it (defined where the caller cannot read it?): the policy status of the resources it covers is unknown`;
    if (!ctx.unreadable.some((u) => u.reason === reason)) ctx.unreadable.push({ table: "policyresources", reason });
  }
}

/** The progress line for a throttled query. */
function throttledLine(waitMs: number, retry: number): string {
  return `Resource Graph is throttling (429): asking again in ${Math.ceil(waitMs / 1000)} s (retry ${retry} of ${THROTTLE_RETRIES})`;
}

/**
 * Sweeps every ACS resource in scope through Azure Resource Graph. Reads only.
 * @throws TypeError or BaselineViolationError for options posture would refuse; GraphReadError when the resources
 * table cannot be read at all; Error naming the package when `@azure/arm-resourcegraph` is not installed.
 * @public
 */
export async function sweepEstate(options: SweepOptions = {}): Promise<SweepResult> {
  return sweepEstateWith(options, {});
}

/** {@link sweepEstate}, telling `hooks` how it goes (the CLI's progress line). */
export async function sweepEstateWith(options: SweepOptions, hooks: SweepHooks): Promise<SweepResult> {
  const opts = snapshotOptions(options);
  const session = openArmSession(opts);
  const scope: GraphScope = { subscriptions: opts.subscriptions, managementGroups: opts.managementGroups };
  // The whole sweep, every request and retry wait included: 20 times posture's bound (0 or less: its default).
  const signal = AbortSignal.timeout((session.timeoutMs > 0 ? session.timeoutMs : DEFAULT_TIMEOUT_MS) * 20);
  const onThrottled =
    hooks.onProgress === undefined
      ? undefined
      : (ms: number, retry: number) => hooks.onProgress?.(throttledLine(ms, retry));
  const reader = await openGraphReader(session, scope, signal, onThrottled);
  const unreadable: Unreadable = [];
  const ctx: SweepContext = {
    chains: await readChains(reader, unreadable),
    policy: await readPolicy(reader, unreadable),
    granting: await readKeyGrants(reader, unreadable),
    now: (opts.now ?? new Date()).getTime(),
    unreadable,
  };
  const resources: SweptResource[] = [];
  // Resources stream page by page: each row becomes its small result at once.
  await reader.query(Q.RESOURCES_QUERY, (r) => resources.push(sweptResource(r, ctx)));
  return {
    schema: "acs-baseline/sweep/v1",
    sweptAt: new Date(ctx.now).toISOString(),
    resources,
    summary: summarize(resources),
    unreadable,
    requests: reader.requests,
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
