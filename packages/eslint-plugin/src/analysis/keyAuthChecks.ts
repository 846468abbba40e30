/**
 * The `no-key-auth` checks over one program's sites: ACS clients built from connection strings or key credentials,
 * key credentials created in a file that uses ACS, the helpers that exist for key auth, and connection strings in
 * code. Without type information it never guesses: only what is provably taken from `@azure/communication-*`,
 * `@azure-rest/communication-*` or `@azure/core-auth` is reported.
 */
import { propertyName, unwrap } from "./estreeNodes.js";
import type { AnyNode } from "./estreeNodes.js";
import { invocationOf, targetOf } from "./invocations.js";
import type { Invocation, Target } from "./invocations.js";
import type { KeyAuthMessageId } from "./messages.js";
import { initializerOf } from "./references.js";
import type { Scope, Site } from "./scopes.js";
import {
  checkStringValue,
  concatenationText,
  templateInChain,
  decodedForm,
  isConnectionStringText,
  templateText,
} from "./stringChecks.js";
import type { TypeHooks } from "./typeHooks.js";

/** One finding: the node to report, the message id and its data. */
export interface KeyAuthFinding {
  node: AnyNode;
  messageId: KeyAuthMessageId;
  data: Record<string, string>;
}

const ACS_MODULE = /^@azure(?:-rest)?\/communication-[a-z-]+$/;
const KEY_CREDENTIAL_CLASSES = new Set(["AzureKeyCredential", "AzureNamedKeyCredential"]);
const KEY_HELPERS = new Set(["parseConnectionString", "createCommunicationAccessKeyCredentialPolicy"]);
const CONNECTION_STRING_NAME = /conn(?:ection)?[_-]?str(?:ing)?|connstr|^cs$|_CS$/i;
const MAX_DEPTH = 4;
/**
 * Client-side SDKs whose classes and factories take options only (`new CallClient(callClientOptions)`,
 * `createStatefulCallClient(args)`): they sign in with a user's token credential, never a connection string or key.
 */
const OPTIONS_ONLY_MODULES = new Set([
  "@azure/communication-calling",
  "@azure/communication-calling-effects",
  "@azure/communication-react",
]);

/** True for an `@azure/communication-*` or `@azure-rest/communication-*` module. */
export const isAcsModule = (module: string): boolean => ACS_MODULE.test(module);
const isKeySource = (module: string) => isAcsModule(module) || module === "@azure/core-auth";

function isAcsClient(t: Target | undefined): t is Target {
  return t !== undefined && t.member === undefined && isAcsModule(t.module) && (t.isDefault || /Client$/.test(t.name));
}

/** Any other PascalCase ACS export that is not a credential, identifier or error: it may take a key too. */
function isAcsKeyTaker(t: Target | undefined): t is Target {
  return (
    t !== undefined &&
    t.member === undefined &&
    isAcsModule(t.module) &&
    /^[A-Z]/.test(t.name) &&
    !/Credential|Identifier|Error|Kind|Policy$/.test(t.name)
  );
}

function isKeyCredentialClass(t: Target | undefined): boolean {
  return t !== undefined && t.member === undefined && isKeySource(t.module) && KEY_CREDENTIAL_CLASSES.has(t.name);
}

/** Runs the checks for one program. */
export class KeyAuthChecks {
  readonly findings: KeyAuthFinding[] = [];
  private acs: boolean | undefined;

  /** `usesAcs` is asked at most once, and only when a key credential is created. */
  constructor(
    private readonly usesAcs: () => boolean,
    private readonly types: TypeHooks | undefined,
  ) {}

  private report(node: AnyNode, messageId: KeyAuthMessageId, data: Record<string, string>): void {
    this.findings.push({ node, messageId, data });
  }

  private isKeyCredentialNew(node: AnyNode, scope: Scope): boolean {
    const n = unwrap(node);
    if (n.type !== "NewExpression" && n.type !== "CallExpression") return false;
    const call = invocationOf(n, scope);
    return call?.kind === "new" && isKeyCredentialClass(targetOf(call.callee, scope));
  }

  private isKeyObjectLiteral(node: AnyNode): boolean {
    const n = unwrap(node);
    if (n.type !== "ObjectExpression") return false;
    const names = n.properties.map((p) => (p.type === "Property" ? propertyName(p.key) : undefined));
    return names.includes("key") && !names.includes("getToken");
  }

  private isKeyCredentialExpression(wrapped: AnyNode, scope: Scope, depth = 0): boolean {
    const node = unwrap(wrapped);
    if (this.isKeyCredentialNew(node, scope) || this.isKeyObjectLiteral(node)) return true;
    if (node.type === "Identifier" && depth < MAX_DEPTH) {
      const found = initializerOf(node, scope);
      if (found !== undefined && this.isKeyCredentialExpression(found.init, found.scope, depth + 1)) return true;
    }
    return this.types?.isKeyCredential(node) ?? false;
  }

  /** An options object: an object literal (or a const holding one) without getToken, or a variable named like options. */
  private isOptionsLike(wrapped: AnyNode, scope: Scope, depth = 0): boolean {
    const node = unwrap(wrapped);
    if (node.type === "ObjectExpression")
      return !node.properties.some((p) => p.type === "Property" && propertyName(p.key) === "getToken");
    if (node.type !== "Identifier") return false;
    const found = depth < MAX_DEPTH ? initializerOf(node, scope) : undefined;
    if (found !== undefined) return this.isOptionsLike(found.init, found.scope, depth + 1);
    return /options|opts$|config$|settings$/i.test(node.name) && !/cred|token/i.test(node.name);
  }

  /** Named or read like a connection string: `connectionString`, `cs`, `process.env.ACS_CONNECTION_STRING`, a literal. */
  private isConnectionStringLike(wrapped: AnyNode, scope: Scope, depth = 0): boolean {
    const node = unwrap(wrapped);
    if (node.type === "Literal") return typeof node.value === "string" && isConnectionStringText(node.value);
    if (node.type === "TemplateLiteral") return /accesskey/i.test(decodedForm(templateText(node)));
    const name =
      node.type === "Identifier"
        ? node.name
        : node.type === "MemberExpression"
          ? propertyName(node.property)
          : undefined;
    if (name !== undefined && CONNECTION_STRING_NAME.test(name)) return true;
    if (node.type === "Identifier" && depth < MAX_DEPTH) {
      const found = initializerOf(node, scope);
      if (found !== undefined) return this.isConnectionStringLike(found.init, found.scope, depth + 1);
    }
    if (node.type === "LogicalExpression")
      return (
        this.isConnectionStringLike(node.left, scope, depth + 1) ||
        this.isConnectionStringLike(node.right, scope, depth + 1)
      );
    return false;
  }

  /** A client built from a connection string or a key credential: (cs, options?) or (endpoint, credential, options?). */
  private checkClientArguments(node: AnyNode, target: Target, call: Invocation, scope: Scope): void {
    if (OPTIONS_ONLY_MODULES.has(target.module)) return;
    const client = target.name;
    const strict = isAcsClient(target);
    const [first, second] = call.args.map((a) => unwrap(a));
    if (first === undefined) return;
    // An object literal or options argument is never a connection string (e.g. new CallClient({ … })).
    if (first.type === "ObjectExpression" || this.isOptionsLike(first, scope)) return;
    if (second === undefined) {
      if (!call.complete && call.args.length < 2) return;
      if (strict || this.isConnectionStringLike(first, scope)) this.report(node, "connectionString", { client });
      return;
    }
    if (this.isKeyCredentialExpression(second, scope)) return this.report(node, "keyCredential", { client });
    if (this.isOptionsLike(second, scope) && (strict || this.isConnectionStringLike(first, scope))) {
      return this.report(node, "connectionString", { client });
    }
    if (this.types !== undefined && call.args.length === 1 && this.types.isString(first))
      this.report(node, "connectionString", { client });
  }

  /** True when `site` is the credential argument of an ACS client construction (reported there instead). */
  private isClientArgument(site: Site): boolean {
    const holder = site.holder;
    if (holder?.type !== "NewExpression" && holder?.type !== "CallExpression") return false;
    const callee = holder.callee.type === "Super" ? site.inClass?.superClass : holder.callee;
    const target = callee === null || callee === undefined ? undefined : targetOf(callee, site.scope);
    return (isAcsKeyTaker(target) || isAcsClient(target)) && holder.arguments[1] === site.child;
  }

  private checkNew(site: Site, call: Invocation): void {
    const target = targetOf(call.callee, site.scope);
    if (isAcsClient(target) || isAcsKeyTaker(target))
      return this.checkClientArguments(site.node, target, call, site.scope);
    if (isKeyCredentialClass(target) && (this.acs ??= this.usesAcs()) && !this.isClientArgument(site)) {
      this.report(site.node, "keyCredentialCreated", { name: target!.name });
    }
  }

  private checkCall(site: Site, call: Invocation): void {
    const target = targetOf(call.callee, site.scope);
    if (target === undefined || !isAcsModule(target.module)) return;
    if (target.member !== undefined) {
      if (/connection/i.test(target.member))
        this.report(site.node, "connectionString", { client: `${target.name}.${target.member}` });
      return;
    }
    if (KEY_HELPERS.has(target.name)) return this.report(site.node, "keyHelper", { name: target.name });
    if (target.name === "createCommunicationAuthPolicy") {
      const arg = call.args[0];
      if (arg !== undefined && this.isKeyCredentialExpression(arg, site.scope)) {
        this.report(site.node, "keyHelper", { name: "createCommunicationAuthPolicy with a key credential" });
      }
    } else if (target.isDefault || /Client$/.test(target.name)) {
      // REST client factories: MessageClient(connectionString), JobRouterClient(endpoint, new AzureKeyCredential(k))
      this.checkClientArguments(site.node, target, call, site.scope);
    }
  }

  private checkString(node: AnyNode, value: string | undefined, what: string): void {
    const found = value === undefined ? undefined : checkStringValue(value, what);
    if (found !== undefined) this.report(node, found.messageId, found.data);
  }

  /** Checks one site. */
  check(site: Site): void {
    const node = site.node;
    if (node.type === "NewExpression" || node.type === "CallExpression") {
      const call = invocationOf(node, site.scope);
      if (call === undefined) return;
      // super(…) in a subclass constructs its superclass: `class Q extends SmsClient { constructor(s) { super(s); } }`
      const superClass = site.inClass?.superClass;
      if (node.type === "CallExpression" && node.callee.type === "Super") {
        if (superClass !== undefined && superClass !== null)
          this.checkNew(site, { ...call, kind: "new", callee: superClass });
        return;
      }
      if (call.kind === "new") this.checkNew(site, call);
      else this.checkCall(site, call);
    } else if (node.type === "Literal") {
      // `"endpoint=…;accesskey=" + key`: the concatenation is the finding (a real key), not this part (a template).
      if (typeof node.value === "string" && !templateInChain(node.value, site.holder))
        this.checkString(node, node.value, "string");
    } else if (node.type === "TemplateLiteral") {
      const text = templateText(node);
      if (!templateInChain(text, site.holder)) this.checkString(node, text, "template literal");
    } else if (node.type === "BinaryExpression") {
      this.checkString(node, concatenationText(node, site.holder, site.scope), "string concatenation");
    }
  }
}
