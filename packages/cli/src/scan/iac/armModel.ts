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
  return entryOf(tree, "resources") !== undefined && (entryOf(tree, "contentVersion") !== undefined || entryOf(tree, "outputs") !== undefined);
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
  const items = list?.kind === "array" ? list.items.map((v) => ({ v, symbolic: undefined as string | undefined })) : list?.kind === "object" ? list.entries.map((e) => ({ v: e.value, symbolic: e.key })) : [];
  for (const { v, symbolic } of items) {
    if (v.kind !== "object") continue;
    let type = (str(entryOf(v, "type")) ?? "").toLowerCase();
    if (parentType !== "" && !type.includes(".")) type = `${parentType}/${type}`;
    let nameText = str(entryOf(v, "name")) ?? "";
    if (parentType !== "" && parentName !== "" && !isArmExpressionString(nameText)) nameText = `${parentName}/${nameText}`;
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
      if (e.key.toLowerCase() !== "properties" || e.value.kind !== "object" || r.type !== "microsoft.resources/deployments") return e;
      return { ...e, value: { ...e.value, entries: e.value.entries.filter((p) => p.key.toLowerCase() !== "template") } };
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

/** Analyses an ARM template text; `undefined` when the text is not a template (or not JSON). */
export function analyseArm(text: string): IacModel | undefined {
  let tree: JsonTree;
  try {
    tree = parseJsonTree(text);
  } catch {
    return undefined;
  }
  if (!isArmTemplate(tree)) return undefined;
  const model: IacModel = { language: "arm", resources: [], flows: [] };
  analyseTemplate(tree, model, { acsNameTexts: new Set(), acsIdVars: new Set(), keyVars: new Map(), deploymentKeyOutputs: new Map() }, 0);
  return model;
}

function analyseTemplate(template: JsonTree, model: IacModel, outer: Context, depth: number): { keyOutputs: Set<string>; hasDiagnostics: boolean } {
  const resources: FlatResource[] = [];
  flatten(entryOf(template, "resources"), "", "", resources);
  const ctx: Context = {
    acsNameTexts: new Set(outer.acsNameTexts),
    acsIdVars: new Set(outer.acsIdVars),
    keyVars: new Map(outer.keyVars),
    deploymentKeyOutputs: new Map(outer.deploymentKeyOutputs),
  };
  const acs = resources.filter((r) => r.type === ACS_TYPE && entryOf(r.body, "existing")?.kind !== "leaf");
  const acsAll = resources.filter((r) => r.type === ACS_TYPE);
  for (const r of acsAll) {
    const e = expressionOf(r.nameText);
    ctx.acsNameTexts.add(e !== undefined ? armText(e).toLowerCase() : `'${r.nameText.replace(/'/g, "''")}'`.toLowerCase());
    if (r.symbolic !== undefined) ctx.acsNameTexts.add(`'${r.symbolic}'`.toLowerCase());
  }

  const refersToAcs = (e: ArmExpr): boolean => {
    for (const n of armNodes(e)) {
      if (n.kind === "string" && n.value.toLowerCase().includes("microsoft.communication/communicationservices")) return true;
      if (n.kind === "call" && n.name.toLowerCase() === "variables" && n.args[0]?.kind === "string" && ctx.acsIdVars.has(n.args[0].value.toLowerCase())) return true;
    }
    return ctx.acsNameTexts.has(armText(e).toLowerCase());
  };
  const taint = (e: ArmExpr): string | undefined => {
    for (const n of armNodes(e)) {
      // listKeys(<a resource id from elsewhere, named like ACS>).primaryKey (and the other key properties)
      if (
        n.kind === "property" &&
        ACS_KEY_PROPERTY.test(n.name) &&
        n.object.kind === "call" &&
        n.object.name.toLowerCase() === "listkeys" &&
        n.object.args[0] !== undefined &&
        !refersToAcs(n.object.args[0]) &&
        /acs|communication/i.test(armText(n.object.args[0]))
      ) {
        return `listKeys(${armText(n.object.args[0]).slice(0, 100)}).${n.name} (named like an ACS resource)`;
      }
      if (n.kind === "call" && n.name.toLowerCase() === "listkeys" && n.args[0] !== undefined && refersToAcs(n.args[0])) return `listKeys(${armText(n.args[0]).slice(0, 100)})`;
      if (n.kind === "call" && n.name.toLowerCase() === "variables" && n.args[0]?.kind === "string") {
        const v = ctx.keyVars.get(n.args[0].value.toLowerCase());
        if (v !== undefined) return `variables('${n.args[0].value}') (${v})`;
      }
      // reference(deployment).outputs.name(.value)
      if (n.kind === "property" && n.object.kind === "property" && n.object.name.toLowerCase() === "outputs" && n.object.object.kind === "call" && n.object.object.name.toLowerCase() === "reference") {
        let arg = n.object.object.args[0];
        // reference(resourceId('Microsoft.Resources/deployments', name), …), as Bicep generates for modules
        if (arg?.kind === "call" && /resourceid$/i.test(arg.name) && arg.args.some((a) => a.kind === "string" && a.value.toLowerCase() === "microsoft.resources/deployments")) {
          arg = arg.args[arg.args.length - 1];
        }
        const key = arg === undefined ? undefined : armText(arg).toLowerCase();
        const outs = key === undefined ? undefined : ctx.deploymentKeyOutputs.get(key);
        if (outs?.has(n.name.toLowerCase()) === true) return `${armText(n.object.object)}.outputs.${n.name}`;
        if (outs === undefined && key !== undefined && unreadableModuleOutputCarriesKey(key, n.name)) return `${armText(n.object.object)}.outputs.${n.name} (deployment not read; named like an ACS key)`;
      }
    }
    return undefined;
  };
  const taintLeaf = (leaf: JsonLeaf): string | undefined => {
    const e = expressionOf(leaf);
    return e === undefined ? undefined : taint(e);
  };

  // Variables: resource ids and keys, to a fixed point.
  const variables = entryOf(template, "variables");
  const varEntries = variables?.kind === "object" ? variables.entries : [];
  for (let changed = true, rounds = 0; changed && rounds < 10; rounds++) {
    changed = false;
    for (const v of varEntries) {
      const name = v.key.toLowerCase();
      const exprs = leaves(v.value).map(expressionOf).filter((e): e is ArmExpr => e !== undefined);
      const plain = leaves(v.value).filter((l): l is string => typeof l === "string" && !isArmExpressionString(l));
      const holdsId = exprs.some((e) => !hasListKeys(e) && refersToAcs(e)) || plain.some((l) => l.toLowerCase().includes("microsoft.communication/communicationservices"));
      if (!ctx.acsIdVars.has(name) && !ctx.keyVars.has(name) && holdsId) {
        ctx.acsIdVars.add(name);
        changed = true;
      }
      if (!ctx.keyVars.has(name)) {
        const via = exprs.map(taint).find((x) => x !== undefined);
        if (via !== undefined) {
          ctx.keyVars.set(name, via);
          changed = true;
        }
      }
    }
  }

  // Nested deployments with inline templates first (their key outputs feed reference(...).outputs.x).
  let hasDiagnostics = false;
  let coversAll = false;
  for (const r of resources) {
    if (r.type !== "microsoft.resources/deployments") continue;
    const inner = entryOf(entryOf(r.body, "properties"), "template");
    if (inner !== undefined && depth < 8) {
      const result = analyseTemplate(inner, model, ctx, depth + 1);
      const nameExpr = expressionOf(r.nameText);
      const key = (nameExpr !== undefined ? armText(nameExpr) : `'${r.nameText.replace(/'/g, "''")}'`).toLowerCase();
      ctx.deploymentKeyOutputs.set(key, result.keyOutputs);
      if (result.hasDiagnostics) {
        hasDiagnostics = true;
        coversAll = true;
      }
    } else if (entryOf(entryOf(r.body, "properties"), "templateLink") !== undefined) {
      // A linked template we cannot read: if it is given the ACS resource, assume it may configure its logs.
      if (leaves(entryOf(entryOf(r.body, "properties"), "parameters")).some((l) => { const e = expressionOf(l); return e !== undefined && refersToAcs(e); })) coversAll = true;
    }
  }

  const flows: KeyFlow[] = [];
  for (const r of resources) {
    if (r.type === "microsoft.insights/diagnosticsettings") {
      hasDiagnostics = true;
      const scope = str(entryOf(r.body, "scope"));
      if (scope === undefined) continue;
      const e = expressionOf(scope);
      if (e === undefined || refersToAcs(e) || ctx.acsNameTexts.has(`'${scope}'`.toLowerCase())) coversAll = true;
      else coversAll = true; // a scope we cannot resolve: do not guess it is another resource
      continue;
    }
    if (r.type.startsWith(`${ACS_TYPE}/providers/microsoft.insights/diagnosticsettings`) || r.type.startsWith(`${ACS_TYPE}/providers/diagnosticsettings`)) {
      hasDiagnostics = true;
      coversAll = true;
      continue;
    }
    for (const f of resourceFlows(r.type, r.nameText, ownBody(r), taintLeaf, (l) => (typeof l === "string" && !isArmExpressionString(l) ? l : undefined))) {
      flows.push({ ...f, secure: false });
    }
  }
  const keyOutputs = new Set<string>();
  const outputs = entryOf(template, "outputs");
  if (outputs?.kind === "object") {
    for (const o of outputs.entries) {
      const via = leaves(entryOf(o.value, "value")).map(taintLeaf).find((v) => v !== undefined);
      if (via === undefined) continue;
      keyOutputs.add(o.key.toLowerCase());
      const type = (str(entryOf(o.value, "type")) ?? "").toLowerCase();
      flows.push({ sink: "output", name: o.key, at: o.at, via, secure: type === "securestring" || type === "secureobject" });
    }
  }
  model.flows.push(...flows);

  const parameters = entryOf(template, "parameters");
  for (const r of acs) {
    const props = entryOf(r.body, "properties");
    const dla = entryOf(props, "disableLocalAuth");
    let disables = false;
    let unknown = props?.kind === "leaf" && typeof props.expr === "string" && isArmExpressionString(props.expr); // "[variables('props')]"
    if (dla?.kind === "leaf") {
      if (dla.expr === true || dla.expr === "true") disables = true;
      else if (dla.expr !== false && dla.expr !== "false") {
        const e = expressionOf(dla.expr);
        const p = e?.kind === "call" && e.name.toLowerCase() === "parameters" && e.args[0]?.kind === "string" ? entryOf(parameters, e.args[0].value) : undefined;
        const def = entryOf(p, "defaultValue");
        if (def?.kind === "leaf" && def.expr === true) disables = true;
        else if (!(def?.kind === "leaf" && def.expr === false)) unknown = true;
      }
    }
    const nameExpr = expressionOf(r.nameText);
    const acsResource: AcsResource = {
      name: r.symbolic ?? (nameExpr !== undefined ? armText(nameExpr) : r.nameText),
      at: r.body.at,
      provider: "arm",
      apiVersion: str(entryOf(r.body, "apiVersion")),
      disablesLocalAuth: disables,
      disableLocalAuthUnknown: unknown,
      hasDiagnostics: false,
    };
    model.resources.push(acsResource);
  }
  if (coversAll) for (const r of model.resources) r.hasDiagnostics = true;
  return { keyOutputs, hasDiagnostics };
}
