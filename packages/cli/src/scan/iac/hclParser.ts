/**
 * HCL (Terraform native syntax) and Terraform JSON (`.tf.json`) parsed into the same blocks and attributes, with
 * value trees over the shared model base. HCL never fails (it recovers line by line); invalid JSON throws.
 */
import type { TreeValue } from "./armSinks.js";
import { parseJsonTree } from "./armJson.js";
import type { JsonTree } from "./armJson.js";
import { hclStringValue, tokenizeHcl } from "./hclTokenizer.js";
import type { HclToken } from "./hclTokenizer.js";
import type { IacPosition } from "./model.js";
import { CLOSE, OPEN, TokenCursor, exprText, positionOf as pos } from "./modelCore.js";
import { appendAll } from "../appendAll.js";

/** An expression: its tokens. */
export type Expr = HclToken[];
/** A value tree over HCL expressions. */
export type Value = TreeValue<Expr>;

/** A block (the file itself is the root block, with type ""). */
export interface HclBlock {
  type: string;
  labels: string[];
  at: IacPosition;
  attrs: { key: string; at: IacPosition; value: Value }[];
  blocks: HclBlock[];
}

const KEY_STOP = new Set(["=", ":"]);

class HclParser extends TokenCursor<HclToken> {
  value(): Value {
    this.skipNewlines();
    const t = this.peek();
    if (this.isPunct(t, "{") && !this.isWord("for", 1)) {
      const object = this.object(t as HclToken);
      if (object !== undefined) return object;
    }
    if (this.isPunct(this.peek(), "[") && !this.isWord("for", 1)) {
      const save = this.i;
      this.i++;
      const { items, closed } = this.arrayItems(() => this.value());
      // An indexer or splat right after the tuple (`[...][0]`): one expression.
      if (closed && !this.isPunct(this.peek(), "[") && !this.isPunct(this.peek(), "."))
        return { kind: "array", items, at: pos(t) };
      if (closed) this.i = save;
    }
    const expr = this.expression();
    return { kind: "leaf", expr, at: pos(expr[0] ?? t) };
  }

  /** An object constructor, or undefined (position restored) when it is not one after all. */
  private object(open: HclToken): Value | undefined {
    const save = this.i;
    this.i++;
    const entries: { key: string; at: IacPosition; value: Value }[] = [];
    for (;;) {
      this.skipSeparators();
      const k = this.peek();
      if (k === undefined) return undefined;
      if (this.isPunct(k, "}")) {
        this.i++;
        return { kind: "object", entries, at: pos(open) };
      }
      const keyExpr = this.expression(KEY_STOP);
      if (!(this.isPunct(this.peek(), "=") || this.isPunct(this.peek(), ":")) || keyExpr.length === 0) {
        // Not an object constructor after all: treat the whole thing as one expression.
        this.i = save;
        return undefined;
      }
      this.i++;
      const key =
        keyExpr.length === 1 && keyExpr[0].type === "string"
          ? hclStringValue(keyExpr[0])
          : exprText(keyExpr).replace(/^\(|\)$/g, "");
      entries.push({ key, at: pos(keyExpr[0]), value: this.value() });
    }
  }

  /** Error recovery: skips to the end of the line (a stray `)` or `]` is consumed; a `}` closes the block above). */
  private skipStatement(): void {
    let depth = 0;
    while (this.i < this.tokens.length) {
      const u = this.tokens[this.i];
      if (u.type === "punct" && OPEN.has(u.text)) depth++;
      if (u.type === "punct" && CLOSE.has(u.text)) {
        if (depth === 0) {
          if (u.text !== "}") this.i++;
          break;
        }
        depth--;
      }
      if (u.type === "newline" && depth <= 0) break;
      this.i++;
    }
  }

  /** A nested block's header at the current identifier (`type "label" label {`), or false. */
  private nestedBlock(block: HclBlock): boolean {
    const t = this.tokens[this.i];
    let k = 1;
    const labels: string[] = [];
    for (let l = this.peek(k); l?.type === "string" || l?.type === "identifier"; l = this.peek(++k))
      labels.push(l.type === "string" ? hclStringValue(l) : l.text);
    if (!this.isPunct(this.peek(k), "{")) return false;
    this.i += k + 1;
    block.blocks.push(this.body(t.text, labels, pos(t), true));
    return true;
  }

  body(type: string, labels: string[], at: IacPosition, nested: boolean): HclBlock {
    const block: HclBlock = { type, labels, at, attrs: [], blocks: [] };
    while (this.i < this.tokens.length) {
      const t = this.tokens[this.i];
      if (t.type === "newline" || this.isPunct(t, ",")) {
        this.i++;
      } else if (this.isPunct(t, "}")) {
        this.i++;
        if (nested) return block;
      } else if (t.type === "identifier" && this.isPunct(this.peek(1), "=")) {
        this.i += 2;
        block.attrs.push({ key: t.text, at: pos(t), value: this.value() });
      } else if (t.type !== "identifier" || !this.nestedBlock(block)) {
        this.skipStatement();
      }
    }
    return block;
  }
}

/** Parses HCL native syntax into blocks and attributes. Never throws. */
export function parseHcl(source: string): HclBlock {
  const tokens = tokenizeHcl(source).filter((t) => t.type !== "ws" && t.type !== "comment");
  return new HclParser(tokens).body("", [], { line: 1, column: 1 }, false);
}

/**
 * Terraform JSON syntax (`.tf.json`) → the same blocks (strings become template expressions).
 * @throws JsonSyntaxError when the text is not JSON (or nests deeper than the JSON parser reads)
 */
export function parseTerraformJson(source: string): HclBlock {
  const tree = parseJsonTree(source);
  const toValue = (v: JsonTree): Value => {
    if (v.kind === "object")
      return {
        kind: "object",
        entries: v.entries.map((e) => ({ key: e.key, at: e.at, value: toValue(e.value) })),
        at: v.at,
      };
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
        if (o.kind === "object")
          for (const e of o.entries) b.attrs.push({ key: e.key, at: e.at, value: toValue(e.value) });
        return b;
      });
  };
  for (const top of tree.entries) {
    if (top.value.kind !== "object" && top.value.kind !== "array") continue;
    if (top.key === "resource" || top.key === "data") {
      if (top.value.kind !== "object") continue;
      for (const byType of top.value.entries) {
        if (byType.value.kind !== "object") continue;
        for (const byName of byType.value.entries)
          appendAll(root.blocks, asBlock(top.key, [byType.key, byName.key], byName.value));
      }
    } else if (top.key === "output" || top.key === "module" || top.key === "variable") {
      if (top.value.kind !== "object") continue;
      for (const byName of top.value.entries) appendAll(root.blocks, asBlock(top.key, [byName.key], byName.value));
    } else if (top.key === "locals") {
      appendAll(root.blocks, asBlock("locals", [], top.value));
    }
  }
  return root;
}

/** Parses a `.tf` or `.tf.json` file. @throws JsonSyntaxError for a `.tf.json` file that is not JSON */
export function parseFile(path: string, source: string): HclBlock {
  return path.endsWith(".json") ? parseTerraformJson(source) : parseHcl(source);
}
