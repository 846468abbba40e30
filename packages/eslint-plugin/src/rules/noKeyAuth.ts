/**
 * `no-key-auth` (IM-1): reports key-based authentication to Azure Communication Services in code — clients built
 * from connection strings or access-key credentials, key credentials created in files that use ACS, the helpers that
 * exist for key auth, and connection-string literals. Without type information it never guesses: only what is
 * provably imported from `@azure/communication-*` / `@azure/core-auth` is reported.
 */
import type { Rule, Scope } from "eslint";
import type * as ESTree from "estree";
import { findConnectionStrings, isConnectionStringShaped, maskConnectionString } from "acs-baseline/internal/text";

const DOCS_URL = "https://github.com/acs-baseline/acs-baseline/blob/main/docs/rules/no-key-auth.md";
const ACS_MODULE = /^@azure(?:-rest)?\/communication-[a-z-]+$/;
const KEY_CREDENTIAL_CLASSES = new Set(["AzureKeyCredential", "AzureNamedKeyCredential"]);
const KEY_HELPERS = new Set(["parseConnectionString", "createCommunicationAccessKeyCredentialPolicy"]);
/** Stands for an interpolated `${…}` in a template literal: base64-like, so an interpolated key is not a placeholder. */
const INTERPOLATED = "InterpolatedValue0123456789abcdefghijklmnopqrstuvwxyz";
const FIX = "Use AcsClientFactory from acs-baseline (Microsoft Entra ID service principal) instead";

type Binding =
  | { kind: "member"; module: string; imported: string } // a named export (class or function)
  | { kind: "namespace"; module: string } // import * as ns / const ns = require(...) / await import(...)
  | { kind: "default"; module: string };

type Node = ESTree.Node & Rule.NodeParentExtension;

/** Strips TypeScript's `as`, `satisfies`, `!` and `<T>` wrappers and optional chains: they never change the value. */
function unwrap<T extends ESTree.Node | null | undefined>(node: T): T {
  let n: unknown = node;
  for (;;) {
    const t = (n as { type?: string } | null | undefined)?.type;
    if (t === "TSAsExpression" || t === "TSSatisfiesExpression" || t === "TSNonNullExpression" || t === "TSTypeAssertion" || t === "ChainExpression") {
      n = (n as { expression: unknown }).expression;
    } else return n as T;
  }
}

/** `require("x").Name` / `require("x").default`: the module and the property. */
function requireMember(node: ESTree.Node | null | undefined): { module: string; name: string } | undefined {
  const n = unwrap(node);
  if (n?.type !== "MemberExpression") return undefined;
  const module = moduleOf(n.object);
  const name = n.computed ? (n.property.type === "Literal" && typeof n.property.value === "string" ? n.property.value : undefined) : n.property.type === "Identifier" ? n.property.name : undefined;
  return module !== undefined && name !== undefined ? { module, name } : undefined;
}

function moduleOf(node: ESTree.Node | null | undefined): string | undefined {
  // require("x") or import("x") or await import("x")
  let n: ESTree.Node | null | undefined = unwrap(node);
  if (n?.type === "AwaitExpression") n = unwrap(n.argument);
  if (n?.type === "AwaitExpression") n = n.argument;
  if (n?.type === "ImportExpression" && n.source.type === "Literal" && typeof n.source.value === "string") return n.source.value;
  if (
    n?.type === "CallExpression" &&
    n.callee.type === "Identifier" &&
    n.callee.name === "require" &&
    n.arguments.length === 1 &&
    n.arguments[0]?.type === "Literal" &&
    typeof n.arguments[0].value === "string"
  ) {
    return n.arguments[0].value;
  }
  return undefined;
}

const isAcs = (module: string) => ACS_MODULE.test(module);
const isKeySource = (module: string) => isAcs(module) || module === "@azure/core-auth";

function propertyName(key: ESTree.Node): string | undefined {
  if (key.type === "Identifier") return key.name;
  if (key.type === "Literal" && typeof key.value === "string") return key.value;
  return undefined;
}

const rule: Rule.RuleModule = {
  meta: {
    type: "problem",
    docs: {
      description: "Disallow key-based authentication (connection strings, access keys) for Azure Communication Services (baseline IM-1)",
      recommended: true,
      url: DOCS_URL,
    },
    schema: [],
    messages: {
      connectionString: `IM-1: {{client}} is constructed with a connection string, which authenticates with the resource's access key. ${FIX}.`,
      keyCredential: `IM-1: {{client}} is constructed with an access-key credential. ${FIX}.`,
      keyCredentialCreated: `IM-1: {{name}} creates an access-key credential in a file that uses Azure Communication Services. ${FIX}.`,
      keyHelper: `IM-1: {{name}} exists for access-key authentication to Azure Communication Services. ${FIX}.`,
      connectionStringTemplate: `IM-8: this {{what}} is an ACS connection-string template with a placeholder key ({{masked}}): it invites a real key into the code. Configure the endpoint only and ${FIX.charAt(0).toLowerCase()}${FIX.slice(1)}.`,
      connectionStringLiteral: `IM-1: this {{what}} is an ACS connection string with an access key ({{masked}}). Remove it, rotate the key, disable local auth, and ${FIX.charAt(0).toLowerCase()}${FIX.slice(1)}.`,
    },
  },
  create(context) {
    const bindings = new Map<Scope.Variable, Binding>();
    let usesAcs = false;
    const sourceCode = context.sourceCode;
    const services = (sourceCode.parserServices ?? {}) as {
      program?: { getTypeChecker(): TypeChecker };
      esTreeNodeToTSNodeMap?: { get(node: ESTree.Node): unknown };
    };
    const checker =
      services.program !== undefined && services.program !== null && services.esTreeNodeToTSNodeMap !== undefined
        ? services.program.getTypeChecker()
        : undefined;

    /** Binds the variable named `name` declared by `declaring` (an import specifier or a variable declarator). */
    function bind(declaring: ESTree.Node, name: string, binding: Binding): void {
      const variable = sourceCode.getDeclaredVariables(declaring).find((v) => v.name === name);
      if (variable !== undefined) bindings.set(variable, binding);
      if (isAcs(binding.module)) usesAcs = true;
    }

    /** The variable an identifier refers to (respecting shadowing). */
    function variableOf(id: ESTree.Identifier): Scope.Variable | undefined {
      let scope: Scope.Scope | null = sourceCode.getScope(id);
      while (scope !== null) {
        const variable = scope.set.get(id.name);
        if (variable !== undefined) return variable;
        scope = scope.upper;
      }
      return undefined;
    }

    function bindingOf(id: ESTree.Identifier): Binding | undefined {
      const variable = variableOf(id);
      return variable === undefined ? undefined : bindings.get(variable);
    }

    function bindPattern(declarator: ESTree.VariableDeclarator, module: string): void {
      const id = declarator.id;
      if (id.type === "Identifier") bind(declarator, id.name, { kind: "namespace", module });
      else if (id.type === "ObjectPattern") {
        for (const p of id.properties) {
          if (p.type !== "Property") continue;
          const imported = propertyName(p.key);
          const local = p.value.type === "Identifier" ? p.value.name : p.value.type === "AssignmentPattern" && p.value.left.type === "Identifier" ? p.value.left.name : undefined;
          if (imported !== undefined && local !== undefined) bind(declarator, local, { kind: "member", module, imported });
        }
      }
    }

    /** What a callee refers to: the export name and module, when it is provably imported. */
    function resolveCallee(node: ESTree.Node): { module: string; name: string; isDefault: boolean } | undefined {
      const callee = unwrap(node);
      if (callee.type === "Identifier") {
        const b = bindingOf(callee);
        if (b === undefined) return undefined;
        if (b.kind === "member") return { module: b.module, name: b.imported, isDefault: b.imported === "default" };
        // a default import, or a whole-module require used as the class/factory (`const SmsClient = require(…)`)
        return { module: b.module, name: callee.name, isDefault: true };
      }
      const viaRequire = requireMember(callee);
      if (viaRequire !== undefined) return { module: viaRequire.module, name: viaRequire.name, isDefault: viaRequire.name === "default" };
      if (callee.type === "MemberExpression") {
        const object = unwrap(callee.object);
        if (object.type !== "Identifier") return undefined;
        const b = bindingOf(object);
        const name = propertyName(callee.property);
        if (b !== undefined && b.kind !== "member" && name !== undefined && (!callee.computed || callee.property.type === "Literal")) {
          return { module: b.module, name, isDefault: name === "default" };
        }
      }
      return undefined;
    }

    function isAcsClient(target: { module: string; name: string; isDefault: boolean } | undefined): boolean {
      return target !== undefined && isAcs(target.module) && (target.isDefault || /Client$/.test(target.name));
    }

    /** Any other PascalCase ACS export that is not a credential, identifier or error: it may take a key too. */
    function isAcsKeyTaker(target: { module: string; name: string; isDefault: boolean } | undefined): boolean {
      return target !== undefined && isAcs(target.module) && /^[A-Z]/.test(target.name) && !/Credential|Identifier|Error|Kind|Policy$/.test(target.name);
    }

    function isKeyCredentialNew(wrapped: ESTree.Node): boolean {
      const node = unwrap(wrapped);
      if (node.type !== "NewExpression") return false;
      const target = resolveCallee(node.callee);
      return target !== undefined && isKeySource(target.module) && KEY_CREDENTIAL_CLASSES.has(target.name);
    }

    function isKeyObjectLiteral(wrapped: ESTree.Node): boolean {
      const node = unwrap(wrapped);
      if (node.type !== "ObjectExpression") return false;
      const names = node.properties.map((p) => (p.type === "Property" ? propertyName(p.key) : undefined));
      return names.includes("key") && !names.includes("getToken");
    }

    /** Follows a const/let (never reassigned) in the same or an enclosing scope to its initializer. */
    function initializerOf(id: ESTree.Identifier): ESTree.Node | undefined {
      const variable = variableOf(id);
      const def = variable?.defs[0];
      if (variable === undefined || variable.defs.length !== 1 || def?.type !== "Variable") return undefined;
      const declarator = def.node;
      if (declarator.id.type !== "Identifier" || declarator.init === null || declarator.init === undefined) return undefined;
      const writes = variable.references.filter((r) => r.isWrite() && r.writeExpr !== declarator.init);
      return writes.length === 0 ? declarator.init : undefined;
    }

    function isKeyCredentialExpression(wrapped: ESTree.Node, depth = 0): boolean {
      const node = unwrap(wrapped);
      if (isKeyCredentialNew(node) || isKeyObjectLiteral(node)) return true;
      if (node.type === "Identifier" && depth < 4) {
        const init = initializerOf(node);
        if (init !== undefined && isKeyCredentialExpression(init, depth + 1)) return true;
      }
      if (checker !== undefined && services.esTreeNodeToTSNodeMap !== undefined) {
        return typeIsKeyCredential(checker, services.esTreeNodeToTSNodeMap.get(node));
      }
      return false;
    }

    function isStringTyped(node: ESTree.Node): boolean {
      if (node.type === "Literal" && typeof node.value === "string") return true;
      if (node.type === "TemplateLiteral") return true;
      if (checker !== undefined && services.esTreeNodeToTSNodeMap !== undefined) {
        return typeIsString(checker, services.esTreeNodeToTSNodeMap.get(node));
      }
      return false;
    }

    function checkString(node: ESTree.Node, value: string, what: string): void {
      if (isConnectionStringShaped(value)) {
        const matches = findConnectionStrings(value);
        const template = matches.length > 0 && matches.every((m) => m.placeholder);
        const masked = maskConnectionString(value).split(INTERPOLATED).join("${…}").slice(0, 120);
        context.report({ node, messageId: template ? "connectionStringTemplate" : "connectionStringLiteral", data: { what, masked } });
      }
    }

    /** An options object: an object literal (or a const holding one) without getToken, or a variable named like options. */
    function isOptionsLike(wrapped: ESTree.Node, depth = 0): boolean {
      const node = unwrap(wrapped);
      if (node.type === "ObjectExpression") return !node.properties.some((p) => p.type === "Property" && propertyName(p.key) === "getToken");
      if (node.type === "Identifier") {
        const init = depth < 4 ? initializerOf(node) : undefined;
        if (init !== undefined) return isOptionsLike(init, depth + 1);
        return /options|opts$|config$|settings$/i.test(node.name) && !/cred|token/i.test(node.name);
      }
      return false;
    }

    /** Named or read like a connection string: `connectionString`, `cs`, `process.env.ACS_CONNECTION_STRING`, a literal. */
    function isConnectionStringLike(wrapped: ESTree.Node, depth = 0): boolean {
      const node = unwrap(wrapped);
      if (node.type === "Literal") return typeof node.value === "string" && isConnectionStringShaped(node.value);
      if (node.type === "TemplateLiteral") return /accesskey/i.test(node.quasis.map((q) => q.value.raw).join(""));
      const name =
        node.type === "Identifier" ? node.name : node.type === "MemberExpression" ? propertyName(node.property) : undefined;
      if (name !== undefined && /conn(?:ection)?[_-]?str(?:ing)?|connstr|^cs$|_CS$/i.test(name)) return true;
      if (node.type === "Identifier" && depth < 4) {
        const init = initializerOf(node);
        if (init !== undefined) return isConnectionStringLike(init, depth + 1);
      }
      if (node.type === "LogicalExpression") return isConnectionStringLike(node.left, depth + 1) || isConnectionStringLike(node.right, depth + 1);
      return false;
    }

    /** Reports a client built from a connection string or a key credential; `target` takes (cs, options?) or (endpoint, credential, options?). */
    function checkClientArguments(node: ESTree.Node, target: { module: string; name: string; isDefault: boolean }, args: (ESTree.Expression | ESTree.SpreadElement)[]): void {
      const client = target.name;
      const strict = isAcsClient(target);
      const first = args[0] === undefined || args[0].type === "SpreadElement" ? undefined : unwrap(args[0]);
      const second = args[1] === undefined || args[1].type === "SpreadElement" ? undefined : unwrap(args[1]);
      if (first === undefined || args[0]?.type === "SpreadElement") return;
      // An object literal or options argument is never a connection string (e.g. new CallClient({ … })).
      if (first.type === "ObjectExpression" || isOptionsLike(first)) return;
      if (second === undefined) {
        if (args[1]?.type === "SpreadElement") return;
        if (strict || isConnectionStringLike(first)) context.report({ node, messageId: "connectionString", data: { client } });
        return;
      }
      if (isKeyCredentialExpression(second)) {
        context.report({ node, messageId: "keyCredential", data: { client } });
        return;
      }
      if (isOptionsLike(second) && (strict || isConnectionStringLike(first))) {
        context.report({ node, messageId: "connectionString", data: { client } });
        return;
      }
      if (checker !== undefined && args.length === 1 && isStringTyped(first)) {
        context.report({ node, messageId: "connectionString", data: { client } });
      }
    }

    return {
      ImportDeclaration(node) {
        const module = String(node.source.value);
        if (!isKeySource(module)) return;
        if (isAcs(module)) usesAcs = true;
        for (const s of node.specifiers) {
          if (s.type === "ImportSpecifier") {
            const imported = s.imported.type === "Identifier" ? s.imported.name : String(s.imported.value);
            bind(s, s.local.name, { kind: "member", module, imported });
          } else if (s.type === "ImportNamespaceSpecifier") bind(s, s.local.name, { kind: "namespace", module });
          else bind(s, s.local.name, { kind: "default", module });
        }
      },
      VariableDeclarator(node) {
        const module = moduleOf(node.init);
        if (module !== undefined && isKeySource(module)) {
          bindPattern(node, module);
          return;
        }
        // const SmsClient = require("@azure/communication-sms").SmsClient / const Client = require("@azure-rest/…").default
        const member = requireMember(node.init);
        if (member !== undefined && isKeySource(member.module) && node.id.type === "Identifier") {
          bind(node, node.id.name, member.name === "default" ? { kind: "default", module: member.module } : { kind: "member", module: member.module, imported: member.name });
        }
      },
      // TypeScript: import sms = require("@azure/communication-sms")
      "TSImportEqualsDeclaration"(node: ESTree.Node) {
        const n = node as unknown as { id: ESTree.Identifier; moduleReference: { type: string; expression?: ESTree.Node } };
        const ref = n.moduleReference;
        if (ref.type !== "TSExternalModuleReference" || ref.expression?.type !== "Literal" || typeof ref.expression.value !== "string") return;
        const module = ref.expression.value;
        if (isKeySource(module)) bind(node, n.id.name, { kind: "namespace", module });
      },
      ImportExpression(node) {
        if (node.source.type === "Literal" && typeof node.source.value === "string" && isAcs(node.source.value)) usesAcs = true;
      },
      NewExpression(node) {
        const target = resolveCallee(node.callee);
        if (isAcsClient(target) || isAcsKeyTaker(target)) {
          checkClientArguments(node, target!, node.arguments);
          return;
        }
        if (usesAcs && isKeyCredentialNew(node)) {
          let child: Node = node;
          while (["TSAsExpression", "TSSatisfiesExpression", "TSNonNullExpression", "TSTypeAssertion"].includes((child.parent as { type: string } | null)?.type ?? "")) child = child.parent as Node;
          const parent = child.parent;
          const isClientArg =
            (parent?.type === "NewExpression" || parent?.type === "CallExpression") &&
            (isAcsKeyTaker(resolveCallee(parent.callee)) || isAcsClient(resolveCallee(parent.callee))) &&
            parent.arguments[1] === child;
          if (!isClientArg) context.report({ node, messageId: "keyCredentialCreated", data: { name: resolveCallee(node.callee)!.name } });
        }
      },
      CallExpression(node) {
        const target = resolveCallee(node.callee);
        if (target === undefined || !isAcs(target.module)) return;
        if (KEY_HELPERS.has(target.name)) {
          context.report({ node, messageId: "keyHelper", data: { name: target.name } });
        } else if (target.name === "createCommunicationAuthPolicy") {
          const arg = node.arguments[0];
          if (arg !== undefined && arg.type !== "SpreadElement" && isKeyCredentialExpression(arg)) {
            context.report({ node, messageId: "keyHelper", data: { name: "createCommunicationAuthPolicy with a key credential" } });
          }
        } else if (target.isDefault || /Client$/.test(target.name)) {
          // REST client factories: MessageClient(connectionString), JobRouterClient(endpoint, new AzureKeyCredential(k))
          checkClientArguments(node, target, node.arguments);
        }
      },
      Literal(node) {
        if (typeof node.value === "string") checkString(node, node.value, "string");
      },
      TemplateLiteral(node) {
        // An interpolated value stands for a real key at run time (not a placeholder): a long base64-like stand-in.
        const text = node.quasis.map((q) => q.value.cooked ?? q.value.raw).join(INTERPOLATED);
        checkString(node, text, "template literal");
      },
    };
  },
};

// Minimal structural types for the TypeScript checker (no runtime dependency on typescript).
interface TsType {
  getProperty(name: string): unknown;
  isUnion(): boolean;
  types?: TsType[];
  flags: number;
  symbol?: { getName(): string };
}
interface TypeChecker {
  getTypeAtLocation(node: unknown): TsType;
  getApparentType?(type: TsType): TsType;
}

const STRING_LIKE = 4 | 128 | 134217728; // TypeFlags.String | StringLiteral | TemplateLiteral

function typeIsString(checker: TypeChecker, tsNode: unknown): boolean {
  if (tsNode === undefined) return false;
  const type = checker.getTypeAtLocation(tsNode);
  const parts = type.isUnion() && type.types !== undefined ? type.types : [type];
  return parts.length > 0 && parts.every((t) => (t.flags & STRING_LIKE) !== 0);
}

function typeIsKeyCredential(checker: TypeChecker, tsNode: unknown): boolean {
  if (tsNode === undefined) return false;
  const type = checker.getTypeAtLocation(tsNode);
  const parts = type.isUnion() && type.types !== undefined ? type.types : [type];
  return parts.some((t) => {
    const name = t.symbol?.getName();
    if (name !== undefined && (KEY_CREDENTIAL_CLASSES.has(name) || name === "KeyCredential" || name === "NamedKeyCredential")) return true;
    return t.getProperty("key") !== undefined && t.getProperty("getToken") === undefined && t.getProperty("signature") === undefined;
  });
}

export default rule;
