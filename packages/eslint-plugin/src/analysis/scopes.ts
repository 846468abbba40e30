/**
 * One pass over a program: its scopes and variables (with their definitions and how often each is reassigned) and
 * the sites the key-auth checks look at, each with the scope it is in. Parser-independent: it reads plain ESTree
 * (ESLint's parsers and oxc-parser alike), so the ESLint rule and `acs-baseline scan` share it.
 */
import type * as ESTree from "estree";
import { directWalk } from "./directWalks.js";
import type { DirectWalk } from "./directWalks.js";
import { field, isNode, isWrapper } from "./estreeNodes.js";
import type { AnyNode } from "./estreeNodes.js";

/** A lexical scope. */
export interface Scope {
  readonly upper: Scope | undefined;
  readonly isFunction: boolean;
  /** The variables declared in this scope; undefined while there are none (most block scopes declare nothing). */
  variables: Map<string, Variable> | undefined;
}

/** How a variable was declared. `scope` is the scope the declaration is written in. */
export type Definition =
  | { kind: "import"; specifier: AnyNode; module: string }
  | { kind: "importEquals"; node: AnyNode }
  | { kind: "variable"; declarator: ESTree.VariableDeclarator; scope: Scope }
  | { kind: "class"; node: ESTree.ClassDeclaration; scope: Scope }
  | { kind: "other" };

/** A variable: its definitions and the number of writes other than its initialiser. */
export interface Variable {
  readonly defs: Definition[];
  writes: number;
}

/** A node the checks look at, with its scope and (past TypeScript wrappers) the node that holds it. */
export interface Site {
  node: AnyNode;
  scope: Scope;
  holder: AnyNode | undefined;
  child: AnyNode;
  /** For a `super(…)` call or its argument: the class it is in (whose superclass `super(…)` constructs). */
  inClass?: ESTree.Class;
}

/** What the pass found. */
export interface ProgramFacts {
  sites: Site[];
  /** Every module named by an import, `require(…)` or `import(…)` with a literal name. */
  modules: string[];
}

/** Keys never walked: positions, parents, and TypeScript types (a type holds no value). */
const SKIPPED_KEYS = new Set([
  "parent",
  "loc",
  "range",
  "start",
  "end",
  "tokens",
  "comments",
  "typeAnnotation",
  "typeArguments",
  "typeParameters",
  "returnType",
  "superTypeArguments",
  "implements",
]);

/** The child keys of each node type (ESLint's `sourceCode.visitorKeys`, oxc-parser's `visitorKeys`). */
export type VisitorKeys = Readonly<Record<string, readonly string[] | undefined>>;

/** What the walker does on entering a node of a type: one table lookup per node instead of several set lookups. */
const FUNCTION = 1;
const BLOCK = 2;
const DECLARES = 4;
const SITE = 8;
const ROLES: Readonly<Record<string, number | undefined>> = Object.assign(Object.create(null) as object, {
  FunctionDeclaration: FUNCTION,
  FunctionExpression: FUNCTION,
  ArrowFunctionExpression: FUNCTION,
  BlockStatement: BLOCK,
  StaticBlock: BLOCK,
  TSModuleBlock: BLOCK,
  ForStatement: BLOCK,
  ForInStatement: BLOCK,
  ForOfStatement: BLOCK,
  SwitchStatement: BLOCK,
  CatchClause: BLOCK,
  VariableDeclaration: DECLARES,
  ImportDeclaration: DECLARES,
  ClassDeclaration: DECLARES,
  AssignmentExpression: DECLARES,
  UpdateExpression: DECLARES,
  TSImportEqualsDeclaration: DECLARES,
  TSEnumDeclaration: DECLARES,
  TSModuleDeclaration: DECLARES,
  NewExpression: SITE,
  CallExpression: SITE,
  ImportExpression: SITE,
  Literal: SITE,
  TemplateLiteral: SITE,
  BinaryExpression: SITE,
});
const OTHER: Definition = Object.freeze({ kind: "other" });

/** The variable `name` refers to from `scope` (respecting shadowing), if it is declared in the program. */
export function lookup(scope: Scope, name: string): Variable | undefined {
  for (let s: Scope | undefined = scope; s !== undefined; s = s.upper) {
    const variable = s.variables?.get(name);
    if (variable !== undefined) return variable;
  }
  return undefined;
}

/** The identifiers a binding pattern declares or assigns. */
export function patternNames(pattern: AnyNode | null | undefined, out: string[] = []): string[] {
  if (pattern === null || pattern === undefined) return out;
  if (pattern.type === "Identifier") out.push(pattern.name);
  else if (pattern.type === "ObjectPattern") {
    for (const p of pattern.properties) patternNames(p.type === "RestElement" ? p.argument : p.value, out);
  } else if (pattern.type === "ArrayPattern") for (const e of pattern.elements) patternNames(e, out);
  else if (pattern.type === "AssignmentPattern") patternNames(pattern.left, out);
  else if (pattern.type === "RestElement") patternNames(pattern.argument, out);
  else if (isWrapper(pattern)) patternNames(field(pattern, "expression") as AnyNode, out);
  return out;
}

function newScope(upper: Scope | undefined, isFunction: boolean): Scope {
  return { upper, isFunction, variables: undefined };
}

function declare(scope: Scope, name: string, def: Definition): void {
  const variables = (scope.variables ??= new Map<string, Variable>());
  const variable = variables.get(name);
  if (variable === undefined) variables.set(name, { defs: [def], writes: 0 });
  else variable.defs.push(def);
}

/** Declares every name `pattern` binds (a plain identifier without building a list). */
function declarePattern(scope: Scope, pattern: AnyNode | null | undefined, def: Definition): void {
  if (pattern?.type === "Identifier") declare(scope, pattern.name, def);
  else for (const name of patternNames(pattern)) declare(scope, name, def);
}

function functionScope(scope: Scope): Scope {
  let s = scope;
  while (!s.isFunction && s.upper !== undefined) s = s.upper;
  return s;
}

/** A literal module name (`require("x")`, `import("x")`), else undefined; constant folding is left to references. */
function literalModule(node: AnyNode): string | undefined {
  if (node.type === "ImportExpression")
    return node.source.type === "Literal" && typeof node.source.value === "string" ? node.source.value : undefined;
  if (node.type !== "CallExpression") return undefined;
  const arg = node.arguments[0];
  const callee = node.callee;
  const isRequire =
    (callee.type === "Identifier" && callee.name === "require") ||
    (callee.type === "MemberExpression" && callee.property.type === "Identifier" && callee.property.name === "require");
  return isRequire && arg?.type === "Literal" && typeof arg.value === "string" ? arg.value : undefined;
}

/**
 * What the walker needs of a node type: its role, the keys to walk (undefined: walk every field), and the type's
 * direct walk of exactly those keys where there is one (directWalks.ts).
 */
interface NodeKind {
  readonly role: number;
  readonly keys: readonly string[] | undefined;
  readonly direct: DirectWalk | undefined;
}

const kindTables = new WeakMap<VisitorKeys, Record<string, NodeKind | undefined>>();
const KINDS_WITHOUT_KEYS: Record<string, NodeKind | undefined> = Object.create(null) as Record<string, NodeKind>;
for (const [type, role] of Object.entries(ROLES))
  KINDS_WITHOUT_KEYS[type] = { role: role ?? 0, keys: undefined, direct: undefined };

/** The kind of a node type the parser walks through `keys`. */
function keyedKind(type: string, keys: readonly string[]): NodeKind {
  const walked = keys.filter((k) => !SKIPPED_KEYS.has(k));
  return { role: ROLES[type] ?? 0, keys: walked, direct: directWalk(type, walked) };
}

/**
 * Each node type's role and the keys to walk: its visitor keys less the type-only ones (computed once per parser), so
 * a node costs one table lookup.
 */
function nodeKinds(visitorKeys: VisitorKeys | undefined): Record<string, NodeKind | undefined> {
  if (visitorKeys === undefined) return KINDS_WITHOUT_KEYS;
  let table = kindTables.get(visitorKeys);
  if (table === undefined) {
    table = Object.create(null) as Record<string, NodeKind | undefined>;
    for (const [type, role] of Object.entries(ROLES))
      table[type] = { role: role ?? 0, keys: undefined, direct: undefined };
    for (const [type, keys] of Object.entries(visitorKeys)) if (keys !== undefined) table[type] = keyedKind(type, keys);
    kindTables.set(visitorKeys, table);
  }
  return table;
}

/** True for an object with a string `type`: an AST node (the walker's inlined form of `isNode`). */
function isNodeObject(value: unknown): value is AnyNode {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

class ScopeWalker {
  readonly facts: ProgramFacts = { sites: [], modules: [] };
  private readonly writes: { name: string; scope: Scope }[] = [];
  private readonly stack: AnyNode[] = [];
  private readonly kinds: Record<string, NodeKind | undefined>;

  constructor(
    visitorKeys: VisitorKeys | undefined,
    private readonly maxDepth: number,
  ) {
    this.kinds = nodeKinds(visitorKeys);
  }

  run(program: AnyNode): ProgramFacts {
    this.visit(program, newScope(undefined, true));
    for (const w of this.writes) {
      const variable = lookup(w.scope, w.name);
      if (variable !== undefined) variable.writes++;
    }
    return this.facts;
  }

  private write(pattern: AnyNode | null | undefined, scope: Scope): void {
    if (pattern?.type === "Identifier") this.writes.push({ name: pattern.name, scope });
    else for (const name of patternNames(pattern)) this.writes.push({ name, scope });
  }

  /** Enters a function: declares its name and parameters; returns the scope its body is in. */
  private enterFunction(fn: ESTree.Function, scope: Scope): Scope {
    const id = field(fn, "id");
    const name = isNode(id) && id.type === "Identifier" ? id.name : undefined;
    if (fn.type === "FunctionDeclaration" && name !== undefined) declare(scope, name, OTHER);
    const inner = newScope(scope, true);
    if (fn.type === "FunctionExpression" && name !== undefined) declare(inner, name, OTHER);
    for (const p of fn.params) declarePattern(inner, p, OTHER);
    return inner;
  }

  /** Enters a block (a function's own body shares the function's scope); returns the scope its children are in. */
  private enterBlock(node: AnyNode, scope: Scope, parent: AnyNode | undefined): Scope {
    if (node.type === "BlockStatement" && parent !== undefined && (ROLES[parent.type] ?? 0) & FUNCTION) return scope;
    const inner = newScope(scope, false);
    if (node.type === "CatchClause") declarePattern(inner, node.param, OTHER);
    return inner;
  }

  private declarations(node: AnyNode, scope: Scope): void {
    switch (node.type) {
      case "VariableDeclaration": {
        const target = node.kind === "var" ? functionScope(scope) : scope;
        for (const d of node.declarations) declarePattern(target, d.id, { kind: "variable", declarator: d, scope });
        break;
      }
      case "ImportDeclaration": {
        const module = String(node.source.value);
        this.facts.modules.push(module);
        for (const s of node.specifiers) declare(scope, s.local.name, { kind: "import", specifier: s, module });
        break;
      }
      case "ClassDeclaration":
        if (node.id) declare(scope, node.id.name, { kind: "class", node, scope });
        break;
      case "AssignmentExpression":
        this.write(node.left, scope);
        break;
      case "UpdateExpression":
        this.write(node.argument, scope);
        break;
      default:
        this.typeScriptDeclarations(node, scope);
    }
  }

  private typeScriptDeclarations(node: AnyNode, scope: Scope): void {
    const t = node.type as string;
    const id = field(node, "id");
    if (t === "TSImportEqualsDeclaration" && isNode(id) && id.type === "Identifier") {
      declare(scope, id.name, { kind: "importEquals", node });
      const ref = field(node, "moduleReference");
      const expr = field(ref, "expression");
      if (isNode(expr) && expr.type === "Literal" && typeof expr.value === "string")
        this.facts.modules.push(expr.value);
    } else if ((t === "TSEnumDeclaration" || t === "TSModuleDeclaration") && isNode(id) && id.type === "Identifier") {
      declare(scope, id.name, OTHER);
    }
  }

  /**
   * Records a site. A number, boolean, regular expression or other non-string literal and a binary expression
   * other than `+` can never be a finding: they are not recorded.
   */
  private site(node: AnyNode, scope: Scope): void {
    if (node.type === "Literal" && typeof node.value !== "string") return;
    if (node.type === "BinaryExpression" && node.operator !== "+") return;
    const stack = this.stack;
    let i = stack.length - 1;
    let child = node;
    while (i >= 0 && isWrapper(stack[i])) child = stack[i--];
    const holder = i >= 0 ? stack[i] : undefined;
    const site: Site = { node, scope, holder, child };
    if (isSuperCall(node) || isSuperCall(holder)) site.inClass = this.enclosingClass();
    this.facts.sites.push(site);
    const module = literalModule(node);
    if (module !== undefined) this.facts.modules.push(module);
  }

  private enclosingClass(): ESTree.Class | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const n = this.stack[i];
      if (n.type === "ClassDeclaration" || n.type === "ClassExpression") return n;
    }
    return undefined;
  }

  private visit(node: AnyNode, scope: Scope): void {
    if (this.stack.length >= this.maxDepth)
      throw new RangeError(`the program nests deeper than ${this.maxDepth} nodes`);
    const kind = this.kinds[node.type];
    const role = kind === undefined ? 0 : kind.role;
    let inner = scope;
    if (role !== 0) {
      if (role & FUNCTION) inner = this.enterFunction(node as ESTree.Function, scope);
      else if (role & BLOCK) inner = this.enterBlock(node, scope, this.stack[this.stack.length - 1]);
      else if (role & DECLARES) this.declarations(node, scope);
      else this.site(node, scope);
    }
    this.stack.push(node);
    const record = node as unknown as Record<string, unknown>;
    const direct = kind?.direct;
    const keys = kind?.keys;
    if (direct !== undefined) direct(this, record, inner);
    else if (keys !== undefined) for (let k = 0; k < keys.length; k++) this.child(record[keys[k]], inner);
    else for (const key in record) if (!SKIPPED_KEYS.has(key)) this.child(record[key], inner);
    this.stack.pop();
  }

  /** Visits a child value: a node, or each node of an array (anything else is not walked). */
  child(value: unknown, scope: Scope): void {
    if (typeof value !== "object" || value === null) return;
    if (Array.isArray(value)) {
      for (let j = 0; j < value.length; j++) {
        const item: unknown = value[j];
        if (isNodeObject(item)) this.visit(item, scope);
      }
    } else if (isNodeObject(value)) this.visit(value, scope);
  }
}

function isSuperCall(node: AnyNode | undefined): boolean {
  return node?.type === "CallExpression" && node.callee.type === "Super";
}

/**
 * Walks a program once: scopes, variables, writes and the sites the checks need. With `visitorKeys` only the child
 * keys of each node type are read (faster); a type without keys has all its fields walked. `maxDepth`: a program
 * nesting deeper (nodes from the root) throws a RangeError at once, whatever the thread's stack would allow, so
 * every thread gives the same answer for it.
 */
export function collectProgramFacts(program: AnyNode, visitorKeys?: VisitorKeys, maxDepth = Infinity): ProgramFacts {
  return new ScopeWalker(visitorKeys, maxDepth).run(program);
}
