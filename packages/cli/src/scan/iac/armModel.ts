/**
 * ARM JSON templates → {@link IacModel}: resources (nested child resources and nested deployments included,
 * `resources` as an array or, with languageVersion 2.0, an object of symbolic names), variables that hold an ACS
 * resource id or a key, `listKeys(...)` on the ACS resource, and where the result ends up.
 */
import { armNodes, armText, isArmExpressionString, parseArmExpression } from "./armExpression.js";
import type { ArmExpr } from "./armExpression.js";
import { parseJsonTree } from "./armJson.js";
import type { JsonLeaf, JsonTree } from "./armJson.js";
import { entryOf, resourceFlows } from "./armSinks.js";
import { ACS_TYPE, unreadableModuleOutputCarriesKey } from "./model.js";
import type { AcsResource, IacModel, KeyFlow } from "./model.js";
import { appendAll } from "../appendAll.js";

const TEMPLATE_SCHEMA = /deploymenttemplate\.json/i;
const ACS_KEY_PROPERTY = /^(primaryConnectionString|secondaryConnectionString|primaryKey|secondaryKey)$/i;

function hasListKeys(e: ArmExpr): boolean {
  for (const n of armNodes(e)) if (n.kind === "call" && n.name.toLowerCase() === "listkeys") return true;
  return false;
}

/** True when a parsed JSON document is an ARM deployment template. */
export function isArmTemplate(tree: JsonTree): boolean {
  const schema = entryOf(tree, "$schema");
  if (schema?.kind === "leaf" && typeof schema.expr === "string" && TEMPLATE_SCHEMA.test(schema.expr)) return true;
  // A template without $schema: resources plus contentVersion or outputs.
  return (
    entryOf(tree, "resources") !== undefined &&
    (entryOf(tree, "contentVersion") !== undefined || entryOf(tree, "outputs") !== undefined)
  );
}

/**
 * {@link isArmTemplate} for a text that does not parse as JSON: a `$schema` naming a deployment template, or
 * `resources` with `contentVersion` or `outputs`, as keys anywhere in the text (the syntax error hides which keys
 * are the top-level ones).
 */
export function looksLikeArmTemplate(text: string): boolean {
  if (/"\$schema"\s*:\s*"[^"]*deploymenttemplate\.json/i.test(text)) return true;
  return /"resources"\s*:/i.test(text) && /"(?:contentVersion|outputs)"\s*:/i.test(text);
}

const parsedCache = new Map<string, ArmExpr | null>();
function expressionOf(leaf: JsonLeaf): ArmExpr | undefined {
  if (typeof leaf !== "string" || !isArmExpressionString(leaf)) return undefined;
  let e = parsedCache.get(leaf);
  if (e === undefined) {
    try {
      e = parseArmExpression(leaf);
    } catch {
      e = null;
    }
    if (parsedCache.size > 5000) parsedCache.clear();
    parsedCache.set(leaf, e);
  }
  return e ?? undefined;
}

interface FlatResource {
  type: string;
  nameText: string;
  symbolic?: string;
  body: JsonTree;
}

function leaves(tree: JsonTree | undefined): JsonLeaf[] {
  if (tree === undefined) return [];
  if (tree.kind === "leaf") return [tree.expr];
  if (tree.kind === "array") return tree.items.flatMap(leaves);
  return tree.entries.flatMap((e) => leaves(e.value));
}

const str = (t: JsonTree | undefined) => (t?.kind === "leaf" && typeof t.expr === "string" ? t.expr : undefined);

function flatten(list: JsonTree | undefined, parentType: string, parentName: string, out: FlatResource[]): void {
  const items =
    list?.kind === "array"
      ? list.items.map((v) => ({ v, symbolic: undefined as string | undefined }))
      : list?.kind === "object"
        ? list.entries.map((e) => ({ v: e.value, symbolic: e.key }))
        : [];
  for (const { v, symbolic } of items) {
    if (v.kind !== "object") continue;
    let type = (str(entryOf(v, "type")) ?? "").toLowerCase();
    if (parentType !== "" && !type.includes(".")) type = `${parentType}/${type}`;
    let nameText = str(entryOf(v, "name")) ?? "";
    if (parentType !== "" && parentName !== "" && !isArmExpressionString(nameText))
      nameText = `${parentName}/${nameText}`;
    out.push({ type, nameText, symbolic, body: v });
    flatten(entryOf(v, "resources"), type, nameText, out);
  }
}

/** Removes `resources` (children are flattened) and a nested deployment's `properties.template` from a body. */
function ownBody(r: FlatResource): JsonTree {
  if (r.body.kind !== "object") return r.body;
  const entries = r.body.entries
    .filter((e) => e.key.toLowerCase() !== "resources")
    .map((e) => {
      if (
        e.key.toLowerCase() !== "properties" ||
        e.value.kind !== "object" ||
        r.type !== "microsoft.resources/deployments"
      )
        return e;
      return {
        ...e,
        value: { ...e.value, entries: e.value.entries.filter((p) => p.key.toLowerCase() !== "template") },
      };
    });
  return { ...r.body, entries };
}

interface Context {
  acsNameTexts: Set<string>;
  acsIdVars: Set<string>;
  keyVars: Map<string, string>;
  /** Nested deployment name text → its key outputs. */
  deploymentKeyOutputs: Map<string, Set<string>>;
}

/**
 * Analyses an ARM template text; `undefined` when the text is not a template (or not JSON and not like one).
 * @throws JsonSyntaxError when the text is not JSON (or nests deeper than the JSON parser reads) but
 * {@link looksLikeArmTemplate}: the template could not be analysed, which the scan reports.
 */
export function analyseArm(text: string): IacModel | undefined {
  let tree: JsonTree;
  try {
    tree = parseJsonTree(text);
  } catch (error) {
    if (looksLikeArmTemplate(text)) throw error;
    return undefined;
  }
  if (!isArmTemplate(tree)) return undefined;
  const model: IacModel = { language: "arm", resources: [], flows: [] };
  analyseTemplate(
    tree,
    model,
    { acsNameTexts: new Set(), acsIdVars: new Set(), keyVars: new Map(), deploymentKeyOutputs: new Map() },
    0,
  );
  return model;
}

const quoted = (text: string) => `'${text.replace(/'/g, "''")}'`;
/** The name of a resource as an expression text (a plain name becomes a quoted literal). */
const nameKey = (nameText: string) => {
  const e = expressionOf(nameText);
  return e !== undefined ? armText(e) : quoted(nameText);
};
const isCall = (n: ArmExpr, name: string): n is Extract<ArmExpr, { kind: "call" }> =>
  n.kind === "call" && n.name.toLowerCase() === name;

/** One template (the root or an inline nested one) and what is known in its scope. */
class TemplateScope {
  readonly resources: FlatResource[] = [];
  readonly ctx: Context;
  hasDiagnostics = false;
  coversAll = false;

  constructor(
    readonly template: JsonTree,
    outer: Context,
  ) {
    flatten(entryOf(template, "resources"), "", "", this.resources);
    this.ctx = {
      acsNameTexts: new Set(outer.acsNameTexts),
      acsIdVars: new Set(outer.acsIdVars),
      keyVars: new Map(outer.keyVars),
      deploymentKeyOutputs: new Map(outer.deploymentKeyOutputs),
    };
    for (const r of this.resources.filter((x) => x.type === ACS_TYPE)) {
      this.ctx.acsNameTexts.add(nameKey(r.nameText).toLowerCase());
      if (r.symbolic !== undefined) this.ctx.acsNameTexts.add(`'${r.symbolic}'`.toLowerCase());
    }
  }

  refersToAcs(e: ArmExpr): boolean {
    for (const n of armNodes(e)) {
      if (n.kind === "string" && n.value.toLowerCase().includes("microsoft.communication/communicationservices"))
        return true;
      if (
        isCall(n, "variables") &&
        n.args[0]?.kind === "string" &&
        this.ctx.acsIdVars.has(n.args[0].value.toLowerCase())
      )
        return true;
    }
    return this.ctx.acsNameTexts.has(armText(e).toLowerCase());
  }

  /** `reference(deployment).outputs.name`: the key output it reads, or undefined. */
  private deploymentOutput(n: ArmExpr): string | undefined {
    if (n.kind !== "property" || n.object.kind !== "property" || n.object.name.toLowerCase() !== "outputs")
      return undefined;
    const call = n.object.object;
    if (!isCall(call, "reference")) return undefined;
    let arg = call.args[0];
    // reference(resourceId('Microsoft.Resources/deployments', name), …), as Bicep generates for modules
    const deployments = (a: ArmExpr) =>
      a.kind === "string" && a.value.toLowerCase() === "microsoft.resources/deployments";
    if (arg?.kind === "call" && /resourceid$/i.test(arg.name) && arg.args.some(deployments))
      arg = arg.args[arg.args.length - 1];
    const key = arg === undefined ? undefined : armText(arg).toLowerCase();
    const outs = key === undefined ? undefined : this.ctx.deploymentKeyOutputs.get(key);
    if (outs?.has(n.name.toLowerCase()) === true) return `${armText(call)}.outputs.${n.name}`;
    if (outs === undefined && key !== undefined && unreadableModuleOutputCarriesKey(key, n.name))
      return `${armText(call)}.outputs.${n.name} (deployment not read; named like an ACS key)`;
    return undefined;
  }

  /** What carries a key in `e`, or undefined. */
  taint(e: ArmExpr): string | undefined {
    for (const n of armNodes(e)) {
      // listKeys(<a resource id from elsewhere, named like ACS>).primaryKey (and the other key properties)
      if (n.kind === "property" && ACS_KEY_PROPERTY.test(n.name) && isCall(n.object, "listkeys")) {
        const arg = n.object.args[0];
        if (arg !== undefined && !this.refersToAcs(arg) && /acs|communication/i.test(armText(arg)))
          return `listKeys(${armText(arg).slice(0, 100)}).${n.name} (named like an ACS resource)`;
      }
      if (isCall(n, "listkeys") && n.args[0] !== undefined && this.refersToAcs(n.args[0]))
        return `listKeys(${armText(n.args[0]).slice(0, 100)})`;
      if (isCall(n, "variables") && n.args[0]?.kind === "string") {
        const v = this.ctx.keyVars.get(n.args[0].value.toLowerCase());
        if (v !== undefined) return `variables('${n.args[0].value}') (${v})`;
      }
      const output = this.deploymentOutput(n);
      if (output !== undefined) return output;
    }
    return undefined;
  }

  taintLeaf(leaf: JsonLeaf): string | undefined {
    const e = expressionOf(leaf);
    return e === undefined ? undefined : this.taint(e);
  }

  /** Variables: resource ids and keys, to a fixed point. */
  resolveVariables(): void {
    const variables = entryOf(this.template, "variables");
    const varEntries = variables?.kind === "object" ? variables.entries : [];
    const ctx = this.ctx;
    for (let changed = true, rounds = 0; changed && rounds < 10; rounds++) {
      changed = false;
      for (const v of varEntries) {
        const name = v.key.toLowerCase();
        const exprs = leaves(v.value)
          .map(expressionOf)
          .filter((e): e is ArmExpr => e !== undefined);
        const plain = leaves(v.value).filter((l): l is string => typeof l === "string" && !isArmExpressionString(l));
        const holdsId =
          exprs.some((e) => !hasListKeys(e) && this.refersToAcs(e)) ||
          plain.some((l) => l.toLowerCase().includes("microsoft.communication/communicationservices"));
        if (!ctx.acsIdVars.has(name) && !ctx.keyVars.has(name) && holdsId) {
          ctx.acsIdVars.add(name);
          changed = true;
        }
        if (ctx.keyVars.has(name)) continue;
        const via = exprs.map((e) => this.taint(e)).find((x) => x !== undefined);
        if (via !== undefined) {
          ctx.keyVars.set(name, via);
          changed = true;
        }
      }
    }
  }

  /** Nested deployments with inline templates first (their key outputs feed reference(...).outputs.x). */
  nestedDeployments(model: IacModel, depth: number): void {
    for (const r of this.resources) {
      if (r.type !== "microsoft.resources/deployments") continue;
      const properties = entryOf(r.body, "properties");
      const inner = entryOf(properties, "template");
      if (inner !== undefined && depth < 8) {
        const result = analyseTemplate(inner, model, this.ctx, depth + 1);
        this.ctx.deploymentKeyOutputs.set(nameKey(r.nameText).toLowerCase(), result.keyOutputs);
        if (result.hasDiagnostics) this.hasDiagnostics = this.coversAll = true;
      } else if (entryOf(properties, "templateLink") !== undefined) {
        // A linked template we cannot read: if it is given the ACS resource, assume it may configure its logs.
        const given = leaves(entryOf(properties, "parameters")).some((l) => {
          const e = expressionOf(l);
          return e !== undefined && this.refersToAcs(e);
        });
        if (given) this.coversAll = true;
      }
    }
  }

  /** Key flows into resource properties; diagnostic settings (any scope counts as covering: never guess). */
  resourceFlows(): KeyFlow[] {
    const flows: KeyFlow[] = [];
    const literal = (l: JsonLeaf) => (typeof l === "string" && !isArmExpressionString(l) ? l : undefined);
    for (const r of this.resources) {
      if (r.type === "microsoft.insights/diagnosticsettings") {
        this.hasDiagnostics = true;
        // A scope, resolved to the ACS resource or not: do not guess it is another resource.
        if (str(entryOf(r.body, "scope")) !== undefined) this.coversAll = true;
        continue;
      }
      const acsDiagnostics =
        r.type.startsWith(`${ACS_TYPE}/providers/microsoft.insights/diagnosticsettings`) ||
        r.type.startsWith(`${ACS_TYPE}/providers/diagnosticsettings`);
      if (acsDiagnostics) {
        this.hasDiagnostics = this.coversAll = true;
        continue;
      }
      for (const f of resourceFlows(r.type, r.nameText, ownBody(r), (l) => this.taintLeaf(l), literal))
        flows.push({ ...f, secure: false });
    }
    return flows;
  }

  /** Outputs that carry a key. */
  outputFlows(keyOutputs: Set<string>): KeyFlow[] {
    const flows: KeyFlow[] = [];
    const outputs = entryOf(this.template, "outputs");
    if (outputs?.kind !== "object") return flows;
    for (const o of outputs.entries) {
      const via = leaves(entryOf(o.value, "value"))
        .map((l) => this.taintLeaf(l))
        .find((v) => v !== undefined);
      if (via === undefined) continue;
      keyOutputs.add(o.key.toLowerCase());
      const type = (str(entryOf(o.value, "type")) ?? "").toLowerCase();
      flows.push({
        sink: "output",
        name: o.key,
        at: o.at,
        via,
        secure: type === "securestring" || type === "secureobject",
      });
    }
    return flows;
  }

  /** An ACS resource declaration and whether it sets `disableLocalAuth` (literally or through a parameter default). */
  acsResource(r: FlatResource): AcsResource {
    const props = entryOf(r.body, "properties");
    const dla = entryOf(props, "disableLocalAuth");
    let disables = false;
    let unknown = props?.kind === "leaf" && typeof props.expr === "string" && isArmExpressionString(props.expr); // "[variables('props')]"
    if (dla?.kind === "leaf") {
      if (dla.expr === true || dla.expr === "true") disables = true;
      else if (dla.expr !== false && dla.expr !== "false") {
        const e = expressionOf(dla.expr);
        const parameters = entryOf(this.template, "parameters");
        const p =
          e !== undefined && isCall(e, "parameters") && e.args[0]?.kind === "string"
            ? entryOf(parameters, e.args[0].value)
            : undefined;
        const def = entryOf(p, "defaultValue");
        if (def?.kind === "leaf" && def.expr === true) disables = true;
        else if (!(def?.kind === "leaf" && def.expr === false)) unknown = true;
      }
    }
    const nameExpr = expressionOf(r.nameText);
    return {
      name: r.symbolic ?? (nameExpr !== undefined ? armText(nameExpr) : r.nameText),
      at: r.body.at,
      provider: "arm",
      apiVersion: str(entryOf(r.body, "apiVersion")),
      disablesLocalAuth: disables,
      disableLocalAuthUnknown: unknown,
      hasDiagnostics: false,
    };
  }
}

function analyseTemplate(
  template: JsonTree,
  model: IacModel,
  outer: Context,
  depth: number,
): { keyOutputs: Set<string>; hasDiagnostics: boolean } {
  const scope = new TemplateScope(template, outer);
  scope.resolveVariables();
  scope.nestedDeployments(model, depth);
  const keyOutputs = new Set<string>();
  const flows = scope.resourceFlows();
  appendAll(flows, scope.outputFlows(keyOutputs));
  appendAll(model.flows, flows);
  for (const r of scope.resources) {
    if (r.type === ACS_TYPE && entryOf(r.body, "existing")?.kind !== "leaf") model.resources.push(scope.acsResource(r));
  }
  if (scope.coversAll) for (const r of model.resources) r.hasDiagnostics = true;
  return { keyOutputs, hasDiagnostics: scope.hasDiagnostics };
}
