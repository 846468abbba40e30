/**
 * Bicep declarations (param, var, resource, module, output, existing) parsed from the tokenizer's output into value
 * trees over the shared model base. Never throws: unknown statements are skipped to the next line.
 */
import type { TreeValue } from "./armSinks.js";
import { bicepStringValue, tokenizeBicep } from "./bicepTokenizer.js";
import type { BicepToken } from "./bicepTokenizer.js";
import type { IacPosition } from "./model.js";
import { CLOSE, OPEN, TokenCursor, positionOf as pos } from "./modelCore.js";

/** An expression: its tokens. */
export type Expr = BicepToken[];
/** A value tree over Bicep expressions. */
export type Value = TreeValue<Expr>;

/** One top-level declaration. */
export interface Declaration {
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

const KEYWORDS = new Set(["param", "var", "output", "resource", "module"]);
const PAREN_OPEN = new Set(["("]);
const PAREN_CLOSE = new Set([")"]);

class BicepParser extends TokenCursor<BicepToken> {
  value(): Value {
    this.skipNewlines();
    const t = this.peek();
    if (this.isWord("if") && this.isPunct(this.peek(1), "(")) {
      // if (condition) { … }
      this.i++;
      this.skipGroup(PAREN_OPEN, PAREN_CLOSE);
      return this.value();
    }
    if (this.isPunct(t, "{")) return this.object(t as BicepToken);
    if (this.isPunct(t, "[")) return this.array(t as BicepToken);
    const expr = this.expression();
    return { kind: "leaf", expr, at: pos(expr[0] ?? t) };
  }

  private object(open: BicepToken): Value {
    this.i++;
    const entries: { key: string; at: IacPosition; value: Value }[] = [];
    for (;;) {
      this.skipSeparators();
      const k = this.peek();
      if (k === undefined) break;
      if (this.isPunct(k, "}")) {
        this.i++;
        break;
      }
      if (k.type === "directive") {
        this.i++;
        continue;
      }
      if ((k.type === "identifier" || k.type === "string") && this.isPunct(this.peek(1), ":")) {
        this.i += 2;
        entries.push({ key: k.type === "string" ? bicepStringValue(k) : k.text, at: pos(k), value: this.value() });
        continue;
      }
      // Not `key: value` (a spread `...x`, an error): keep its tokens as an unnamed leaf.
      const expr = this.expression();
      if (expr.length === 0) this.i++;
      else entries.push({ key: "", at: pos(expr[0]), value: { kind: "leaf", expr, at: pos(expr[0]) } });
    }
    return { kind: "object", entries, at: pos(open) };
  }

  private array(open: BicepToken): Value {
    this.i++;
    this.skipNewlines();
    if (!this.isWord("for")) return { kind: "array", items: this.arrayItems(() => this.value()).items, at: pos(open) };
    // [for x in y: value] / [for (x, i) in y: value]
    let depth = 0;
    while (this.i < this.tokens.length) {
      const u = this.tokens[this.i];
      if (u.type === "punct" && OPEN.has(u.text)) depth++;
      if (u.type === "punct" && CLOSE.has(u.text)) depth--;
      this.i++;
      if (depth === 0 && this.isPunct(u, ":")) break;
    }
    const body = this.value();
    this.skipNewlines();
    if (this.isPunct(this.peek(), "]")) this.i++;
    return { kind: "array", items: [body], at: pos(open) };
  }

  /** `@name(…)` or `@sys.name(…)` after the `@`: the decorator's name. */
  decorator(): string {
    let name = "";
    while (this.peek()?.type === "identifier" || this.isPunct(this.peek(), ".")) name += this.tokens[this.i++].text;
    if (this.isPunct(this.peek(), "(")) this.skipGroup();
    return name.replace(/^sys\./, "");
  }

  /** A declaration whose keyword is the current token (the name follows). */
  declaration(decorators: string[], disabled: Declaration["disabled"]): Declaration {
    const keyword = this.tokens[this.i].text as Declaration["keyword"];
    const name = this.tokens[this.i + 1];
    this.i += 2;
    const decl: Declaration = {
      keyword,
      name: name.text,
      at: pos(name),
      existing: false,
      decorators,
      disabled,
      value: undefined,
      typeText: "",
    };
    // Everything up to `=` (or the line end): the type of a param/output, the type string of a resource/module.
    const header: BicepToken[] = [];
    while (
      this.i < this.tokens.length &&
      this.tokens[this.i].type !== "newline" &&
      !this.isPunct(this.tokens[this.i], "=")
    )
      header.push(this.tokens[this.i++]);
    const str = header.find((h) => h.type === "string");
    if ((keyword === "resource" || keyword === "module") && str !== undefined) decl.target = bicepStringValue(str);
    if (keyword === "output" && header[0]?.text === "resource" && str !== undefined)
      decl.target = bicepStringValue(str);
    decl.existing = header.some((h) => h.type === "identifier" && h.text === "existing");
    decl.typeText = header.map((h) => h.text).join(" ");
    if (this.isPunct(this.peek(), "=")) {
      this.i++;
      decl.value = this.value();
    }
    this.skipLine();
    return decl;
  }

  declarations(): Declaration[] {
    const declarations: Declaration[] = [];
    let decorators: string[] = [];
    let disabled: Declaration["disabled"];
    while (this.i < this.tokens.length) {
      const t = this.tokens[this.i];
      if (t.type === "newline") {
        this.i++;
      } else if (t.type === "directive") {
        const m = /^#disable-next-line\b(.*)$/i.exec(t.text);
        disabled = m !== null ? { rules: m[1].trim().split(/\s+/).filter(Boolean), at: pos(t) } : disabled;
        this.i++;
      } else if (this.isPunct(t, "@")) {
        this.i++;
        decorators.push(this.decorator());
      } else {
        if (t.type === "identifier" && KEYWORDS.has(t.text) && this.peek(1)?.type === "identifier")
          declarations.push(this.declaration(decorators, disabled));
        else this.skipLine();
        decorators = [];
        disabled = undefined;
      }
    }
    return declarations;
  }
}

/** Parses Bicep source into declarations. Never throws: unknown statements are skipped to the next line. */
export function parseBicep(source: string): Declaration[] {
  return new BicepParser(tokenizeBicep(source).filter((t) => t.type !== "ws" && t.type !== "comment")).declarations();
}
