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
import type { TreeValue } from "./armSinks.js";
import { hclStringValue, tokenizeHcl } from "./hclTokenizer.js";
import type { HclToken } from "./hclTokenizer.js";
import { parseJsonTree } from "./armJson.js";
import type { JsonTree } from "./armJson.js";
import { ACS_TYPE, unreadableModuleOutputCarriesKey } from "./model.js";
import type { AcsResource, IacHost, IacModel, IacPosition, KeyFlow, SinkKind } from "./model.js";

type Expr = HclToken[];
type Value = TreeValue<Expr>;

export interface HclBlock {
  type: string;
  labels: string[];
  at: IacPosition;
  attrs: { key: string; at: IacPosition; value: Value }[];
  blocks: HclBlock[];
}

const OPEN = new Set(["(", "[", "{"]);
const CLOSE = new Set([")", "]", "}"]);
const pos = (t: HclToken | undefined): IacPosition => ({ line: t?.line ?? 1, column: t?.column ?? 1 });

/** Parses HCL native syntax into blocks and attributes. Never throws. */
export function parseHcl(source: string): HclBlock {
  const tokens = tokenizeHcl(source).filter((t) => t.type !== "ws" && t.type !== "comment");
  let i = 0;
  const peek = (k = 0) => tokens[i + k];
  const isPunct = (t: HclToken | undefined, p: string) => t?.type === "punct" && t.text === p;
  const skipNewlines = () => {
    while (peek()?.type === "newline") i++;
  };
  const expression = (stopAtColon = false): Expr => {
    const out: Expr = [];
    let depth = 0;
    let interp = 0;
    while (i < tokens.length) {
      const t = tokens[i];
      if (t.type === "string-head") interp++;
      if (t.type === "string-tail") interp--;
      if (depth === 0 && interp <= 0) {
        if (t.type === "newline" || (t.type === "punct" && (t.text === "," || CLOSE.has(t.text)))) break;
        if (stopAtColon && t.type === "punct" && (t.text === "=" || t.text === ":")) break;
      }
      if (t.type === "punct" && OPEN.has(t.text)) depth++;
      if (t.type === "punct" && CLOSE.has(t.text)) depth = Math.max(0, depth - 1);
      out.push(t);
      i++;
    }
    return out.filter((t) => t.type !== "newline");
  };
  const value = (): Value => {
    skipNewlines();
    const t = peek();
    if (isPunct(t, "{") && !(peek(1)?.type === "identifier" && peek(1)?.text === "for")) {
      const save = i;
      i++;
      const entries: { key: string; at: IacPosition; value: Value }[] = [];
      for (;;) {
        while (peek()?.type === "newline" || isPunct(peek(), ",")) i++;
        const k = peek();
        if (k === undefined) break;
        if (isPunct(k, "}")) {
          i++;
          return { kind: "object", entries, at: pos(t) };
        }
        const keyExpr = expression(true);
        if (!(isPunct(peek(), "=") || isPunct(peek(), ":")) || keyExpr.length === 0) {
          // Not an object constructor after all: treat the whole thing as one expression.
          i = save;
          break;
        }
        i++;
        const key = keyExpr.length === 1 && keyExpr[0].type === "string" ? hclStringValue(keyExpr[0]) : keyExpr.map((x) => x.text).join("").replace(/^\(|\)$/g, "");
        entries.push({ key, at: pos(keyExpr[0]), value: value() });
      }
    }
    if (isPunct(peek(), "[") && !(peek(1)?.type === "identifier" && peek(1)?.text === "for")) {
      const save = i;
      i++;
      const items: Value[] = [];
      for (;;) {
        while (peek()?.type === "newline" || isPunct(peek(), ",")) i++;
        const u = peek();
        if (u === undefined) break;
        if (isPunct(u, "]")) {
          i++;
          // An indexer or splat right after the tuple (`[...][0]`): one expression.
          if (isPunct(peek(), "[") || isPunct(peek(), ".")) {
            i = save;
            break;
          }
          return { kind: "array", items, at: pos(t) };
        }
        const before = i;
        items.push(value());
        if (i === before) i++;
      }
    }
    const expr = expression();
    return { kind: "leaf", expr, at: pos(expr[0] ?? t) };
  };
  const body = (type: string, labels: string[], at: IacPosition, nested: boolean): HclBlock => {
    const block: HclBlock = { type, labels, at, attrs: [], blocks: [] };
    while (i < tokens.length) {
      const t = tokens[i];
      if (t.type === "newline" || isPunct(t, ",")) {
        i++;
        continue;
      }
      if (isPunct(t, "}")) {
        i++;
        if (nested) return block;
        continue;
      }
      if (t.type === "identifier" && isPunct(peek(1), "=") && !isPunct(peek(1), "==")) {
        i += 2;
        block.attrs.push({ key: t.text, at: pos(t), value: value() });
        continue;
      }
      if (t.type === "identifier") {
        let k = 1;
        const blockLabels: string[] = [];
        while (peek(k)?.type === "string" || peek(k)?.type === "identifier") {
          const l = peek(k);
          blockLabels.push(l.type === "string" ? hclStringValue(l) : l.text);
          k++;
        }
        if (isPunct(peek(k), "{")) {
          i += k + 1;
          block.blocks.push(body(t.text, blockLabels, pos(t), true));
          continue;
        }
      }
      // Anything else: skip to the end of the line (error recovery).
      let depth = 0;
      while (i < tokens.length) {
        const u = tokens[i];
        if (u.type === "punct" && OPEN.has(u.text)) depth++;
        if (u.type === "punct" && CLOSE.has(u.text)) {
          if (depth === 0) {
            if (u.text !== "}") i++; // a stray `)` or `]`: consume it (a `}` closes the block above)
            break;
          }
          depth--;
        }
        if (u.type === "newline" && depth <= 0) break;
        i++;
      }
    }
    return block;
  };
  return body("", [], { line: 1, column: 1 }, false);
}

/** Terraform JSON syntax (`.tf.json`) → the same blocks (strings become template expressions). */
export function parseTerraformJson(source: string): HclBlock | undefined {
  let tree: JsonTree;
  try {
    tree = parseJsonTree(source);
  } catch {
    return undefined;
  }
  const toValue = (v: JsonTree): Value => {
    if (v.kind === "object") return { kind: "object", entries: v.entries.map((e) => ({ key: e.key, at: e.at, value: toValue(e.value) })), at: v.at };
    if (v.kind === "array") return { kind: "array", items: v.items.map(toValue), at: v.at };
    const text = typeof v.expr === "string" ? JSON.stringify(v.expr) : JSON.stringify(v.expr);
    const expr = tokenizeHcl(text)
      .filter((t) => t.type !== "ws")
      .map((t) => ({ ...t, line: v.at.line, column: v.at.column }));
    return { kind: "leaf", expr, at: v.at };
  };
  const root: HclBlock = { type: "", labels: [], at: { line: 1, column: 1 }, attrs: [], blocks: [] };
  if (tree.kind !== "object") return root;
  const asBlock = (type: string, labels: string[], v: JsonTree): HclBlock[] => {
    const items = v.kind === "array" ? v.items : [v];
    return items
      .filter((o) => o.kind === "object")
      .map((o) => {
        const b: HclBlock = { type, labels, at: o.at, attrs: [], blocks: [] };
        if (o.kind === "object") for (const e of o.entries) b.attrs.push({ key: e.key, at: e.at, value: toValue(e.value) });
        return b;
      });
  };
  for (const top of tree.entries) {
    if (top.value.kind !== "object" && top.value.kind !== "array") continue;
    if (top.key === "resource" || top.key === "data") {
      if (top.value.kind !== "object") continue;
      for (const byType of top.value.entries) {
        if (byType.value.kind !== "object") continue;
        for (const byName of byType.value.entries) root.blocks.push(...asBlock(top.key, [byType.key, byName.key], byName.value));
      }
    } else if (top.key === "output" || top.key === "module" || top.key === "variable") {
      if (top.value.kind !== "object") continue;
      for (const byName of top.value.entries) root.blocks.push(...asBlock(top.key, [byName.key], byName.value));
    } else if (top.key === "locals") {
      root.blocks.push(...asBlock("locals", [], top.value));
    }
  }
  return root;
}

const KEY_ATTRIBUTES = new Set(["primary_connection_string", "secondary_connection_string", "primary_key", "secondary_key"]);
const WEB_APP = /^azurerm_(?:(?:linux|windows)_(?:web|function)_app|app_service|function_app|logic_app_standard)(?:_slot)?$/;
const META_ARGS = new Set(["source", "version", "providers", "depends_on", "count", "for_each"]);

interface DirContext {
  files: { path: string; root: HclBlock }[];
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

const text = (e: Expr) => e.map((t) => t.text).join("");
const stringLiteral = (e: Expr) => (e.length === 1 && e[0].type === "string" ? hclStringValue(e[0]) : undefined);
function leavesOf(value: Value): Expr[] {
  if (value.kind === "leaf") return [value.expr];
  if (value.kind === "array") return value.items.flatMap(leavesOf);
  return value.entries.flatMap((e) => leavesOf(e.value));
}
const attr = (b: HclBlock, key: string) => b.attrs.find((a) => a.key === key)?.value;
const attrText = (b: HclBlock, key: string) => {
  const v = attr(b, key);
  return v?.kind === "leaf" ? (stringLiteral(v.expr) ?? text(v.expr)) : undefined;
};

function parseFile(path: string, source: string): HclBlock | undefined {
  return path.endsWith(".json") ? parseTerraformJson(source) : parseHcl(source);
}

/** Reference chains in an expression: `a.b[0].c` → ["a", "b", "c"] with the token of `a`. */
function references(expr: Expr): { parts: string[]; at: HclToken }[] {
  const out: { parts: string[]; at: HclToken }[] = [];
  for (let k = 0; k < expr.length; k++) {
    const t = expr[k];
    if (t.type === "heredoc") {
      // A heredoc is one token: look at the references inside its `${…}` interpolations only.
      for (const interpolation of t.text.matchAll(/\$\{([^}]*)\}/g)) {
        const inner = tokenizeHcl(interpolation[1]).filter((x) => x.type !== "ws" && x.type !== "comment");
        out.push(...references(inner).map((r) => ({ parts: r.parts, at: t })));
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

function dirContext(dir: string, host: IacHost | undefined, single: { path: string; source: string } | undefined, depth: number): DirContext {
  const cache = host === undefined ? undefined : (dirCache.get(host) ?? dirCache.set(host, new Map()).get(host)!);
  const cached = cache?.get(dir);
  if (cached !== undefined) return cached;
  const files: DirContext["files"] = [];
  if (host !== undefined) {
    for (const name of host.list(dir).sort()) {
      if (!name.endsWith(".tf") && !name.endsWith(".tf.json")) continue;
      const path = join(dir, name);
      const source = single !== undefined && path === single.path ? single.source : host.read(path);
      const root = source === undefined ? undefined : parseFile(path, source);
      if (root !== undefined) files.push({ path, root });
    }
  }
  if (single !== undefined && !files.some((f) => f.path === single.path)) {
    const root = parseFile(single.path, single.source);
    if (root !== undefined) files.push({ path: single.path, root });
  }
  const ctx: DirContext = {
    files,
    keyLocals: new Map(),
    moduleKeyOutputs: new Map(),
    unreadableModules: new Map(),
    listKeysActions: new Set(),
    acsAddresses: new Set(),
    covered: new Set(),
    coversAll: false,
    keyOutputs: new Set(),
  };
  cache?.set(dir, ctx); // before recursion: a module cycle sees the partial context
  const blocks = files.flatMap((f) => f.root.blocks);
  for (const b of blocks) {
    if (b.type === "resource" && b.labels[0] === "azurerm_communication_service") ctx.acsAddresses.add(`azurerm_communication_service.${b.labels[1]}`);
    if ((b.type === "resource" || b.type === "data") && b.labels[0] === "azapi_resource") {
      if (/^microsoft\.communication\/communicationservices@/i.test(attrText(b, "type") ?? "")) ctx.acsAddresses.add(`${b.type === "data" ? "data." : ""}azapi_resource.${b.labels[1]}`);
    }
  }
  for (const b of blocks) {
    if ((b.type === "resource" || b.type === "data") && b.labels[0] === "azapi_resource_action" && /^listkeys$/i.test(attrText(b, "action") ?? "")) {
      const type = attrText(b, "type") ?? "";
      const rid = attr(b, "resource_id");
      const ridText = rid?.kind === "leaf" ? text(rid.expr) : "";
      if (/^microsoft\.communication\/communicationservices@/i.test(type) || [...ctx.acsAddresses].some((a) => ridText.includes(a))) {
        ctx.listKeysActions.add(`${b.type === "data" ? "data." : ""}azapi_resource_action.${b.labels[1]}`);
      }
    }
    if (b.type === "module" && host !== undefined && depth < 8) {
      const source = attrText(b, "source");
      if (source !== undefined && /^\.\.?[/\\]/.test(source)) {
        const child = dirContext(resolve(dir, source), host, undefined, depth + 1);
        if (child.files.length > 0) ctx.moduleKeyOutputs.set(b.labels[0], child.keyOutputs);
        else ctx.unreadableModules.set(b.labels[0], `${b.labels[0]} ${source}`);
      } else ctx.unreadableModules.set(b.labels[0], `${b.labels[0]} ${source ?? ""}`);
    } else if (b.type === "module") {
      ctx.unreadableModules.set(b.labels[0], `${b.labels[0]} ${attrText(b, "source") ?? ""}`);
    }
  }
  const locals = blocks.filter((b) => b.type === "locals").flatMap((b) => b.attrs);
  for (let changed = true, rounds = 0; changed && rounds < 10; rounds++) {
    changed = false;
    for (const a of locals) {
      if (ctx.keyLocals.has(a.key)) continue;
      const via = leavesOf(a.value).map((e) => taintOf(e, ctx)).find((v) => v !== undefined);
      if (via !== undefined) {
        ctx.keyLocals.set(a.key, via);
        changed = true;
      }
    }
  }
  for (const b of blocks) {
    if (b.type === "output") {
      const v = attr(b, "value");
      if (v !== undefined && leavesOf(v).some((e) => taintOf(e, ctx) !== undefined)) ctx.keyOutputs.add(b.labels[0]);
    }
    const isDiag =
      (b.type === "resource" && b.labels[0] === "azurerm_monitor_diagnostic_setting") ||
      (b.type === "resource" && b.labels[0] === "azapi_resource" && /^microsoft\.insights\/diagnosticsettings@/i.test(attrText(b, "type") ?? ""));
    if (isDiag) {
      const target = attr(b, "target_resource_id") ?? attr(b, "parent_id");
      const refs = target === undefined ? [] : leavesOf(target).flatMap(references);
      const acsRef = refs.find((r) => ctx.acsAddresses.has(r.parts.slice(0, 2).join(".")) || ctx.acsAddresses.has(r.parts.slice(0, 3).join(".")));
      if (acsRef !== undefined) ctx.covered.add(ctx.acsAddresses.has(acsRef.parts.slice(0, 2).join(".")) ? acsRef.parts.slice(0, 2).join(".") : acsRef.parts.slice(0, 3).join("."));
      else if (!refs.some((r) => /^(azurerm|azapi)_/.test(r.parts[0]))) ctx.coversAll = true; // var./local./module.: cannot tell
    }
    if (b.type === "module") {
      const passesAcs = b.attrs.some((a) => !META_ARGS.has(a.key) && leavesOf(a.value).flatMap(references).some((r) => ctx.acsAddresses.has(r.parts.slice(0, 2).join("."))));
      if (passesAcs) ctx.coversAll = true;
    }
  }
  return ctx;
}

function taintOf(expr: Expr, ctx: DirContext): string | undefined {
  const refs = references(expr);
  // [for s in azurerm_communication_service.acs : s.primary_key] / { for k, s in … : k => s.primary_key }
  const over = refs.find((r) => r.parts[0] === "azurerm_communication_service" && r.parts.length === 2);
  if (over !== undefined && expr.some((t, k) => t.type === "identifier" && KEY_ATTRIBUTES.has(t.text) && expr[k - 1]?.text === ".")) {
    return `azurerm_communication_service.${over.parts[1]} (iterated).${expr.find((t, k) => t.type === "identifier" && KEY_ATTRIBUTES.has(t.text) && expr[k - 1]?.text === ".")!.text}`;
  }
  for (const r of refs) {
    const [a, b, c, d] = r.parts;
    if (a === "azurerm_communication_service" && c !== undefined && KEY_ATTRIBUTES.has(c)) return `azurerm_communication_service.${b}.${c}`;
    if (a === "data" && b === "azurerm_communication_service" && d !== undefined && KEY_ATTRIBUTES.has(d)) return `data.azurerm_communication_service.${c}.${d}`;
    if (a === "local" && b !== undefined && ctx.keyLocals.has(b)) return `local.${b} (${ctx.keyLocals.get(b)!})`;
    if (a === "module" && b !== undefined && c !== undefined && ctx.moduleKeyOutputs.get(b)?.has(c) === true) return `module.${b}.${c}`;
    if (a === "module" && b !== undefined && c !== undefined && ctx.unreadableModules.has(b) && unreadableModuleOutputCarriesKey(ctx.unreadableModules.get(b)!, c)) {
      return `module.${b}.${c} (module not read; named like an ACS key)`;
    }
    if (a === "azapi_resource_action" && ctx.listKeysActions.has(`${a}.${b}`)) return `${a}.${b}.output (listKeys)`;
    if (a === "data" && ctx.listKeysActions.has(`data.${b}.${c}`)) return `data.${b}.${c}.output (listKeys)`;
  }
  return undefined;
}

/**
 * Analyses one Terraform file. With a host, the other files of its directory and local child modules are read too;
 * flows and resources are reported for this file only.
 */
export function analyseTerraform(path: string, source: string, host?: IacHost): IacModel {
  const dir = dirname(path);
  const ctx = dirContext(dir, host, { path, source }, 0);
  const own = ctx.files.find((f) => f.path === path)?.root ?? parseFile(path, source);
  const model: IacModel = { language: "terraform", resources: [], flows: [] };
  if (own === undefined) return model;
  const taint = (e: Expr) => taintOf(e, ctx);
  const flow = (sink: SinkKind, name: string, at: IacPosition, via: string, secure = false): KeyFlow => ({ sink, name, at, via, secure });
  for (const b of own.blocks) {
    if (b.type === "output") {
      const v = attr(b, "value");
      const via = v === undefined ? undefined : leavesOf(v).map(taint).find((x) => x !== undefined);
      if (via !== undefined) model.flows.push(flow("output", b.labels[0] ?? "", b.at, via, attrText(b, "sensitive") === "true"));
      continue;
    }
    if (b.type === "module") {
      for (const a of b.attrs) {
        if (META_ARGS.has(a.key)) continue;
        const via = leavesOf(a.value).map(taint).find((x) => x !== undefined);
        if (via !== undefined) model.flows.push(flow("module-parameter", `${b.labels[0]}.${a.key}`, a.at, via));
      }
      continue;
    }
    if (b.type !== "resource") continue;
    const [type = "", name = ""] = b.labels;
    const address = `${type}.${name}`;
    if (type === "azurerm_communication_service") {
      model.resources.push({ name: address, at: b.at, provider: "azurerm", disablesLocalAuth: false, disableLocalAuthUnknown: false, hasDiagnostics: ctx.coversAll || ctx.covered.has(address) });
      continue;
    }
    if (type === "azapi_resource") {
      const armType = attrText(b, "type") ?? "";
      const bodyValue = attr(b, "body");
      if (armType.toLowerCase().startsWith(`${ACS_TYPE}@`)) {
        model.resources.push({ ...azapiLocalAuth(bodyValue), name: address, at: b.at, provider: "azapi", apiVersion: armType.split("@")[1], hasDiagnostics: ctx.coversAll || ctx.covered.has(address) });
        continue;
      }
      if (bodyValue !== undefined) {
        const nameText = attrText(b, "name") ?? name;
        for (const f of resourceFlows(armType.split("@")[0], nameText, bodyValue, taint, stringLiteral)) model.flows.push({ ...f, secure: false });
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
  if (body.kind === "leaf" && body.expr.length > 0 && body.expr.every((t) => t.type === "identifier" || t.text === "." || t.text === "[" || t.text === "]" || t.type === "string" || t.type === "number")) {
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
    const isKey = (t.type === "identifier" && t.text === "disableLocalAuth") || (t.type === "string" && hclStringValue(t) === "disableLocalAuth");
    if (isKey && (all[k + 1]?.text === "=" || all[k + 1]?.text === ":")) {
      const v = all[k + 2]?.text;
      return { disablesLocalAuth: v === "true", disableLocalAuthUnknown: v !== "true" && v !== "false" };
    }
    if (t.type === "heredoc" && /"disableLocalAuth"\s*:\s*true/.test(t.text)) return { disablesLocalAuth: true, disableLocalAuthUnknown: false };
  }
  return { disablesLocalAuth: false, disableLocalAuthUnknown: false };
}

function collectResourceFlows(type: string, b: HclBlock, path: string[], taint: (e: Expr) => string | undefined, out: KeyFlow[]): void {
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

function classifyTerraform(type: string, path: string[], entryName: string | undefined, blockName: string | undefined): { sink: SinkKind; name: string } {
  const [first] = path;
  const lastAttr = path[path.length - 1];
  if (WEB_APP.test(type) || /^azurerm_.*(?:app|function)/.test(type)) {
    if (first === "app_settings" || first === "site_config" && path.includes("app_settings")) return { sink: "app-setting", name: entryName ?? "app_settings" };
    if (first === "connection_string") return { sink: "connection-string-setting", name: blockName ?? "connection_string" };
  }
  if (path.includes("app_settings")) return { sink: "app-setting", name: entryName ?? "app_settings" };
  if (path.some((p) => p === "env" || /environment_variables$/.test(p))) return { sink: "container-env", name: entryName ?? blockName ?? "env" };
  if (type === "azurerm_container_app" || type === "azurerm_container_app_job") {
    if (path.includes("env")) return { sink: "container-env", name: blockName ?? "env" };
    if (first === "secret") return { sink: "container-env", name: `secret ${blockName ?? ""}`.trim() };
  }
  if (type === "azurerm_container_group" && /environment_variables$/.test(lastAttr ?? "")) return { sink: "container-env", name: entryName ?? lastAttr };
  if (type === "azurerm_key_vault_secret") return { sink: "key-vault-secret", name: blockName ?? "secret" };
  if (type === "azurerm_app_configuration_key") return { sink: "app-setting", name: attrTextFallback(blockName) };
  if (/^kubernetes_(secret|config_map)(_v1)?$/.test(type)) return { sink: "container-env", name: entryName ?? type };
  return { sink: "resource-property", name: `${type} ${path.join(".")}` };
}

const attrTextFallback = (n: string | undefined) => n ?? "key";
