/**
 * `no-key-auth`'s analysis of one ESTree program, shared by the ESLint rule and `acs-baseline scan` (which parses
 * with oxc-parser), so that the two never disagree.
 */
import type { AnyNode } from "./estreeNodes.js";
import { KeyAuthChecks, isAcsModule } from "./keyAuthChecks.js";
import type { KeyAuthFinding } from "./keyAuthChecks.js";
import { moduleOf } from "./references.js";
import { collectProgramFacts } from "./scopes.js";
import type { ProgramFacts, VisitorKeys } from "./scopes.js";
import type { TypeHooks } from "./typeHooks.js";

export type { KeyAuthFinding, VisitorKeys };

/** Options of {@link analyzeKeyAuth}. */
export interface AnalyzeKeyAuthOptions {
  /** Type information (ESLint with a typed parser); without it nothing is guessed from types. */
  types?: TypeHooks;
  /** The parser's visitor keys (ESLint's `sourceCode.visitorKeys`, oxc-parser's `visitorKeys`): a faster walk. */
  visitorKeys?: VisitorKeys;
  /**
   * Deepest nesting analysed (nodes from the root): a deeper program throws a RangeError, on every thread alike,
   * instead of wherever the call stack runs out. Default: no limit of its own.
   */
  maxDepth?: number;
}

/** The `no-key-auth` findings of one program (an ESTree `Program`, JavaScript or TypeScript), in source order. */
export function analyzeKeyAuth(program: AnyNode, options: AnalyzeKeyAuthOptions = {}): KeyAuthFinding[] {
  const facts = collectProgramFacts(program, options.visitorKeys, options.maxDepth);
  const checks = new KeyAuthChecks(() => usesAcs(facts), options.types);
  for (const site of facts.sites) checks.check(site);
  return checks.findings;
}

/** True when the program loads an ACS package: by a literal name, or one assembled from constants. */
function usesAcs(facts: ProgramFacts): boolean {
  if (facts.modules.some(isAcsModule)) return true;
  return facts.sites.some(({ node, scope }) => {
    if (node.type !== "CallExpression" && node.type !== "ImportExpression") return false;
    const module = moduleOf(node, scope);
    return module !== undefined && isAcsModule(module);
  });
}
