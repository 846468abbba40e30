/**
 * The local-auth policy status of one resource, from the assignments of the two ACS built-ins (directly or inside an
 * initiative) whose scope covers it: effect (assignment parameter, else the definition's default; for an initiative
 * the initiative parameter that feeds the built-in's `effect`, else its default), `notScopes`, `resourceSelectors`,
 * `policyEffect` overrides (policySelectors.ts), enforcement mode and exemptions.
 */
import type { AssignmentNarrowing, Maybe, SelectorTarget } from "./policySelectors.js";
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
  /** The initiative members it exempts (`properties.policyDefinitionReferenceIds`; empty: all of them). */
  policyDefinitionReferenceIds: unknown[];
  /** The resources it exempts (`properties.resourceSelectors`; empty: every resource in its scope). */
  resourceSelectors: unknown[];
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
   * member's `policyDefinitionReferenceId` in an initiative. An assignment of an initiative Resource Graph did not
   * return is one entry with `unread` set: whether it holds a built-in, and with which effect, is unknown.
   */
  candidates: {
    assignment: AssignmentRow;
    definitionId: string;
    effect: string;
    referenceId?: string;
    unread?: true;
  }[];
  exemptions: ExemptionRow[];
}

/** A policy set definition id (an assignment of anything else that is not a built-in cannot hold one). */
const isSetDefinition = (id: string) => /\/providers\/microsoft\.authorization\/policysetdefinitions\/[^/]+$/i.test(id);

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
    if (set === undefined && isSetDefinition(a.policyDefinitionId)) {
      candidates.push({ assignment: a, definitionId: a.policyDefinitionId, effect: "", unread: true });
      continue;
    }
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
function undeterminedReason(
  applies: boolean | undefined,
  alternatives: string[],
  exempt: boolean | undefined,
  unread: boolean,
): string | undefined {
  const reasons = [
    ...(unread
      ? [
          "its policy set definition was not returned by Resource Graph (defined where the caller cannot read it?), so whether it holds a local-auth built-in, and with which effect, is unknown",
        ]
      : []),
    ...(applies === undefined
      ? ["a notScopes entry or a resource selector could not be evaluated for this resource, so it may not apply"]
      : []),
    ...(alternatives.length > 0
      ? [`an override whose selectors could not be evaluated may set its effect to ${alternatives.join(" or ")}`]
      : []),
    ...(exempt === undefined
      ? [
          "an exemption whose resource selectors (or policy definition reference ids) could not be evaluated may exempt the resource",
        ]
      : []),
  ];
  return reasons.length > 0 ? reasons.join("; ") : undefined;
}

/**
 * Whether an exemption covers this member of the assignment for the resource: its `policyDefinitionReferenceIds`
 * (when listed, only those initiative members are exempt) and its `resourceSelectors` (as an assignment's).
 */
function exemptionCovers(x: ExemptionRow, target: SelectorTarget, chains: ManagementGroupChains): Maybe {
  let covers: Maybe = true;
  if (x.policyDefinitionReferenceIds.length > 0) {
    const ref = target.referenceId;
    // Reference ids name initiative members; on a direct assignment (or a member without one) they say nothing sure.
    if (ref === undefined || ref === "") covers = undefined;
    else if (!x.policyDefinitionReferenceIds.some((id) => typeof id === "string" && lower(id) === lower(ref)))
      return false;
  }
  if (x.resourceSelectors.length === 0) return covers;
  const selected = assignmentApplies(
    { notScopes: [], overrides: [], resourceSelectors: x.resourceSelectors },
    target,
    chains,
  );
  return selected === false ? false : selected === true ? covers : undefined;
}

/**
 * The exemptions of the assignment that cover the resource (and this member), added to `into`: true when one that is
 * active certainly does, undefined when one that is active may (its selectors could not be evaluated).
 */
function exemptionsFor(
  assignmentId: string,
  target: SelectorTarget,
  index: PolicyIndex,
  chains: ManagementGroupChains,
  now: number,
  into: CoveringExemption[],
): Maybe {
  let exempt: Maybe = false;
  for (const x of index.exemptions) {
    if (lower(x.policyAssignmentId) !== lower(assignmentId) || !scopeCovers(scopeOfId(x.id), target.resourceId, chains))
      continue;
    const covers = exemptionCovers(x, target, chains);
    if (covers === false) continue;
    const active = x.expiresOn === "" || !(Date.parse(x.expiresOn) <= now);
    if (active) exempt = exempt === true || covers === true ? true : undefined;
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

/** What the assignments that apply give: the strongest certain level, the strongest possible, exempt, not enforced. */
interface Tally {
  floor: number;
  ceiling: number;
  exempted: boolean;
  notEnforced: boolean;
  /** An unread initiative that is DoNotEnforce: `not-enforced` if it holds the policy, else nothing. */
  mayNotEnforce: boolean;
  /** An unread initiative exempted as a whole: `exempt` if it holds the policy, else nothing. */
  mayBeExempt: boolean;
}

/**
 * The policy status of one resource (`location` as Resource Graph gives it, for resource selectors). The enforced,
 * unexempted assignments that apply decide, the strongest wins; an assignment whose part cannot be determined
 * (see policySelectors.ts; an exemption that may apply; an initiative that could not be read) makes the status
 * `unknown` when it could give a stronger effect than the rest do.
 */
export function policyFor(
  resource: { id: string; location: string },
  index: PolicyIndex,
  chains: ManagementGroupChains,
  now: number,
): ResourcePolicy {
  const assignments: CoveringAssignment[] = [];
  const exemptions: CoveringExemption[] = [];
  // floor: what the assignments that certainly apply give at least; ceiling: what all of them could give
  const tally: Tally = {
    floor: 0,
    ceiling: 0,
    exempted: false,
    notEnforced: false,
    mayNotEnforce: false,
    mayBeExempt: false,
  };
  for (const c of index.candidates) {
    const scope = assignmentScope(c.assignment.scope, c.assignment.id, "policyAssignments");
    if (!scopeCovers(scope, resource.id, chains)) continue;
    const target: SelectorTarget = { resourceId: resource.id, location: resource.location, referenceId: c.referenceId };
    const applies = assignmentApplies(c.assignment, target, chains);
    if (applies === false) continue;
    const { effect, alternatives } =
      c.unread === true
        ? { effect: "unknown", alternatives: [] }
        : overriddenEffect(c.effect, c.assignment.overrides, target);
    const mode = c.assignment.enforcementMode === "" ? "Default" : c.assignment.enforcementMode;
    const exempt = exemptionsFor(c.assignment.id, target, index, chains, now, exemptions);
    const undetermined = undeterminedReason(applies, alternatives, exempt, c.unread === true);
    assignments.push({
      id: c.assignment.id,
      definitionId: c.definitionId,
      effect,
      enforcementMode: mode,
      scope,
      ...(undetermined !== undefined ? { undetermined } : {}),
    });
    count(tally, c.unread === true ? undefined : [effect, ...alternatives], { applies, exempt, mode });
  }
  return { status: statusOf(tally), assignments, exemptions };
}

/**
 * The status a tally gives, by rank: an enforced effect (deny, modify, audit) over `exempt` over `not-enforced` over
 * `none`. An unread initiative that is DoNotEnforce or exempted as a whole makes it `unknown` only when what it may
 * give (`not-enforced`, `exempt`) would outrank what the determined assignments give.
 */
function statusOf({ floor, ceiling, exempted, notEnforced, mayNotEnforce, mayBeExempt }: Tally): PolicyStatus {
  if (ceiling > floor) return "unknown";
  if (floor > 0) return LEVELS[floor];
  if (exempted) return "exempt";
  if (mayBeExempt) return "unknown";
  if (notEnforced) return "not-enforced";
  return mayNotEnforce ? "unknown" : "none";
}

/**
 * Adds one covering assignment to the tally. `effects` undefined: an initiative that could not be read, which may
 * give anything from nothing to deny (and is claimed neither exempt nor not-enforced).
 */
function count(
  tally: Tally,
  effects: string[] | undefined,
  { applies, exempt, mode }: { applies: Maybe; exempt: Maybe; mode: string },
): void {
  if (lower(mode) === "donotenforce") {
    if (effects !== undefined) tally.notEnforced ||= applies === true;
    else tally.mayNotEnforce = true;
    return;
  }
  if (exempt === true) {
    if (effects !== undefined) tally.exempted ||= applies === true;
    else tally.mayBeExempt = true;
    return;
  }
  const levels = effects === undefined ? [0, LEVELS.length - 1] : effects.map(level);
  // An exemption that may apply keeps it out of the floor: it certainly gives nothing only if not exempt.
  if (applies === true && exempt === false) tally.floor = Math.max(tally.floor, Math.min(...levels));
  tally.ceiling = Math.max(tally.ceiling, ...levels);
}
