/**
 * What an expression refers to, followed the way a motivated developer hides it from a linter: imports and
 * `require` in every form, aliases (`const C = SmsClient`), destructuring with renames, member access with computed
 * constant names, `(0, X)`, conditionals, and constant strings assembled from pieces (`"@azure/" + "communication-sms"`).
 */
import type * as ESTree from "estree";
import { field, isNode, propertyName, unwrap } from "./estreeNodes.js";
import type { AnyNode } from "./estreeNodes.js";
import { lookup } from "./scopes.js";
import type { Scope } from "./scopes.js";

/** A value provably taken from a module: the module and the property path from the module object. */
export interface ModuleRef {
  module: string;
  path: readonly string[];
}

const MAX_DEPTH = 8;

/** The initialiser of a variable declared once with `const`/`let`/`var` and (unless allowed) never reassigned. */
export function initializerOf(
  id: ESTree.Identifier,
  scope: Scope,
  allowWrites = false,
): { init: AnyNode; scope: Scope } | undefined {
  const variable = lookup(scope, id.name);
  const def = variable?.defs[0];
  if (variable === undefined || variable.defs.length !== 1 || def?.kind !== "variable") return undefined;
  const { declarator } = def;
  if (declarator.id.type !== "Identifier" || declarator.init === null || declarator.init === undefined)
    return undefined;
  return allowWrites || variable.writes === 0 ? { init: declarator.init, scope: def.scope } : undefined;
}

/** The value of an expression built from string constants only, else undefined. */
export function constantString(wrapped: AnyNode | null | undefined, scope: Scope, depth = 0): string | undefined {
  const node = unwrap(wrapped);
  if (node === null || node === undefined || depth > MAX_DEPTH) return undefined;
  if (node.type === "Literal") return typeof node.value === "string" ? node.value : undefined;
  if (node.type === "TemplateLiteral") {
    let out = node.quasis[0]?.value.cooked ?? "";
    for (let i = 0; i < node.expressions.length; i++) {
      const part = constantString(node.expressions[i], scope, depth + 1);
      if (part === undefined) return undefined;
      out += part + (node.quasis[i + 1]?.value.cooked ?? "");
    }
    return out;
  }
  if (node.type === "BinaryExpression" && node.operator === "+") {
    const left = constantString(node.left, scope, depth + 1);
    const right = left === undefined ? undefined : constantString(node.right, scope, depth + 1);
    return left === undefined || right === undefined ? undefined : left + right;
  }
  if (node.type === "Identifier") {
    const found = initializerOf(node, scope);
    return found === undefined ? undefined : constantString(found.init, found.scope, depth + 1);
  }
  return undefined;
}

/** `require("x")`, `module.require("x")`, `import("x")`, `await import("x")`: the module name, also when assembled. */
export function moduleOf(wrapped: AnyNode | null | undefined, scope: Scope): string | undefined {
  let n = unwrap(wrapped);
  while (n?.type === "AwaitExpression") n = unwrap(n.argument);
  if (n?.type === "ImportExpression") return constantString(n.source, scope);
  if (n?.type !== "CallExpression" || n.arguments.length < 1 || n.arguments[0].type === "SpreadElement")
    return undefined;
  const callee = unwrap(n.callee);
  const isRequire =
    // A local `require` (`const require = createRequire(import.meta.url)`) is a require too.
    (callee.type === "Identifier" && callee.name === "require") ||
    (callee.type === "MemberExpression" && !callee.computed && propertyName(callee.property) === "require");
  return isRequire ? constantString(n.arguments[0], scope) : undefined;
}

/** The name a member expression reads: `a.b`, `a["b"]`, `` a[`b`] ``, `a[NAME]` with `const NAME = "b"`. */
export function memberName(node: ESTree.MemberExpression, scope: Scope): string | undefined {
  if (!node.computed) return propertyName(node.property);
  return constantString(node.property, scope);
}

/** The property path under `name` in a destructuring pattern: `{ a: { b: name } }` → ["a", "b"]. */
function patternPath(pattern: AnyNode, name: string): string[] | undefined {
  if (pattern.type === "Identifier") return pattern.name === name ? [] : undefined;
  if (pattern.type === "AssignmentPattern") return patternPath(pattern.left, name);
  if (pattern.type !== "ObjectPattern") return undefined;
  for (const p of pattern.properties) {
    if (p.type !== "Property") continue;
    const key = p.computed
      ? p.key.type === "Literal" && typeof p.key.value === "string"
        ? p.key.value
        : undefined
      : propertyName(p.key);
    const inner = patternPath(p.value, name);
    if (inner !== undefined) return key === undefined ? undefined : [key, ...inner];
  }
  return undefined;
}

function identifierRef(id: ESTree.Identifier, scope: Scope, depth: number): ModuleRef | undefined {
  const variable = lookup(scope, id.name);
  const def = variable?.defs[0];
  if (def === undefined) return undefined;
  if (def.kind === "import") {
    const s = def.specifier;
    if (s.type !== "ImportSpecifier") return { module: def.module, path: [] };
    return {
      module: def.module,
      path: [s.imported.type === "Identifier" ? s.imported.name : String(s.imported.value)],
    };
  }
  if (def.kind === "importEquals") {
    const expr = field(field(def.node, "moduleReference"), "expression");
    return isNode(expr) && expr.type === "Literal" && typeof expr.value === "string"
      ? { module: expr.value, path: [] }
      : undefined;
  }
  if (def.kind === "class") return subclassRef(def.node, def.scope, depth);
  if (def.kind !== "variable") return undefined;
  const { declarator } = def;
  const path = patternPath(declarator.id, id.name);
  if (path === undefined || declarator.init === null || declarator.init === undefined) return undefined;
  const base = refOf(declarator.init, def.scope, depth + 1);
  return base === undefined ? undefined : { module: base.module, path: [...base.path, ...path] };
}

/** A class without its own constructor that extends a module's class is that class to whoever constructs it. */
function subclassRef(node: ESTree.Class, scope: Scope, depth: number): ModuleRef | undefined {
  if (node.superClass === null || node.superClass === undefined) return undefined;
  const ownConstructor = node.body.body.some((m) => m.type === "MethodDefinition" && m.kind === "constructor");
  return ownConstructor ? undefined : refOf(node.superClass, scope, depth + 1);
}

/** What module value an expression provably holds, or undefined. */
export function refOf(wrapped: AnyNode | null | undefined, scope: Scope, depth = 0): ModuleRef | undefined {
  const node = unwrap(wrapped);
  if (node === null || node === undefined || depth > MAX_DEPTH) return undefined;
  const module = moduleOf(node, scope);
  if (module !== undefined) return { module, path: [] };
  switch (node.type) {
    case "Identifier":
      return identifierRef(node, scope, depth);
    case "MemberExpression": {
      const base = refOf(node.object, scope, depth + 1);
      const name = base === undefined ? undefined : memberName(node, scope);
      return base === undefined || name === undefined ? undefined : { module: base.module, path: [...base.path, name] };
    }
    case "SequenceExpression":
      return refOf(node.expressions[node.expressions.length - 1], scope, depth + 1);
    case "ConditionalExpression":
      return refOf(node.consequent, scope, depth + 1) ?? refOf(node.alternate, scope, depth + 1);
    case "LogicalExpression":
      return refOf(node.left, scope, depth + 1) ?? refOf(node.right, scope, depth + 1);
    case "AssignmentExpression":
      return refOf(node.right, scope, depth + 1);
    case "ClassExpression":
      return subclassRef(node, scope, depth);
    default:
      return undefined;
  }
}
