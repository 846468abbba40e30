/**
 * Bicep → {@link IacModel}: parses the declarations (param, var, resource, module, output, existing) from the
 * tokenizer's output into value trees, follows ACS keys through symbols, `listKeys(...)`, variables and module
 * outputs (the module file is read and analysed too), and finds where they end up.
 */
import { resourceFlows, entryOf } from "./armSinks.js";
import type { TreeValue } from "./armSinks.js";
import { bicepStringValue, tokenizeBicep } from "./bicepTokenizer.js";
import type { BicepToken } from "./bicepTokenizer.js";
import { ACS_TYPE, unreadableModuleOutputCarriesKey } from "./model.js";
import type { AcsResource, IacFileReader, IacModel, IacPosition, KeyFlow } from "./model.js";

type Expr = BicepToken[];
type Value = TreeValue<Expr>;

interface Declaration {
  keyword: "param" | "var" | "output" | "resource" | "module";
  name: string;
  at: IacPosition;
  /** The resource type (`Microsoft.X/y@version`) or module path. */
  target?: string;
  existing: boolean;
  decorators: string[];
  /** `#disable-next-line` rules directly above the declaration, with the directive's position. */
  disabled: { rules: string[]; at: IacPosition } | undefined;
  /** The value after `=` (param default, var value, output value, resource/module body). */
  value: Value | undefined;
  /** Type tokens of a param/output (e.g. `string`). */
  typeText: string;
}

const pos = (t: BicepToken | undefined): IacPosition => ({ line: t?.line ?? 1, column: t?.column ?? 1 });
const OPEN = new Set(["(", "[", "{"]);
const CLOSE = new Set([")", "]", "}"]);

/** Parses the token stream into declarations. Never throws: unknown statements are skipped to the next line. */
export function parseBicep(source: string): Declaration[] {
  const tokens = tokenizeBicep(source).filter((t) => t.type !== "ws" && t.type !== "comment");
  let i = 0;
  const peek = (k = 0) => tokens[i + k];
  const isPunct = (t: BicepToken | undefined, p: string) => t?.type === "punct" && t.text === p;
  const skipNewlines = () => {
    while (peek()?.type === "newline") i++;
  };
  /** Tokens of an expression: up to a newline, `,` or closing bracket at depth 0 (inside brackets newlines are fine). */
  const expression = (): Expr => {
    const out: Expr = [];
    let depth = 0;
    let interp = 0;
    while (i < tokens.length) {
      const t = tokens[i];
      if (t.type === "string-head") interp++;
      if (t.type === "string-tail") interp--;
      if (depth === 0 && interp <= 0) {
        if (t.type === "newline" || (t.type === "punct" && (t.text === "," || CLOSE.has(t.text)))) break;
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
    if (t?.type === "identifier" && t.text === "if" && isPunct(peek(1), "(")) {
      // if (condition) { … }
      i++;
      let depth = 0;
      while (i < tokens.length) {
        const u = tokens[i++];
        if (isPunct(u, "(")) depth++;
        else if (isPunct(u, ")") && --depth === 0) break;
      }
      return value();
    }
    if (isPunct(t, "{")) {
      i++;
      const entries: { key: string; at: IacPosition; value: Value }[] = [];
      for (;;) {
        while (peek()?.type === "newline" || isPunct(peek(), ",")) i++;
        const k = peek();
        if (k === undefined) break;
        if (isPunct(k, "}")) {
          i++;
          break;
        }
        if (k.type === "directive") {
          i++;
          continue;
        }
        if ((k.type === "identifier" || k.type === "string") && isPunct(peek(1), ":")) {
          i += 2;
          entries.push({ key: k.type === "string" ? bicepStringValue(k) : k.text, at: pos(k), value: value() });
          continue;
        }
        // Not `key: value` (a spread `...x`, an error): keep its tokens as an unnamed leaf.
        const expr = expression();
        if (expr.length === 0) i++;
        else entries.push({ key: "", at: pos(expr[0]), value: { kind: "leaf", expr, at: pos(expr[0]) } });
      }
      return { kind: "object", entries, at: pos(t) };
    }
    if (isPunct(t, "[")) {
      i++;
      skipNewlines();
      if (peek()?.type === "identifier" && peek()?.text === "for") {
        // [for x in y: value] / [for (x, i) in y: value]
        let depth = 0;
        while (i < tokens.length) {
          const u = tokens[i];
          if (u.type === "punct" && OPEN.has(u.text)) depth++;
          if (u.type === "punct" && CLOSE.has(u.text)) depth--;
          i++;
          if (depth === 0 && isPunct(u, ":")) break;
        }
        const body = value();
        skipNewlines();
        if (isPunct(peek(), "]")) i++;
        return { kind: "array", items: [body], at: pos(t) };
      }
      const items: Value[] = [];
      for (;;) {
        while (peek()?.type === "newline" || isPunct(peek(), ",")) i++;
        const u = peek();
        if (u === undefined) break;
        if (isPunct(u, "]")) {
          i++;
          break;
        }
        const before = i;
        items.push(value());
        if (i === before) i++;
      }
      return { kind: "array", items, at: pos(t) };
    }
    const expr = expression();
    return { kind: "leaf", expr, at: pos(expr[0] ?? t) };
  };

  const declarations: Declaration[] = [];
  let decorators: string[] = [];
  let disabled: Declaration["disabled"];
  const toLineEnd = () => {
    let depth = 0;
    while (i < tokens.length) {
      const t = tokens[i];
      if (t.type === "punct" && OPEN.has(t.text)) depth++;
      if (t.type === "punct" && CLOSE.has(t.text)) depth--;
      if (t.type === "newline" && depth <= 0) break;
      i++;
    }
  };
  while (i < tokens.length) {
    const t = tokens[i];
    if (t.type === "newline") {
      i++;
      continue;
    }
    if (t.type === "directive") {
      const m = /^#disable-next-line\b(.*)$/i.exec(t.text);
      disabled = m !== null ? { rules: m[1].trim().split(/\s+/).filter(Boolean), at: pos(t) } : disabled;
      i++;
      continue;
    }
    if (isPunct(t, "@")) {
      // @name(…) or @sys.name(…)
      i++;
      let name = "";
      while (peek()?.type === "identifier" || isPunct(peek(), ".")) name += tokens[i++].text;
      decorators.push(name.replace(/^sys\./, ""));
      if (isPunct(peek(), "(")) {
        let depth = 0;
        while (i < tokens.length) {
          const u = tokens[i++];
          if (u.type === "punct" && OPEN.has(u.text)) depth++;
          if (u.type === "punct" && CLOSE.has(u.text) && --depth === 0) break;
        }
      }
      continue;
    }
    const keyword = t.type === "identifier" ? t.text : "";
    if (["param", "var", "output", "resource", "module"].includes(keyword) && peek(1)?.type === "identifier") {
      const name = tokens[i + 1];
      i += 2;
      const decl: Declaration = {
        keyword: keyword as Declaration["keyword"],
        name: name.text,
        at: pos(name),
        existing: false,
        decorators,
        disabled,
        value: undefined,
        typeText: "",
      };
      decorators = [];
      disabled = undefined;
      // Everything up to `=` (or the line end): the type of a param/output, the type string of a resource/module.
      const header: BicepToken[] = [];
      while (i < tokens.length && tokens[i].type !== "newline" && !isPunct(tokens[i], "=")) header.push(tokens[i++]);
      const str = header.find((h) => h.type === "string");
      if ((keyword === "resource" || keyword === "module") && str !== undefined) decl.target = bicepStringValue(str);
      if (keyword === "output" && header[0]?.text === "resource" && str !== undefined) decl.target = bicepStringValue(str);
      decl.existing = header.some((h) => h.type === "identifier" && h.text === "existing");
      decl.typeText = header.map((h) => h.text).join(" ");
      if (isPunct(peek(), "=")) {
        i++;
        decl.value = value();
      }
      declarations.push(decl);
      toLineEnd();
      continue;
    }
    decorators = [];
    disabled = undefined;
    toLineEnd();
  }
  return declarations;
}

const lower = (s: string | undefined) => (s ?? "").toLowerCase();
const typeOf = (target: string | undefined) => lower(target).split("@")[0];
const versionOf = (target: string | undefined) => (target ?? "").split("@")[1];
const exprText = (e: Expr) => e.map((t) => t.text).join("");

interface Analysis {
  model: IacModel;
  /** Outputs of this file that carry a key (for parents that use it as a module). */
  keyOutputs: Set<string>;
  hasDiagnosticSettings: boolean;
}

const MAX_MODULE_DEPTH = 8;
const ACS_KEY_PROPERTY = /^\.(primaryConnectionString|secondaryConnectionString|primaryKey|secondaryKey)$/i;

/** Analyses one Bicep file; modules with a relative path are read through `read` and analysed too. */
export function analyseBicep(file: string, source: string, read?: IacFileReader, depth = 0, seen = new Map<string, Analysis>()): Analysis {
  const decls = parseBicep(source);
  const resources = decls.filter((d) => d.keyword === "resource");
  const acsSymbols = new Set(resources.filter((d) => typeOf(d.target) === ACS_TYPE).map((d) => d.name));
  for (const d of decls) if (d.keyword === "param" && /resource\s*'microsoft\.communication\/communicationservices@/i.test(d.typeText.replace(/ /g, " "))) acsSymbols.add(d.name);
  const allSymbols = new Set(decls.map((d) => d.name));
  // Names an ACS resource is declared with (`name: acsName`): `listKeys(acsName, …)` refers to it.
  const acsNameTexts = new Set<string>();
  for (const d of resources) {
    if (!acsSymbols.has(d.name)) continue;
    const n = entryOf(d.value, "name");
    if (n?.kind === "leaf" && n.expr.length > 0) acsNameTexts.add(exprText(n.expr));
  }
  // Variables that hold an ACS resource id (`var acsId = resourceId('Microsoft.Communication/…', name)`).
  const acsIdVars = new Set<string>();
  const keyVars = new Map<string, string>();
  const moduleKeyOutputs = new Map<string, Set<string>>();
  const moduleAnalyses = new Map<string, Analysis | undefined>();
  const unreadableModules = new Map<string, string>();
  const modules = decls.filter((d) => d.keyword === "module");
  for (const m of modules) {
    let child: Analysis | undefined;
    const path = m.target;
    if (read !== undefined && path !== undefined && depth < MAX_MODULE_DEPTH && !/^[a-z]+:/i.test(path)) {
      const found = read(file, path);
      if (found !== undefined) {
        child = seen.get(found.path);
        if (child === undefined && !seen.has(found.path)) {
          seen.set(found.path, undefined as unknown as Analysis); // cycle guard
          child = analyseBicep(found.path, found.text, read, depth + 1, seen);
          seen.set(found.path, child);
        }
      }
    }
    moduleAnalyses.set(m.name, child);
    if (child !== undefined) moduleKeyOutputs.set(m.name, child.keyOutputs);
    else unreadableModules.set(m.name, `${m.name} ${m.target ?? ""}`);
  }

  const refersToAcs = (expr: Expr): boolean => {
    const text = exprText(expr);
    if (/microsoft\.communication\/communicationservices['@/]/i.test(text)) return true;
    for (let k = 0; k < expr.length; k++) {
      const t = expr[k];
      if (t.type !== "identifier" || (k > 0 && (expr[k - 1].text === "." || expr[k - 1].text === ".?"))) continue;
      if (acsSymbols.has(t.text) || acsIdVars.has(t.text)) return true;
    }
    return acsNameTexts.has(text);
  };

  /** What carries a key in `expr`, or undefined. */
  const taint = (expr: Expr): string | undefined => {
    for (let k = 0; k < expr.length; k++) {
      const t = expr[k];
      if (t.type !== "identifier") continue;
      const afterDot = k > 0 && (expr[k - 1].text === "." || expr[k - 1].text === ".?");
      // acs.listKeys(…) / acs[0].listKeys(…)
      if (afterDot && lower(t.text) === "listkeys" && expr[k + 1]?.text === "(") {
        let j = k - 2;
        if (expr[j]?.text === "]") {
          let depth = 0;
          for (; j >= 0; j--) {
            if (expr[j].text === "]") depth++;
            if (expr[j].text === "[" && --depth === 0) {
              j--;
              break;
            }
          }
        }
        const owner = expr[j];
        if (owner?.type === "identifier" && acsSymbols.has(owner.text)) return `${owner.text}.listKeys()${propertyAfterCall(expr, k + 1)}`;
        if (lower(owner?.text) !== "az") continue; // az.listKeys(…): the function form below
      }
      // listKeys(x, version) / az.listKeys(…)
      if (lower(t.text) === "listkeys" && expr[k + 1]?.text === "(" && (!afterDot || lower(expr[k - 2]?.text) === "az")) {
        const arg = firstArgument(expr, k + 1);
        const property = propertyAfterCall(expr, k + 1);
        if (refersToAcs(arg)) return `listKeys(${exprText(arg).slice(0, 80)})${property}`;
        // A resource id from elsewhere (a parameter, an output) named like ACS, read for an ACS key property.
        if (/acs|communication/i.test(exprText(arg)) && ACS_KEY_PROPERTY.test(property)) return `listKeys(${exprText(arg).slice(0, 80)})${property} (named like an ACS resource)`;
        continue;
      }
      if (afterDot) continue;
      // module.outputs.name / module.outputs['name']
      if ((moduleKeyOutputs.has(t.text) || unreadableModules.has(t.text)) && expr[k + 1]?.text === "." && lower(expr[k + 2]?.text) === "outputs") {
        const next = expr[k + 3]?.text === "." || expr[k + 3]?.text === ".?" ? expr[k + 4] : expr[k + 3]?.text === "[" ? expr[k + 4] : undefined;
        const out = next === undefined ? undefined : next.type === "string" ? bicepStringValue(next) : next.text;
        if (out !== undefined && moduleKeyOutputs.get(t.text)?.has(out) === true) return `${t.text}.outputs.${out}`;
        if (out !== undefined && unreadableModules.has(t.text) && unreadableModuleOutputCarriesKey(unreadableModules.get(t.text)!, out)) return `${t.text}.outputs.${out} (module not read; named like an ACS key)`;
        continue;
      }
      const v = keyVars.get(t.text);
      if (v !== undefined) return `var ${t.text} (${v})`;
    }
    return undefined;
  };

  // Variables: to a fixed point (a var may use another var declared later).
  const vars = decls.filter((d) => d.keyword === "var");
  for (let changed = true, rounds = 0; changed && rounds < 10; rounds++) {
    changed = false;
    for (const d of vars) {
      if (d.value === undefined) continue;
      const leaves = leavesOf(d.value);
      if (!acsIdVars.has(d.name) && !keyVars.has(d.name) && leaves.some((e) => !/listkeys/i.test(exprText(e)) && refersToAcs(e))) {
        acsIdVars.add(d.name);
        changed = true;
      }
      if (!keyVars.has(d.name)) {
        for (const e of leaves) {
          const via = taint(e);
          if (via !== undefined) {
            keyVars.set(d.name, via);
            changed = true;
            break;
          }
        }
      }
    }
  }

  const flows: KeyFlow[] = [];
  const keyOutputs = new Set<string>();
  const literal = (e: Expr) => (e.length === 1 && e[0].type === "string" ? bicepStringValue(e[0]) : undefined);
  for (const d of decls) {
    if (d.value === undefined) continue;
    const suppressed = d.disabled?.rules.some((r) => lower(r) === "outputs-should-not-contain-secrets") === true ? d.disabled.at : undefined;
    if (d.keyword === "output") {
      const via = leavesOf(d.value).map(taint).find((v) => v !== undefined);
      if (via !== undefined) {
        keyOutputs.add(d.name);
        flows.push({ sink: "output", name: d.name, at: d.at, via, secure: d.decorators.includes("secure"), suppressedAt: suppressed });
      }
    } else if (d.keyword === "resource" && !d.existing) {
      const nameValue = entryOf(d.value, "name");
      const nameText = nameValue?.kind === "leaf" ? exprText(nameValue.expr) : "";
      for (const f of resourceFlows(typeOf(d.target), nameText, bodyOf(d.value), taint, literal)) {
        flows.push({ ...f, secure: false, suppressedAt: suppressed });
      }
    } else if (d.keyword === "module") {
      const params = entryOf(bodyOf(d.value), "params");
      if (params?.kind === "object") {
        for (const e of params.entries) {
          const via = leavesOf(e.value).map(taint).find((v) => v !== undefined);
          if (via !== undefined) flows.push({ sink: "module-parameter", name: `${d.name}.${e.key}`, at: e.at, via, secure: false, suppressedAt: suppressed });
        }
      }
    }
  }

  // Diagnostic settings: scoped to an ACS symbol, or to something we cannot resolve (then assume it is covered).
  const covered = new Set<string>();
  let coversAll = false;
  let hasDiagnosticSettings = false;
  for (const d of resources) {
    const type = typeOf(d.target);
    if (type === "microsoft.insights/diagnosticsettings") {
      hasDiagnosticSettings = true;
      const scope = entryOf(bodyOf(d.value), "scope");
      if (scope?.kind !== "leaf") continue; // no scope: the deployment's own scope, not the ACS resource
      const first = scope.expr.find((t) => t.type === "identifier");
      if (first !== undefined && acsSymbols.has(first.text)) covered.add(first.text);
      else if (first === undefined || !allSymbols.has(first.text) || !resources.some((r) => r.name === first.text)) coversAll = true;
    } else if (type.startsWith(`${ACS_TYPE}/providers/diagnosticsettings`)) {
      hasDiagnosticSettings = true;
      coversAll = true;
    }
  }
  for (const m of modules) {
    const params = entryOf(bodyOf(m.value), "params");
    const passesAcs = params?.kind === "object" && params.entries.some((e) => leavesOf(e.value).some((x) => x.some((t) => t.type === "identifier" && acsSymbols.has(t.text))));
    const child = moduleAnalyses.get(m.name);
    if (passesAcs && (child === undefined || child.hasDiagnosticSettings)) coversAll = true;
    if (child?.hasDiagnosticSettings === true) hasDiagnosticSettings = true;
  }

  const acsResources: AcsResource[] = [];
  for (const d of resources) {
    if (typeOf(d.target) !== ACS_TYPE || d.existing) continue;
    const props = entryOf(bodyOf(d.value), "properties");
    const dla = entryOf(props, "disableLocalAuth");
    let disables = false;
    // properties given as an expression (a variable, union(...)), or a spread inside them: cannot tell.
    let unknown = props?.kind === "leaf" || (props?.kind === "object" && props.entries.some((e) => e.key === ""));
    if (dla?.kind === "leaf") {
      const text = exprText(dla.expr);
      if (text === "true") disables = true;
      else if (text !== "false") {
        const param = decls.find((p) => p.keyword === "param" && p.name === text);
        const def = param?.value?.kind === "leaf" ? exprText(param.value.expr) : undefined;
        if (def === "true") disables = true;
        else if (def !== "false") unknown = true;
      }
    }
    acsResources.push({
      name: d.name,
      at: d.at,
      provider: "bicep",
      apiVersion: versionOf(d.target),
      disablesLocalAuth: disables,
      disableLocalAuthUnknown: unknown,
      hasDiagnostics: coversAll || covered.has(d.name),
    });
  }
  return { model: { language: "bicep", resources: acsResources, flows }, keyOutputs, hasDiagnosticSettings };
}

/** A resource/module value may be `if (…) {…}` (already unwrapped) or `[for …: {…}]`: the object inside. */
function bodyOf(value: Value | undefined): Value {
  if (value?.kind === "array" && value.items.length === 1 && value.items[0].kind === "object") return value.items[0];
  return value ?? { kind: "object", entries: [], at: { line: 1, column: 1 } };
}

function leavesOf(value: Value): Expr[] {
  if (value.kind === "leaf") return [value.expr];
  if (value.kind === "array") return value.items.flatMap(leavesOf);
  return value.entries.flatMap((e) => leavesOf(e.value));
}

/** Tokens of the first argument of the call whose `(` is at `open`. */
function firstArgument(expr: Expr, open: number): Expr {
  const out: Expr = [];
  let depth = 0;
  for (let k = open + 1; k < expr.length; k++) {
    const t = expr[k];
    if (t.type === "punct" && OPEN.has(t.text)) depth++;
    if (t.type === "punct" && CLOSE.has(t.text)) {
      if (depth === 0) break;
      depth--;
    }
    if (depth === 0 && t.text === ",") break;
    out.push(t);
  }
  return out;
}

/** `.primaryConnectionString` (or `['primaryKey']`) after the call whose `(` is at `open`, for messages. */
function propertyAfterCall(expr: Expr, open: number): string {
  let depth = 0;
  for (let k = open; k < expr.length; k++) {
    const t = expr[k];
    if (t.type === "punct" && OPEN.has(t.text)) depth++;
    if (t.type === "punct" && CLOSE.has(t.text) && --depth === 0) {
      const a = expr[k + 1];
      const b = expr[k + 2];
      if ((a?.text === "." || a?.text === ".?") && b?.type === "identifier") return `.${b.text}`;
      if (a?.text === "[" && b?.type === "string") return `.${bicepStringValue(b)}`;
      return "";
    }
  }
  return "";
}
