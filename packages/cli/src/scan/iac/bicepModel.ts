/**
 * Bicep → {@link IacModel}: takes the declarations `bicepParser.ts` reads, follows ACS keys through symbols,
 * `listKeys(...)`, variables and module outputs (the module file is read and analysed too), and finds where they end
 * up.
 */
import { entryOf, resourceFlows } from "./armSinks.js";
import type { Declaration, Expr, Value } from "./bicepParser.js";
import { parseBicep } from "./bicepParser.js";
import { bicepStringValue } from "./bicepTokenizer.js";
import { ACS_TYPE, unreadableModuleOutputCarriesKey } from "./model.js";
import type { AcsResource, IacFileReader, IacModel, KeyFlow, UnanalysedFile } from "./model.js";
import { CLOSE, OPEN, exprText, leavesOf } from "./modelCore.js";
import { checkTemplateDepth } from "./templateDepth.js";

const lower = (s: string | undefined) => (s ?? "").toLowerCase();
const typeOf = (target: string | undefined) => lower(target).split("@")[0];
const versionOf = (target: string | undefined) => (target ?? "").split("@")[1];
const afterDot = (expr: Expr, k: number) => k > 0 && (expr[k - 1].text === "." || expr[k - 1].text === ".?");

/** What one Bicep file yields, for itself and for parents that use it as a module. */
export interface Analysis {
  model: IacModel;
  /** Outputs of this file that carry a key (for parents that use it as a module). */
  keyOutputs: Set<string>;
  hasDiagnosticSettings: boolean;
}

const MAX_MODULE_DEPTH = 8;
const ACS_KEY_PROPERTY = /^\.(primaryConnectionString|secondaryConnectionString|primaryKey|secondaryKey)$/i;

/** The symbols of one file and what is known about them. */
class BicepFile {
  readonly resources: Declaration[];
  readonly modules: Declaration[];
  readonly acsSymbols: Set<string>;
  readonly allSymbols: Set<string>;
  /** Names an ACS resource is declared with (`name: acsName`): `listKeys(acsName, …)` refers to it. */
  readonly acsNameTexts = new Set<string>();
  /** Variables that hold an ACS resource id (`var acsId = resourceId('Microsoft.Communication/…', name)`). */
  readonly acsIdVars = new Set<string>();
  readonly keyVars = new Map<string, string>();
  readonly moduleKeyOutputs = new Map<string, Set<string>>();
  readonly moduleAnalyses = new Map<string, Analysis | undefined>();
  readonly unreadableModules = new Map<string, string>();
  /** Module files (of any depth) that could not be parsed: each is then an unread module. */
  readonly unanalysed: UnanalysedFile[] = [];

  constructor(readonly decls: Declaration[]) {
    this.resources = decls.filter((d) => d.keyword === "resource");
    this.modules = decls.filter((d) => d.keyword === "module");
    this.acsSymbols = new Set(this.resources.filter((d) => typeOf(d.target) === ACS_TYPE).map((d) => d.name));
    for (const d of decls)
      if (d.keyword === "param" && /resource\s*'microsoft\.communication\/communicationservices@/i.test(d.typeText))
        this.acsSymbols.add(d.name);
    this.allSymbols = new Set(decls.map((d) => d.name));
    for (const d of this.resources) {
      if (!this.acsSymbols.has(d.name)) continue;
      const n = entryOf(d.value, "name");
      if (n?.kind === "leaf" && n.expr.length > 0) this.acsNameTexts.add(exprText(n.expr));
    }
  }

  /** Reads and analyses the modules with a relative path. */
  readModules(file: string, read: IacFileReader | undefined, depth: number, seen: Map<string, Analysis>): void {
    for (const m of this.modules) {
      const path = m.target;
      const readable = read !== undefined && path !== undefined && depth < MAX_MODULE_DEPTH && !/^[a-z]+:/i.test(path);
      const child = readable ? this.readModule(read(file, path), read, depth, seen) : undefined;
      this.moduleAnalyses.set(m.name, child);
      if (child !== undefined) this.moduleKeyOutputs.set(m.name, child.keyOutputs);
      else this.unreadableModules.set(m.name, `${m.name} ${m.target ?? ""}`);
    }
  }

  /**
   * The analysis of a module file, once per file (a cycle gets undefined); undefined too when it cannot be parsed
   * (nested too deep): that file is added to `unanalysed`, and the module is unread, not the whole analysis lost.
   */
  private readModule(
    found: { path: string; text: string } | undefined,
    read: IacFileReader,
    depth: number,
    seen: Map<string, Analysis>,
  ): Analysis | undefined {
    if (found === undefined) return undefined;
    if (seen.has(found.path)) return seen.get(found.path);
    seen.set(found.path, undefined as unknown as Analysis); // cycle guard
    try {
      checkTemplateDepth(found.text);
      const child = analyseBicep(found.path, found.text, read, depth + 1, seen);
      seen.set(found.path, child);
      this.unanalysed.push(...(child.model.unanalysed ?? []));
      return child;
    } catch (error) {
      this.unanalysed.push({ path: found.path, error });
      return undefined;
    }
  }

  refersToAcs(expr: Expr): boolean {
    const text = exprText(expr);
    if (/microsoft\.communication\/communicationservices['@/]/i.test(text)) return true;
    for (let k = 0; k < expr.length; k++) {
      const t = expr[k];
      if (t.type !== "identifier" || afterDot(expr, k)) continue;
      if (this.acsSymbols.has(t.text) || this.acsIdVars.has(t.text)) return true;
    }
    return this.acsNameTexts.has(text);
  }

  /** `acs.listKeys(…)` / `acs[0].listKeys(…)` at `k`: the key it reads; `null` for `az.listKeys`; else undefined. */
  private methodListKeys(expr: Expr, k: number): string | null | undefined {
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
    if (owner?.type === "identifier" && this.acsSymbols.has(owner.text))
      return `${owner.text}.listKeys()${propertyAfterCall(expr, k + 1)}`;
    return lower(owner?.text) === "az" ? null : undefined;
  }

  /** `listKeys(x, version)` / `az.listKeys(…)` at `k`: the key it reads, or undefined. */
  private functionListKeys(expr: Expr, k: number): string | undefined {
    const arg = firstArgument(expr, k + 1);
    const property = propertyAfterCall(expr, k + 1);
    if (this.refersToAcs(arg)) return `listKeys(${exprText(arg).slice(0, 80)})${property}`;
    // A resource id from elsewhere (a parameter, an output) named like ACS, read for an ACS key property.
    if (/acs|communication/i.test(exprText(arg)) && ACS_KEY_PROPERTY.test(property))
      return `listKeys(${exprText(arg).slice(0, 80)})${property} (named like an ACS resource)`;
    return undefined;
  }

  /** `module.outputs.name` / `module.outputs['name']` at `k`: the key output it reads, or undefined. */
  private moduleOutput(expr: Expr, k: number): string | undefined {
    const name = expr[k].text;
    const dot = expr[k + 3]?.text === "." || expr[k + 3]?.text === ".?";
    const next = dot || expr[k + 3]?.text === "[" ? expr[k + 4] : undefined;
    const out = next === undefined ? undefined : next.type === "string" ? bicepStringValue(next) : next.text;
    if (out === undefined) return undefined;
    if (this.moduleKeyOutputs.get(name)?.has(out) === true) return `${name}.outputs.${out}`;
    const unreadable = this.unreadableModules.get(name);
    if (unreadable !== undefined && unreadableModuleOutputCarriesKey(unreadable, out))
      return `${name}.outputs.${out} (module not read; named like an ACS key)`;
    return undefined;
  }

  /** What carries a key in `expr`, or undefined. */
  taint(expr: Expr): string | undefined {
    for (let k = 0; k < expr.length; k++) {
      const t = expr[k];
      if (t.type !== "identifier") continue;
      const dotted = afterDot(expr, k);
      const call = lower(t.text) === "listkeys" && expr[k + 1]?.text === "(";
      if (dotted && call) {
        const via = this.methodListKeys(expr, k);
        if (via !== null) {
          if (via !== undefined) return via;
          continue;
        }
      }
      if (call && (!dotted || lower(expr[k - 2]?.text) === "az")) {
        const via = this.functionListKeys(expr, k);
        if (via !== undefined) return via;
        continue;
      }
      if (dotted) continue;
      const isModule = this.moduleKeyOutputs.has(t.text) || this.unreadableModules.has(t.text);
      if (isModule && expr[k + 1]?.text === "." && lower(expr[k + 2]?.text) === "outputs") {
        const via = this.moduleOutput(expr, k);
        if (via !== undefined) return via;
        continue;
      }
      const v = this.keyVars.get(t.text);
      if (v !== undefined) return `var ${t.text} (${v})`;
    }
    return undefined;
  }

  /** Variables: to a fixed point (a var may use another var declared later). */
  resolveVariables(): void {
    const vars = this.decls.filter((d) => d.keyword === "var");
    for (let changed = true, rounds = 0; changed && rounds < 10; rounds++) {
      changed = false;
      for (const d of vars) {
        if (d.value === undefined) continue;
        const leaves = leavesOf(d.value);
        const holdsId = leaves.some((e) => !/listkeys/i.test(exprText(e)) && this.refersToAcs(e));
        if (!this.acsIdVars.has(d.name) && !this.keyVars.has(d.name) && holdsId) {
          this.acsIdVars.add(d.name);
          changed = true;
        }
        if (this.keyVars.has(d.name)) continue;
        const via = leaves.map((e) => this.taint(e)).find((v) => v !== undefined);
        if (via !== undefined) {
          this.keyVars.set(d.name, via);
          changed = true;
        }
      }
    }
  }
}

/** Where keys go: outputs, resource properties and module parameters. */
function collectFlows(f: BicepFile): { flows: KeyFlow[]; keyOutputs: Set<string> } {
  const flows: KeyFlow[] = [];
  const keyOutputs = new Set<string>();
  const taint = (e: Expr) => f.taint(e);
  const literal = (e: Expr) => (e.length === 1 && e[0].type === "string" ? bicepStringValue(e[0]) : undefined);
  for (const d of f.decls) {
    if (d.value === undefined) continue;
    const suppressedAt =
      d.disabled?.rules.some((r) => lower(r) === "outputs-should-not-contain-secrets") === true
        ? d.disabled.at
        : undefined;
    if (d.keyword === "output") {
      const via = leavesOf(d.value)
        .map(taint)
        .find((v) => v !== undefined);
      if (via === undefined) continue;
      keyOutputs.add(d.name);
      flows.push({
        sink: "output",
        name: d.name,
        at: d.at,
        via,
        secure: d.decorators.includes("secure"),
        suppressedAt,
      });
    } else if (d.keyword === "resource" && !d.existing) {
      const nameValue = entryOf(d.value, "name");
      const nameText = nameValue?.kind === "leaf" ? exprText(nameValue.expr) : "";
      for (const flow of resourceFlows(typeOf(d.target), nameText, bodyOf(d.value), taint, literal))
        flows.push({ ...flow, secure: false, suppressedAt });
    } else if (d.keyword === "module") {
      const params = entryOf(bodyOf(d.value), "params");
      if (params?.kind !== "object") continue;
      for (const e of params.entries) {
        const via = leavesOf(e.value)
          .map(taint)
          .find((v) => v !== undefined);
        if (via !== undefined)
          flows.push({
            sink: "module-parameter",
            name: `${d.name}.${e.key}`,
            at: e.at,
            via,
            secure: false,
            suppressedAt,
          });
      }
    }
  }
  return { flows, keyOutputs };
}

/** Diagnostic settings: scoped to an ACS symbol, or to something we cannot resolve (then assume it is covered). */
function diagnosticCoverage(f: BicepFile): {
  covered: Set<string>;
  coversAll: boolean;
  hasDiagnosticSettings: boolean;
} {
  const covered = new Set<string>();
  let coversAll = false;
  let hasDiagnosticSettings = false;
  for (const d of f.resources) {
    const type = typeOf(d.target);
    if (type === "microsoft.insights/diagnosticsettings") {
      hasDiagnosticSettings = true;
      const scope = entryOf(bodyOf(d.value), "scope");
      if (scope?.kind !== "leaf") continue; // no scope: the deployment's own scope, not the ACS resource
      const first = scope.expr.find((t) => t.type === "identifier");
      if (first !== undefined && f.acsSymbols.has(first.text)) covered.add(first.text);
      else if (first === undefined || !f.allSymbols.has(first.text) || !f.resources.some((r) => r.name === first.text))
        coversAll = true;
    } else if (type.startsWith(`${ACS_TYPE}/providers/diagnosticsettings`)) {
      hasDiagnosticSettings = true;
      coversAll = true;
    }
  }
  for (const m of f.modules) {
    const params = entryOf(bodyOf(m.value), "params");
    const passesAcs =
      params?.kind === "object" &&
      params.entries.some((e) =>
        leavesOf(e.value).some((x) => x.some((t) => t.type === "identifier" && f.acsSymbols.has(t.text))),
      );
    const child = f.moduleAnalyses.get(m.name);
    if (passesAcs && (child === undefined || child.hasDiagnosticSettings)) coversAll = true;
    if (child?.hasDiagnosticSettings === true) hasDiagnosticSettings = true;
  }
  return { covered, coversAll, hasDiagnosticSettings };
}

/** Whether an ACS resource declaration sets `disableLocalAuth` (literally or through a param default). */
function localAuthOf(f: BicepFile, d: Declaration): Pick<AcsResource, "disablesLocalAuth" | "disableLocalAuthUnknown"> {
  const props = entryOf(bodyOf(d.value), "properties");
  const dla = entryOf(props, "disableLocalAuth");
  let disables = false;
  // properties given as an expression (a variable, union(...)), or a spread inside them: cannot tell.
  let unknown = props?.kind === "leaf" || (props?.kind === "object" && props.entries.some((e) => e.key === ""));
  if (dla?.kind === "leaf") {
    const text = exprText(dla.expr);
    if (text === "true") disables = true;
    else if (text !== "false") {
      const param = f.decls.find((p) => p.keyword === "param" && p.name === text);
      const def = param?.value?.kind === "leaf" ? exprText(param.value.expr) : undefined;
      if (def === "true") disables = true;
      else if (def !== "false") unknown = true;
    }
  }
  return { disablesLocalAuth: disables, disableLocalAuthUnknown: unknown };
}

/**
 * Analyses one Bicep file; modules with a relative path are read through `read` and analysed too (one that cannot be
 * parsed is unread, and listed in the model's `unanalysed`).
 */
export function analyseBicep(
  file: string,
  source: string,
  read?: IacFileReader,
  depth = 0,
  seen = new Map<string, Analysis>(),
): Analysis {
  const f = new BicepFile(parseBicep(source));
  f.readModules(file, read, depth, seen);
  f.resolveVariables();
  const { flows, keyOutputs } = collectFlows(f);
  const { covered, coversAll, hasDiagnosticSettings } = diagnosticCoverage(f);
  const resources: AcsResource[] = f.resources
    .filter((d) => typeOf(d.target) === ACS_TYPE && !d.existing)
    .map((d) => ({
      name: d.name,
      at: d.at,
      provider: "bicep",
      apiVersion: versionOf(d.target),
      ...localAuthOf(f, d),
      hasDiagnostics: coversAll || covered.has(d.name),
    }));
  const model: IacModel = { language: "bicep", resources, flows, unanalysed: f.unanalysed };
  return { model, keyOutputs, hasDiagnosticSettings };
}

/** A resource/module value may be `if (…) {…}` (already unwrapped) or `[for …: {…}]`: the object inside. */
function bodyOf(value: Value | undefined): Value {
  if (value?.kind === "array" && value.items.length === 1 && value.items[0].kind === "object") return value.items[0];
  return value ?? { kind: "object", entries: [], at: { line: 1, column: 1 } };
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
