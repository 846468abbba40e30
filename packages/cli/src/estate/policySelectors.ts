/**
 * What narrows a policy assignment for one resource (Azure Policy, "assignment structure"): `notScopes` (scopes it
 * does not apply in), `resourceSelectors` (it applies only to resources that satisfy all selectors of at least one of
 * them) and `overrides` of kind `policyEffect` (another effect for the resources, and the initiative members, their
 * selectors choose; the first matching override wins). A selector is `{ kind, in }` or `{ kind, notIn }`; the kinds
 * evaluated are `resourceLocation`, `resourceType` and `policyDefinitionReferenceId`. Anything else (another kind,
 * `resourceWithoutLocation`, both or neither of `in` and `notIn`, a resource without a location) cannot be evaluated
 * here: the answer is then `undefined`, and the caller claims no protection that depends on it.
 */
import type { ManagementGroupChains } from "./scopes.js";
import { scopeCovers } from "./scopes.js";

/** True, false, or undefined when it cannot be decided. */
export type Maybe = boolean | undefined;

/** What selectors are evaluated against. */
export interface SelectorTarget {
  resourceId: string;
  /** The resource's location as Resource Graph gives it ("" when none). */
  location: string;
  /** The initiative member's `policyDefinitionReferenceId` (undefined for a direct assignment). */
  referenceId?: string;
}

/** The narrowing members of an assignment, as Resource Graph gives them (each a list; absent is empty). */
export interface AssignmentNarrowing {
  notScopes: unknown[];
  overrides: unknown[];
  resourceSelectors: unknown[];
}

/** The only resource type the sweep evaluates (its resources query asks for no other). */
const RESOURCE_TYPE = "microsoft.communication/communicationservices";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const present = (v: unknown) => v !== undefined && v !== null;
/** Locations compare without case and spaces ("East US" is "eastus"). */
const location = (s: string) => s.toLowerCase().replace(/\s+/g, "");
/** A value as text (effects are strings; anything else is shown as JSON). */
export const asText = (v: unknown): string => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));

/** The value a selector of `kind` compares, normalised, or undefined when it cannot be evaluated. */
function selectedValue(
  kind: unknown,
  target: SelectorTarget,
): { value: string; norm: (s: string) => string } | undefined {
  switch (typeof kind === "string" ? kind.toLowerCase() : "") {
    case "resourcelocation":
      return target.location.trim() === "" ? undefined : { value: location(target.location), norm: location };
    case "resourcetype":
      return { value: RESOURCE_TYPE, norm: (s) => s.toLowerCase() };
    case "policydefinitionreferenceid":
      return target.referenceId === undefined || target.referenceId === ""
        ? undefined
        : { value: target.referenceId.toLowerCase(), norm: (s) => s.toLowerCase() };
    default:
      return undefined;
  }
}

/** One selector: `{ kind, in: [...] }` or `{ kind, notIn: [...] }`. */
export function selectorMatches(selector: unknown, target: SelectorTarget): Maybe {
  if (!isObject(selector)) return undefined;
  const { in: inList, notIn } = selector;
  if (present(inList) === present(notIn)) return undefined;
  const list = present(inList) ? inList : notIn;
  if (!Array.isArray(list)) return undefined;
  const selected = selectedValue(selector.kind, target);
  if (selected === undefined) return undefined;
  const found = list.some((v) => typeof v === "string" && selected.norm(v) === selected.value);
  return present(inList) ? found : !found;
}

/** Every selector of a list (absent: none, which every resource satisfies). */
function allMatch(selectors: unknown, target: SelectorTarget): Maybe {
  if (!present(selectors)) return true;
  if (!Array.isArray(selectors)) return undefined;
  let result: Maybe = true;
  for (const s of selectors) {
    const m = selectorMatches(s, target);
    if (m === false) return false;
    if (m === undefined) result = undefined;
  }
  return result;
}

/** Both (false when either is, true when both are). */
const and = (a: Maybe, b: Maybe): Maybe =>
  a === false || b === false ? false : a === true && b === true ? true : undefined;

/** Whether the assignment applies to the resource: not under one of its `notScopes`, and chosen by its `resourceSelectors`. */
export function assignmentApplies(
  narrowing: AssignmentNarrowing,
  target: SelectorTarget,
  chains: ManagementGroupChains,
): Maybe {
  let included: Maybe = true;
  for (const s of narrowing.notScopes) {
    if (typeof s !== "string" || s.trim() === "") included = undefined;
    else if (scopeCovers(s, target.resourceId, chains)) return false;
  }
  if (narrowing.resourceSelectors.length === 0) return included;
  let selected: Maybe = false;
  for (const rs of narrowing.resourceSelectors) {
    const m = isObject(rs) ? allMatch(rs.selectors, target) : undefined;
    if (m === true) return included;
    if (m === undefined) selected = undefined;
  }
  return and(included, selected);
}

/**
 * The effect after the `policyEffect` overrides: `effect` is the one in force unless an override whose selectors
 * cannot be evaluated applies, and `alternatives` are the effects such overrides would set instead.
 */
export function overriddenEffect(
  effect: string,
  overrides: unknown[],
  target: SelectorTarget,
): { effect: string; alternatives: string[] } {
  const possible: string[] = [];
  let inForce = effect;
  for (const o of overrides) {
    if (!isObject(o) || typeof o.kind !== "string" || o.kind.toLowerCase() !== "policyeffect") continue;
    const m = allMatch(o.selectors, target);
    if (m === false) continue;
    if (m === true) {
      inForce = asText(o.value);
      break;
    }
    possible.push(asText(o.value));
  }
  const alternatives = [...new Set(possible.map((p) => p.toLowerCase()))]
    .filter((p) => p !== inForce.toLowerCase())
    .map((p) => possible.find((q) => q.toLowerCase() === p) ?? p);
  return { effect: inForce, alternatives };
}
