/**
 * The local-auth policy status of one resource, from the assignments of the two ACS built-ins (directly or inside an
 * initiative) whose scope covers it: effect (assignment parameter, else the definition's default; for an initiative
 * the initiative parameter that feeds the built-in's `effect`, else its default), enforcement mode and exemptions.
 */
import type { ManagementGroupChains } from "./scopes.js";
import { scopeCovers, scopeOfId } from "./scopes.js";

/** Policy status of a resource. @public */
export type PolicyStatus = "deny" | "modify" | "audit" | "exempt" | "not-enforced" | "none" | "unknown";

/** fc264132: local auth should be disabled (Audit|Deny|Disabled, default Audit). */
export const AUDIT_DENY_BUILT_IN = "fc264132-db9c-4302-bb7d-3994c36461fe";
/** 145408bc: configure to disable local auth (Modify|Disabled, default Modify). */
export const MODIFY_BUILT_IN = "145408bc-d134-468a-ae3b-1eaf3b9e5ac7";
const DEFAULT_EFFECT: Record<string, string> = { [AUDIT_DENY_BUILT_IN]: "Audit", [MODIFY_BUILT_IN]: "Modify" };

/** A policy assignment row. */
export interface AssignmentRow {
  id: string;
  scope: string;
  policyDefinitionId: string;
  enforcementMode: string;
  parameters: Record<string, { value?: unknown }>;
}
/** A policy set definition row. */
export interface SetDefinitionRow {
  id: string;
  policyDefinitions: { policyDefinitionId?: string; parameters?: Record<string, { value?: unknown }> }[];
  parameters: Record<string, { defaultValue?: unknown }>;
}
/** A policy exemption row. */
export interface ExemptionRow {
  id: string;
  policyAssignmentId: string;
  exemptionCategory: string;
  expiresOn: string;
}

/** An assignment of a built-in that covers the resource, with its effective effect. @public */
export interface CoveringAssignment {
  id: string;
  definitionId: string;
  effect: string;
  enforcementMode: string;
  scope: string;
}
/** An exemption of a covering assignment (`active: false` once past `expiresOn`). @public */
export interface CoveringExemption {
  id: string;
  policyAssignmentId: string;
  exemptionCategory: string;
  expiresOn: string | null;
  active: boolean;
}

/** The policy part of a swept resource. @public */
export interface ResourcePolicy {
  status: PolicyStatus;
  assignments: CoveringAssignment[];
  exemptions: CoveringExemption[];
}

const lower = (s: string) => s.toLowerCase();
/** A parameter value as text (effects are strings; anything else is shown as JSON). */
const asText = (v: unknown): string => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));
const builtInOf = (definitionId: string) =>
  [AUDIT_DENY_BUILT_IN, MODIFY_BUILT_IN].find((g) => lower(definitionId).endsWith(`/${g}`));

/** `o[name]` with the name matched case-insensitively, as Azure Policy matches parameter names. */
function parameter<T>(o: Record<string, T>, name: string): T | undefined {
  const key = Object.keys(o).find((k) => lower(k) === lower(name));
  return key === undefined ? undefined : o[key];
}

/** The policy tables, indexed once for every resource. */
export interface PolicyIndex {
  /** Assignments of a built-in: one entry per (assignment, built-in) with the effective effect. */
  candidates: { assignment: AssignmentRow; definitionId: string; effect: string }[];
  exemptions: ExemptionRow[];
}

/** The effect an initiative passes to the built-in: a literal, or `[parameters('x')]` resolved from the assignment. */
function initiativeEffect(
  set: SetDefinitionRow,
  member: SetDefinitionRow["policyDefinitions"][number],
  a: AssignmentRow,
  builtIn: string,
): string {
  const raw = parameter(member.parameters ?? {}, "effect")?.value;
  if (raw === undefined) return DEFAULT_EFFECT[builtIn];
  const ref = typeof raw === "string" ? /^\[\s*parameters\(\s*'([^']+)'\s*\)\s*\]$/i.exec(raw)?.[1] : undefined;
  if (ref === undefined) return asText(raw);
  const assigned = parameter(a.parameters, ref)?.value;
  if (assigned !== undefined) return asText(assigned);
  const fallback = parameter(set.parameters, ref)?.defaultValue;
  return fallback === undefined ? DEFAULT_EFFECT[builtIn] : asText(fallback);
}

/** Indexes assignments of the built-ins, directly or through initiatives. */
export function indexPolicy(
  assignments: AssignmentRow[],
  sets: SetDefinitionRow[],
  exemptions: ExemptionRow[],
): PolicyIndex {
  const setsById = new Map(sets.map((s) => [lower(s.id), s]));
  const candidates: PolicyIndex["candidates"] = [];
  for (const a of assignments) {
    const direct = builtInOf(a.policyDefinitionId);
    if (direct !== undefined) {
      const effect = parameter(a.parameters, "effect")?.value;
      candidates.push({
        assignment: a,
        definitionId: a.policyDefinitionId,
        effect: effect === undefined ? DEFAULT_EFFECT[direct] : asText(effect),
      });
      continue;
    }
    const set = setsById.get(lower(a.policyDefinitionId));
    for (const member of set?.policyDefinitions ?? []) {
      const builtIn = builtInOf(member.policyDefinitionId ?? "");
      if (set === undefined || builtIn === undefined) continue;
      candidates.push({
        assignment: a,
        definitionId: member.policyDefinitionId ?? "",
        effect: initiativeEffect(set, member, a, builtIn),
      });
    }
  }
  return { candidates, exemptions };
}

const STRENGTH: Record<string, number> = { deny: 3, modify: 2, audit: 1 };

/** The policy status of one resource. */
export function policyFor(
  resourceId: string,
  index: PolicyIndex,
  chains: ManagementGroupChains,
  now: number,
): ResourcePolicy {
  const assignments: CoveringAssignment[] = [];
  const exemptions: CoveringExemption[] = [];
  let strongest: "deny" | "modify" | "audit" | undefined;
  let exempted = false;
  let notEnforced = false;
  for (const c of index.candidates) {
    if (!scopeCovers(c.assignment.scope, resourceId, chains)) continue;
    const mode = c.assignment.enforcementMode === "" ? "Default" : c.assignment.enforcementMode;
    assignments.push({
      id: c.assignment.id,
      definitionId: c.definitionId,
      effect: c.effect,
      enforcementMode: mode,
      scope: c.assignment.scope,
    });
    const mine = index.exemptions.filter(
      (x) => lower(x.policyAssignmentId) === lower(c.assignment.id) && scopeCovers(scopeOfId(x.id), resourceId, chains),
    );
    let exempt = false;
    for (const x of mine) {
      const active = x.expiresOn === "" || !(Date.parse(x.expiresOn) <= now);
      exempt ||= active;
      if (!exemptions.some((e) => e.id === x.id))
        exemptions.push({
          id: x.id,
          policyAssignmentId: x.policyAssignmentId,
          exemptionCategory: x.exemptionCategory,
          expiresOn: x.expiresOn === "" ? null : x.expiresOn,
          active,
        });
    }
    const effect = lower(c.effect);
    if (lower(mode) === "donotenforce") notEnforced = true;
    else if (exempt) exempted = true;
    else if (effect !== "disabled") {
      const level = STRENGTH[effect] !== undefined ? (effect as "deny" | "modify" | "audit") : "audit";
      if (strongest === undefined || STRENGTH[level] > STRENGTH[strongest]) strongest = level;
    }
  }
  const status: PolicyStatus = strongest ?? (exempted ? "exempt" : notEnforced ? "not-enforced" : "none");
  return { status, assignments, exemptions };
}
