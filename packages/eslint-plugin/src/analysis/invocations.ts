/**
 * Construction and calls in every spelling: `new X(a)`, `X(a)`, `Reflect.construct(X, [a])`, `Reflect.apply(f, t,
 * [a])`, `f.call(t, a)`, `f.apply(t, [a])`, with spread arguments expanded when they hold a known array
 * (`new X(...args)` with `const args = [cs]`). Each is turned into one shape: what is invoked and with what.
 */
import type * as ESTree from "estree";
import { unwrap } from "./estreeNodes.js";
import type { AnyNode } from "./estreeNodes.js";
import { initializerOf, memberName, refOf } from "./references.js";
import type { ModuleRef } from "./references.js";
import { lookup } from "./scopes.js";
import type { Scope } from "./scopes.js";

/** What is invoked, and its arguments; `complete` is false when a spread could not be expanded past `args`. */
export interface Invocation {
  kind: "new" | "call";
  callee: AnyNode;
  args: AnyNode[];
  complete: boolean;
}

/** The export an invocation reaches: its name, whether it is a module's default export, and a static member. */
export interface Target {
  module: string;
  name: string;
  isDefault: boolean;
  member?: string;
}

type Argument = ESTree.Expression | ESTree.SpreadElement | null;

/** The elements of an array literal (or a never-reassigned variable holding one), spreads expanded. */
function arrayElements(
  wrapped: AnyNode | null | undefined,
  scope: Scope,
  depth = 0,
): { items: AnyNode[]; complete: boolean } | undefined {
  const node = unwrap(wrapped);
  if (node?.type === "ArrayExpression") return expand(node.elements, scope, depth + 1);
  if (node?.type === "Identifier" && depth < 4) {
    const found = initializerOf(node, scope);
    return found === undefined ? undefined : arrayElements(found.init, found.scope, depth + 1);
  }
  return undefined;
}

/** Arguments with spreads of known arrays expanded; stops (incomplete) at a spread or hole it cannot see into. */
export function expand(args: readonly Argument[], scope: Scope, depth = 0): { items: AnyNode[]; complete: boolean } {
  const items: AnyNode[] = [];
  for (const arg of args) {
    if (arg === null) return { items, complete: false };
    if (arg.type !== "SpreadElement") {
      items.push(arg);
      continue;
    }
    const inner = depth < 4 ? arrayElements(arg.argument, scope, depth) : undefined;
    if (inner === undefined) return { items, complete: false };
    items.push(...inner.items);
    if (!inner.complete) return { items, complete: false };
  }
  return { items, complete: true };
}

function fromArray(
  kind: Invocation["kind"],
  callee: AnyNode | undefined,
  array: AnyNode | undefined,
  scope: Scope,
): Invocation | undefined {
  if (callee === undefined) return undefined;
  const list = arrayElements(array, scope);
  return { kind, callee, args: list?.items ?? [], complete: list?.complete ?? false };
}

/** `Reflect.construct(X, [a])`, `Reflect.apply(f, t, [a])`, `f.call(t, a)`, `f.apply(t, [a])`. */
function reflective(node: ESTree.CallExpression, scope: Scope): Invocation | undefined {
  const callee = unwrap(node.callee);
  if (callee.type !== "MemberExpression") return undefined;
  const method = memberName(callee, scope);
  const object = unwrap(callee.object as AnyNode);
  const plain = node.arguments.every((a) => a.type !== "SpreadElement") ? (node.arguments as AnyNode[]) : undefined;
  if (plain === undefined) return undefined;
  if (object.type === "Identifier" && object.name === "Reflect" && lookup(scope, "Reflect") === undefined) {
    if (method === "construct") return fromArray("new", plain[0], plain[1], scope);
    if (method === "apply") return fromArray("call", plain[0], plain[2], scope);
    return undefined;
  }
  if ((method === "call" || method === "apply") && refOf(object, scope) !== undefined) {
    if (method === "apply") return fromArray("call", object, plain[1], scope);
    const rest = expand(node.arguments.slice(1), scope);
    return { kind: "call", callee: object, args: rest.items, complete: rest.complete };
  }
  return undefined;
}

/** The invocation a `new` or call expression makes, seen through reflection and spreads. */
export function invocationOf(node: AnyNode, scope: Scope): Invocation | undefined {
  const n = unwrap(node);
  if (n.type === "NewExpression") {
    const { items, complete } = expand(n.arguments, scope);
    return { kind: "new", callee: n.callee as AnyNode, args: items, complete };
  }
  if (n.type !== "CallExpression") return undefined;
  const viaReflection = reflective(n, scope);
  if (viaReflection !== undefined) return viaReflection;
  const { items, complete } = expand(n.arguments, scope);
  return { kind: "call", callee: n.callee as AnyNode, args: items, complete };
}

/** The export a callee reaches, when it is provably taken from a module. */
export function targetOf(callee: AnyNode, scope: Scope): Target | undefined {
  const ref: ModuleRef | undefined = refOf(callee, scope);
  if (ref === undefined) return undefined;
  const path = ref.path[0] === "default" && ref.path.length > 1 ? ref.path.slice(1) : ref.path;
  if (path.length === 0) {
    const c = unwrap(callee);
    return { module: ref.module, name: c.type === "Identifier" ? c.name : "default", isDefault: true };
  }
  const last = path[path.length - 1];
  if (path.length === 1) return { module: ref.module, name: last, isDefault: last === "default" };
  if (/^[A-Z]/.test(last) && !/connection/i.test(last)) return { module: ref.module, name: last, isDefault: false };
  return { module: ref.module, name: path[path.length - 2], member: last, isDefault: false };
}
