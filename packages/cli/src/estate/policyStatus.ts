/**
 * The local-auth policy status of one resource, from the assignments of the two ACS built-ins (directly or inside an
 * initiative) whose scope covers it: effect (assignment parameter, else the definition's default; for an initiative
 * the initiative parameter that feeds the built-in's `effect`, else its default), `notScopes`, `resourceSelectors`,
 * `policyEffect` overrides (policySelectors.ts), enforcement mode and exemptions.
 */
import type { AssignmentNarrowing, SelectorTarget } from "./policySelectors.js";
import { asText, assignmentApplies, overriddenEffect } from "./policySelectors.js";
import type { ManagementGroupChains } from "./scopes.js";
import { assignmentScope, scopeCovers, scopeOfId } from "./scopes.js";

/** Policy status of a resource. @public */
export type PolicyStatus = "deny" | "modify" | "audit" | "exempt" | "not-enforced" | "none" | "unknown";

/** fc264132: local auth should be disabled (Audit|Deny|Disabled, default Audit). */
export const AUDIT_DENY_BUILT_IN = "fc264132-db9c-4302-bb7d-3994c36461fe";
/** 145408bc: configure to disable local auth (Modify|Disabled, default Modify). */
export const MODIFY_BUILT_IN = "145408bc-d134-468a-ae3b-1eaf3b9e5ac7";
const DEFAULT_EFFECT: Record<string, string> = { [AUDIT_DENY_BUILT_IN]: "Audit", [MODIFY_BUILT_IN]: "Modify" };

/** A policy assignment row. */
export interface AssignmentRow extends AssignmentNarrowing {
  id: string;
  scope: string;
  policyDefinitionId: string;
  enforcementMode: string;
  parameters: Record<string, { value?: unknown }>;
}
/** A policy set definition row. */
export interface SetDefinitionRow {
  id: string;
  policyDefinitions: {
    policyDefinitionId?: string;
    policyDefinitionReferenceId?: unknown;
    parameters?: Record<string, { value?: unknown }>;
  }[];
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
  /**
   * Why what this assignment does to the resource could not be determined (a `notScopes` entry, a resource selector
   * or an override selector the sweep cannot evaluate); absent when it could. The status is then `unknown` unless the
   * determined assignments already give the strongest one.
   */
  undetermined?: string;
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
const builtInOf = (definitionId: string) =>
  [AUDIT_DENY_BUILT_IN, MODIFY_BUILT_IN].find((g) => lower(definitionId).endsWith(`/${g}`));

/** `o[name]` with the name matched case-insensitively, as Azure Policy matches parameter names. */
function parameter<T>(o: Record<string, T>, name: string): T | undefined {
  const key = Object.keys(o).find((k) => lower(k) === lower(name));
  return key === undefined ? undefined : o[key];
}

/** The policy tables, indexed once for every resource. */
export interface PolicyIndex {
  /**
   * Assignments of a built-in: one entry per (assignment, built-in) with the effect its parameters give, and the
   * member's `policyDefinitionReferenceId` in an initiative.
   */
  candidates: { assignment: AssignmentRow; definitionId: string; effect: string; referenceId?: string }[];
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
      const referenceId = member.policyDefinitionReferenceId;
      candidates.push({
        assignment: a,
        definitionId: member.policyDefinitionId ?? "",
        effect: initiativeEffect(set, member, a, builtIn),
        ...(typeof referenceId === "string" ? { referenceId } : {}),
      });
    }
  }
  return { candidates, exemptions };
}

/** Effect strength: deny over modify over audit; `Disabled` is none; any other effect counts as audit (not deny). */
function level(effect: string): number {
  const e = lower(effect);
  return e === "deny" ? 3 : e === "modify" ? 2 : e === "disabled" ? 0 : 1;
}
const LEVELS = ["none", "audit", "modify", "deny"] as const;

/** Why an assignment's part cannot be determined, or undefined. */
function undeterminedReason(applies: boolean | undefined, alternatives: string[]): string | undefined {
  const reasons = [
    ...(applies === undefined
      ? ["a notScopes entry or a resource selector could not be evaluated for this resource, so it may not apply"]
      : []),
    ...(alternatives.length > 0
      ? [`an override whose selectors could not be evaluated may set its effect to ${alternatives.join(" or ")}`]
      : []),
  ];
  return reasons.length > 0 ? reasons.join("; ") : undefined;
}

/** The exemptions of `assignmentId` that cover the resource, added to `into`; true when one is active. */
function exemptionsFor(
  assignmentId: string,
  resourceId: string,
  index: PolicyIndex,
  chains: ManagementGroupChains,
  now: number,
  into: CoveringExemption[],
): boolean {
  let exempt = false;
  for (const x of index.exemptions) {
    if (lower(x.policyAssignmentId) !== lower(assignmentId) || !scopeCovers(scopeOfId(x.id), resourceId, chains))
      continue;
    const active = x.expiresOn === "" || !(Date.parse(x.expiresOn) <= now);
    exempt ||= active;
    if (!into.some((e) => e.id === x.id))
      into.push({
        id: x.id,
        policyAssignmentId: x.policyAssignmentId,
        exemptionCategory: x.exemptionCategory,
        expiresOn: x.expiresOn === "" ? null : x.expiresOn,
        active,
      });
  }
  return exempt;
}

/**
 * The policy status of one resource (`location` as Resource Graph gives it, for resource selectors). The enforced,
 * unexempted assignments that apply decide, the strongest wins; an assignment whose part cannot be determined
 * (see policySelectors.ts) makes the status `unknown` when it could give a stronger effect than the rest do.
 */
export function policyFor(
  resource: { id: string; location: string },
  index: PolicyIndex,
  chains: ManagementGroupChains,
  now: number,
): ResourcePolicy {
  const assignments: CoveringAssignment[] = [];
  const exemptions: CoveringExemption[] = [];
  let floor = 0; // what the assignments that certainly apply give at least
  let ceiling = 0; // what all of them could give
  let exempted = false;
  let notEnforced = false;
  for (const c of index.candidates) {
    const scope = assignmentScope(c.assignment.scope, c.assignment.id, "policyAssignments");
    if (!scopeCovers(scope, resource.id, chains)) continue;
    const target: SelectorTarget = { resourceId: resource.id, location: resource.location, referenceId: c.referenceId };
    const applies = assignmentApplies(c.assignment, target, chains);
    if (applies === false) continue;
    const { effect, alternatives } = overriddenEffect(c.effect, c.assignment.overrides, target);
    const mode = c.assignment.enforcementMode === "" ? "Default" : c.assignment.enforcementMode;
    const undetermined = undeterminedReason(applies, alternatives);
    assignments.push({
      id: c.assignment.id,
      definitionId: c.definitionId,
      effect,
      enforcementMode: mode,
      scope,
      ...(undetermined !== undefined ? { undetermined } : {}),
    });
    const exempt = exemptionsFor(c.assignment.id, resource.id, index, chains, now, exemptions);
    if (lower(mode) === "donotenforce") notEnforced ||= applies === true;
    else if (exempt) exempted ||= applies === true;
    else {
      const levels = [effect, ...alternatives].map(level);
      if (applies === true) floor = Math.max(floor, Math.min(...levels));
      ceiling = Math.max(ceiling, ...levels);
    }
  }
  const status: PolicyStatus =
    ceiling > floor
      ? "unknown"
      : floor > 0
        ? LEVELS[floor]
        : exempted
          ? "exempt"
          : notEnforced
            ? "not-enforced"
            : "none";
  return { status, assignments, exemptions };
}
