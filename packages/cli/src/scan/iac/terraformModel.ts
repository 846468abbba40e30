/**
 * Terraform (`.tf` and `.tf.json`) → {@link IacModel}. A Terraform module is a directory: locals, diagnostic settings
 * and resources may sit in any of its files, so the analyser reads the sibling files (through {@link IacHost}) and
 * local child modules (`source = "./modules/acs"`), and reports the flows of the file it was asked about.
 *
 * A key is `azurerm_communication_service.<name>[...].primary_connection_string` (and the secondary / `_key`
 * attributes), an `azapi_resource_action` that calls `listKeys` on an ACS resource, a `local.` holding one, or a
 * child module's output that carries one.
 */
import { dirname, join, resolve } from "node:path";
import { entryOf, resourceFlows } from "./armSinks.js";
import type { Expr, HclBlock, Value } from "./hclParser.js";
import { parseFile } from "./hclParser.js";
import { hclStringValue, tokenizeHcl } from "./hclTokenizer.js";
import type { HclToken } from "./hclTokenizer.js";
import { ACS_TYPE, unreadableModuleOutputCarriesKey } from "./model.js";
import type { AcsResource, IacHost, IacModel, IacPosition, KeyFlow, SinkKind, UnanalysedFile } from "./model.js";
import { exprText, leavesOf } from "./modelCore.js";
import { classifyTerraform } from "./terraformSinks.js";
import { checkTemplateDepth } from "./templateDepth.js";
import { appendAll } from "../appendAll.js";

const KEY_ATTRIBUTES = new Set([
  "primary_connection_string",
  "secondary_connection_string",
  "primary_key",
  "secondary_key",
]);
const META_ARGS = new Set(["source", "version", "providers", "depends_on", "count", "for_each"]);

interface DirContext {
  files: { path: string; root: HclBlock }[];
  /** Files of this directory and its local child modules that could not be parsed (left out of `files`). */
  unanalysed: UnanalysedFile[];
  keyLocals: Map<string, string>;
  moduleKeyOutputs: Map<string, Set<string>>;
  /** Modules whose source could not be read: name → "name source" (for the naming heuristic). */
  unreadableModules: Map<string, string>;
  listKeysActions: Set<string>;
  acsAddresses: Set<string>;
  covered: Set<string>;
  coversAll: boolean;
  keyOutputs: Set<string>;
}

const text = exprText;
const stringLiteral = (e: Expr) => (e.length === 1 && e[0].type === "string" ? hclStringValue(e[0]) : undefined);
const attr = (b: HclBlock, key: string) => b.attrs.find((a) => a.key === key)?.value;
const attrText = (b: HclBlock, key: string) => {
  const v = attr(b, key);
  return v?.kind === "leaf" ? (stringLiteral(v.expr) ?? text(v.expr)) : undefined;
};

/** Reference chains in an expression: `a.b[0].c` → ["a", "b", "c"] with the token of `a`. */
function references(expr: Expr): { parts: string[]; at: HclToken }[] {
  const out: { parts: string[]; at: HclToken }[] = [];
  for (let k = 0; k < expr.length; k++) {
    const t = expr[k];
    if (t.type === "heredoc") {
      // A heredoc is one token: look at the references inside its `${…}` interpolations only.
      for (const interpolation of t.text.matchAll(/\$\{([^}]*)\}/g)) {
        const inner = tokenizeHcl(interpolation[1]).filter((x) => x.type !== "ws" && x.type !== "comment");
        appendAll(
          out,
          references(inner).map((r) => ({ parts: r.parts, at: t })),
        );
      }
      continue;
    }
    if (t.type !== "identifier" || (k > 0 && expr[k - 1].text === ".")) continue;
    const parts = [t.text];
    let j = k + 1;
    for (;;) {
      if (expr[j]?.text === "." && (expr[j + 1]?.type === "identifier" || expr[j + 1]?.text === "*")) {
        parts.push(expr[j + 1].text);
        j += 2;
      } else if (expr[j]?.text === "[") {
        let depth = 0;
        for (; j < expr.length; j++) {
          if (expr[j].text === "[") depth++;
          if (expr[j].text === "]" && --depth === 0) break;
        }
        j++;
      } else break;
    }
    out.push({ parts, at: t });
  }
  return out;
}

const dirCache = new WeakMap<IacHost, Map<string, DirContext>>();
const ACS_AZAPI_TYPE = /^microsoft\.communication\/communicationservices@/i;
const prefixOf = (b: HclBlock) => (b.type === "data" ? "data." : "");

/**
 * Parses one file of a module; one that cannot be parsed (invalid JSON, nested too deep) is added to `unanalysed`
 * instead, so that it costs the module that file, not the analysis of every other file.
 */
function parseModuleFile(ctx: DirContext, path: string, source: string): void {
  try {
    checkTemplateDepth(source);
    ctx.files.push({ path, root: parseFile(path, source) });
  } catch (error) {
    ctx.unanalysed.push({ path, error });
  }
}

/** Parses the `.tf` and `.tf.json` files of a directory into `ctx` (with `single` in place of its file on disk). */
function readDirectory(
  ctx: DirContext,
  dir: string,
  host: IacHost | undefined,
  single: { path: string; source: string } | undefined,
): void {
  if (host !== undefined) {
    for (const name of host.list(dir).sort()) {
      if (!name.endsWith(".tf") && !name.endsWith(".tf.json")) continue;
      const path = join(dir, name);
      const source = single !== undefined && path === single.path ? single.source : host.read(path);
      if (source !== undefined) parseModuleFile(ctx, path, source);
    }
  }
  const seen = (path: string) => ctx.files.some((f) => f.path === path) || ctx.unanalysed.some((f) => f.path === path);
  if (single !== undefined && !seen(single.path)) parseModuleFile(ctx, single.path, single.source);
}

/** ACS resources (azurerm and azapi) and `listKeys` actions on them. */
function collectAcs(ctx: DirContext, blocks: HclBlock[]): void {
  for (const b of blocks) {
    if (b.type === "resource" && b.labels[0] === "azurerm_communication_service")
      ctx.acsAddresses.add(`azurerm_communication_service.${b.labels[1]}`);
    const resourceOrData = b.type === "resource" || b.type === "data";
    if (resourceOrData && b.labels[0] === "azapi_resource" && ACS_AZAPI_TYPE.test(attrText(b, "type") ?? ""))
      ctx.acsAddresses.add(`${prefixOf(b)}azapi_resource.${b.labels[1]}`);
  }
  for (const b of blocks) {
    const resourceOrData = b.type === "resource" || b.type === "data";
    if (!resourceOrData || b.labels[0] !== "azapi_resource_action" || !/^listkeys$/i.test(attrText(b, "action") ?? ""))
      continue;
    const rid = attr(b, "resource_id");
    const ridText = rid?.kind === "leaf" ? text(rid.expr) : "";
    if (ACS_AZAPI_TYPE.test(attrText(b, "type") ?? "") || [...ctx.acsAddresses].some((a) => ridText.includes(a)))
      ctx.listKeysActions.add(`${prefixOf(b)}azapi_resource_action.${b.labels[1]}`);
  }
}

/** Local child modules are analysed (their key outputs known); others are unreadable. */
function collectModules(
  ctx: DirContext,
  blocks: HclBlock[],
  dir: string,
  host: IacHost | undefined,
  depth: number,
): void {
  for (const b of blocks) {
    if (b.type !== "module") continue;
    const source = attrText(b, "source");
    if (host !== undefined && depth < 8 && source !== undefined && /^\.\.?[/\\]/.test(source)) {
      const child = dirContext(resolve(dir, source), host, undefined, depth + 1);
      if (child !== ctx) appendAll(ctx.unanalysed, child.unanalysed);
      if (child.files.length > 0) ctx.moduleKeyOutputs.set(b.labels[0], child.keyOutputs);
      else ctx.unreadableModules.set(b.labels[0], `${b.labels[0]} ${source}`);
    } else ctx.unreadableModules.set(b.labels[0], `${b.labels[0]} ${source ?? ""}`);
  }
}

/** Locals that carry a key: to a fixed point (a local may use another declared later). */
function resolveLocals(ctx: DirContext, blocks: HclBlock[]): void {
  const locals = blocks.filter((b) => b.type === "locals").flatMap((b) => b.attrs);
  for (let changed = true, rounds = 0; changed && rounds < 10; rounds++) {
    changed = false;
    for (const a of locals) {
      if (ctx.keyLocals.has(a.key)) continue;
      const via = leavesOf(a.value)
        .map((e) => taintOf(e, ctx))
        .find((v) => v !== undefined);
      if (via !== undefined) {
        ctx.keyLocals.set(a.key, via);
        changed = true;
      }
    }
  }
}

/** Outputs that carry a key, and which ACS resources a diagnostic setting covers. */
function collectOutputsAndDiagnostics(ctx: DirContext, blocks: HclBlock[]): void {
  const acsPrefix = (r: { parts: string[] }) =>
    ctx.acsAddresses.has(r.parts.slice(0, 2).join(".")) ? r.parts.slice(0, 2).join(".") : r.parts.slice(0, 3).join(".");
  for (const b of blocks) {
    if (b.type === "output") {
      const v = attr(b, "value");
      if (v !== undefined && leavesOf(v).some((e) => taintOf(e, ctx) !== undefined)) ctx.keyOutputs.add(b.labels[0]);
    }
    const isDiag =
      (b.type === "resource" && b.labels[0] === "azurerm_monitor_diagnostic_setting") ||
      (b.type === "resource" &&
        b.labels[0] === "azapi_resource" &&
        /^microsoft\.insights\/diagnosticsettings@/i.test(attrText(b, "type") ?? ""));
    if (isDiag) {
      const target = attr(b, "target_resource_id") ?? attr(b, "parent_id");
      const refs = target === undefined ? [] : leavesOf(target).flatMap(references);
      const acsRef = refs.find((r) => ctx.acsAddresses.has(acsPrefix(r)));
      if (acsRef !== undefined) ctx.covered.add(acsPrefix(acsRef));
      else if (!refs.some((r) => /^(azurerm|azapi)_/.test(r.parts[0]))) ctx.coversAll = true; // var./local./module.: cannot tell
    }
    if (b.type === "module") {
      const passesAcs = b.attrs.some(
        (a) =>
          !META_ARGS.has(a.key) &&
          leavesOf(a.value)
            .flatMap(references)
            .some((r) => ctx.acsAddresses.has(r.parts.slice(0, 2).join("."))),
      );
      if (passesAcs) ctx.coversAll = true;
    }
  }
}

function dirContext(
  dir: string,
  host: IacHost | undefined,
  single: { path: string; source: string } | undefined,
  depth: number,
): DirContext {
  const cache = host === undefined ? undefined : (dirCache.get(host) ?? dirCache.set(host, new Map()).get(host)!);
  const cached = cache?.get(dir);
  if (cached !== undefined) return cached;
  const ctx: DirContext = {
    files: [],
    unanalysed: [],
    keyLocals: new Map(),
    moduleKeyOutputs: new Map(),
    unreadableModules: new Map(),
    listKeysActions: new Set(),
    acsAddresses: new Set(),
    covered: new Set(),
    coversAll: false,
    keyOutputs: new Set(),
  };
  readDirectory(ctx, dir, host, single);
  cache?.set(dir, ctx); // before recursion: a module cycle sees the partial context
  const blocks = ctx.files.flatMap((f) => f.root.blocks);
  collectAcs(ctx, blocks);
  collectModules(ctx, blocks, dir, host, depth);
  resolveLocals(ctx, blocks);
  collectOutputsAndDiagnostics(ctx, blocks);
  return ctx;
}

function taintOf(expr: Expr, ctx: DirContext): string | undefined {
  const refs = references(expr);
  // [for s in azurerm_communication_service.acs : s.primary_key] / { for k, s in … : k => s.primary_key }
  const over = refs.find((r) => r.parts[0] === "azurerm_communication_service" && r.parts.length === 2);
  if (
    over !== undefined &&
    expr.some((t, k) => t.type === "identifier" && KEY_ATTRIBUTES.has(t.text) && expr[k - 1]?.text === ".")
  ) {
    return `azurerm_communication_service.${over.parts[1]} (iterated).${expr.find((t, k) => t.type === "identifier" && KEY_ATTRIBUTES.has(t.text) && expr[k - 1]?.text === ".")!.text}`;
  }
  for (const r of refs) {
    const [a, b, c, d] = r.parts;
    if (a === "azurerm_communication_service" && c !== undefined && KEY_ATTRIBUTES.has(c))
      return `azurerm_communication_service.${b}.${c}`;
    if (a === "data" && b === "azurerm_communication_service" && d !== undefined && KEY_ATTRIBUTES.has(d))
      return `data.azurerm_communication_service.${c}.${d}`;
    if (a === "local" && b !== undefined && ctx.keyLocals.has(b)) return `local.${b} (${ctx.keyLocals.get(b)!})`;
    if (a === "module" && b !== undefined && c !== undefined && ctx.moduleKeyOutputs.get(b)?.has(c) === true)
      return `module.${b}.${c}`;
    if (
      a === "module" &&
      b !== undefined &&
      c !== undefined &&
      ctx.unreadableModules.has(b) &&
      unreadableModuleOutputCarriesKey(ctx.unreadableModules.get(b)!, c)
    ) {
      return `module.${b}.${c} (module not read; named like an ACS key)`;
    }
    if (a === "azapi_resource_action" && ctx.listKeysActions.has(`${a}.${b}`)) return `${a}.${b}.output (listKeys)`;
    if (a === "data" && ctx.listKeysActions.has(`data.${b}.${c}`)) return `data.${b}.${c}.output (listKeys)`;
  }
  return undefined;
}

/** The parsed file `path` of its directory's context. @throws what its parser threw, when it cannot be parsed */
function ownRoot(ctx: DirContext, path: string, source: string): HclBlock {
  const failed = ctx.unanalysed.find((f) => f.path === path);
  if (failed !== undefined) throw failed.error;
  return ctx.files.find((f) => f.path === path)?.root ?? parseFile(path, source);
}

/** The files the context left out, but for `path` itself, each once (a module cycle can list one twice). */
function othersUnanalysed(ctx: DirContext, path: string): UnanalysedFile[] {
  const byPath = new Map(ctx.unanalysed.map((f) => [f.path, f] as const));
  return [...byPath.values()].filter((f) => f.path !== path);
}

/**
 * Analyses one Terraform file. With a host, the other files of its directory and local child modules are read too
 * (one that cannot be parsed is left out, and listed in the model's `unanalysed`); flows and resources are reported
 * for this file only.
 * @throws what its parser threw when this file itself cannot be parsed (a JsonSyntaxError, a RangeError, …)
 */
export function analyseTerraform(path: string, source: string, host?: IacHost): IacModel {
  const dir = dirname(path);
  const ctx = dirContext(dir, host, { path, source }, 0);
  const own = ownRoot(ctx, path, source);
  const model: IacModel = { language: "terraform", resources: [], flows: [], unanalysed: othersUnanalysed(ctx, path) };
  const taint = (e: Expr) => taintOf(e, ctx);
  const flow = (sink: SinkKind, name: string, at: IacPosition, via: string, secure = false): KeyFlow => ({
    sink,
    name,
    at,
    via,
    secure,
  });
  for (const b of own.blocks) {
    if (b.type === "output") {
      const v = attr(b, "value");
      const via =
        v === undefined
          ? undefined
          : leavesOf(v)
              .map(taint)
              .find((x) => x !== undefined);
      if (via !== undefined)
        model.flows.push(flow("output", b.labels[0] ?? "", b.at, via, attrText(b, "sensitive") === "true"));
      continue;
    }
    if (b.type === "module") {
      for (const a of b.attrs) {
        if (META_ARGS.has(a.key)) continue;
        const via = leavesOf(a.value)
          .map(taint)
          .find((x) => x !== undefined);
        if (via !== undefined) model.flows.push(flow("module-parameter", `${b.labels[0]}.${a.key}`, a.at, via));
      }
      continue;
    }
    if (b.type !== "resource") continue;
    const [type = "", name = ""] = b.labels;
    const address = `${type}.${name}`;
    if (type === "azurerm_communication_service") {
      model.resources.push({
        name: address,
        at: b.at,
        provider: "azurerm",
        disablesLocalAuth: false,
        disableLocalAuthUnknown: false,
        hasDiagnostics: ctx.coversAll || ctx.covered.has(address),
      });
      continue;
    }
    if (type === "azapi_resource") {
      const armType = attrText(b, "type") ?? "";
      const bodyValue = attr(b, "body");
      if (armType.toLowerCase().startsWith(`${ACS_TYPE}@`)) {
        model.resources.push({
          ...azapiLocalAuth(bodyValue),
          name: address,
          at: b.at,
          provider: "azapi",
          apiVersion: armType.split("@")[1],
          hasDiagnostics: ctx.coversAll || ctx.covered.has(address),
        });
        continue;
      }
      if (bodyValue !== undefined) {
        const nameText = attrText(b, "name") ?? name;
        for (const f of resourceFlows(armType.split("@")[0], nameText, bodyValue, taint, stringLiteral))
          model.flows.push({ ...f, secure: false });
      }
      continue;
    }
    collectResourceFlows(type, b, [], taint, model.flows);
  }
  return model;
}

function azapiLocalAuth(body: Value | undefined): Pick<AcsResource, "disablesLocalAuth" | "disableLocalAuthUnknown"> {
  if (body === undefined) return { disablesLocalAuth: false, disableLocalAuthUnknown: false };
  // body = var.body / local.acs_body: cannot tell
  if (
    body.kind === "leaf" &&
    body.expr.length > 0 &&
    body.expr.every(
      (t) =>
        t.type === "identifier" ||
        t.text === "." ||
        t.text === "[" ||
        t.text === "]" ||
        t.type === "string" ||
        t.type === "number",
    )
  ) {
    return { disablesLocalAuth: false, disableLocalAuthUnknown: true };
  }
  const dla = entryOf(entryOf(body, "properties"), "disableLocalAuth");
  if (dla?.kind === "leaf") {
    const t = text(dla.expr);
    return { disablesLocalAuth: t === "true", disableLocalAuthUnknown: t !== "true" && t !== "false" };
  }
  // jsonencode({ properties = { disableLocalAuth = true } }) or a heredoc: look at the tokens.
  const all = leavesOf(body).flat();
  for (let k = 0; k < all.length; k++) {
    const t = all[k];
    const isKey =
      (t.type === "identifier" && t.text === "disableLocalAuth") ||
      (t.type === "string" && hclStringValue(t) === "disableLocalAuth");
    if (isKey && (all[k + 1]?.text === "=" || all[k + 1]?.text === ":")) {
      const v = all[k + 2]?.text;
      return { disablesLocalAuth: v === "true", disableLocalAuthUnknown: v !== "true" && v !== "false" };
    }
    if (t.type === "heredoc" && /"disableLocalAuth"\s*:\s*true/.test(t.text))
      return { disablesLocalAuth: true, disableLocalAuthUnknown: false };
  }
  return { disablesLocalAuth: false, disableLocalAuthUnknown: false };
}

function collectResourceFlows(
  type: string,
  b: HclBlock,
  path: string[],
  taint: (e: Expr) => string | undefined,
  out: KeyFlow[],
): void {
  const blockName = attrText(b, "name");
  for (const a of b.attrs) {
    const here = [...path, a.key];
    const visit = (value: Value, entryName: string | undefined) => {
      if (value.kind === "object") {
        for (const e of value.entries) visit(e.value, e.key);
        return;
      }
      if (value.kind === "array") {
        for (const item of value.items) {
          const n = entryOf(item, "name");
          visit(item, n?.kind === "leaf" ? (stringLiteral(n.expr) ?? entryName) : entryName);
        }
        return;
      }
      const via = taint(value.expr);
      if (via === undefined) return;
      const hit = classifyTerraform(type, here, entryName, blockName);
      out.push({ sink: hit.sink, name: hit.name, at: value.at, via, secure: false });
    };
    visit(a.value, undefined);
  }
  for (const child of b.blocks) collectResourceFlows(type, child, [...path, child.type], taint, out);
}
