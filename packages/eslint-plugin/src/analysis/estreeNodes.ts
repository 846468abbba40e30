/**
 * Small ESTree helpers shared by the analysis: the node type both parsers produce (ESLint's parsers and oxc-parser),
 * the TypeScript wrappers that never change a value, property names and source offsets.
 */
import type * as ESTree from "estree";

/** An ESTree node, from espree, typescript-eslint or oxc-parser (TypeScript nodes included). */
export type AnyNode = ESTree.Node;

/** Reads a field of a node that ESTree's types do not declare (TypeScript nodes, offsets). */
export function field(node: unknown, key: string): unknown {
  return node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
}

/** True for an object that is an AST node (has a string `type`). */
export function isNode(value: unknown): value is AnyNode {
  return value !== null && typeof value === "object" && typeof (value as { type?: unknown }).type === "string";
}

const WRAPPERS = new Set([
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSNonNullExpression",
  "TSTypeAssertion",
  "TSInstantiationExpression",
  "ChainExpression",
  "ParenthesizedExpression",
]);

/** True for a TypeScript wrapper (`as`, `satisfies`, `!`, `<T>`), an optional chain or parentheses. */
export function isWrapper(node: unknown): boolean {
  return isNode(node) && WRAPPERS.has(node.type);
}

/** Strips TypeScript's `as`, `satisfies`, `!` and `<T>` wrappers, optional chains and parentheses. */
export function unwrap<T extends AnyNode | null | undefined>(node: T): T {
  let n: unknown = node;
  while (isWrapper(n)) n = field(n, "expression");
  return n as T;
}

/** The name of a non-computed property key: an identifier or a string literal. */
export function propertyName(key: AnyNode | null | undefined): string | undefined {
  if (key?.type === "Identifier") return key.name;
  if (key?.type === "Literal" && typeof key.value === "string") return key.value;
  return undefined;
}

/** The start and end offsets of a node: oxc-parser's `start`/`end`, or ESLint's `range`. */
export function offsets(node: AnyNode): { start: number; end: number } {
  const start = field(node, "start");
  const end = field(node, "end");
  if (typeof start === "number" && typeof end === "number") return { start, end };
  const range = node.range ?? [0, 0];
  return { start: range[0], end: range[1] };
}
