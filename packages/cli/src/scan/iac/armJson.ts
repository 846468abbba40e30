/**
 * JSON with positions, for ARM templates: the same values as `JSON.parse` (checked by a property test), plus the line
 * and column of every value and key, and the `//` and `/* *\/` comments ARM templates may contain.
 */
import type { TreeValue } from "./armSinks.js";
import type { IacPosition } from "./model.js";

/** A JSON leaf: string, number, boolean or null. */
export type JsonLeaf = string | number | boolean | null;
export type JsonTree = TreeValue<JsonLeaf>;

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: IacPosition,
  ) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}

const MAX_DEPTH = 512;

/** Parses JSON (comments allowed) into a positioned tree. @throws JsonSyntaxError */
export function parseJsonTree(text: string): JsonTree {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = 0;
  const position = (): IacPosition => ({ line, column: i - lineStart + 1 });
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at line ${line}, column ${i - lineStart + 1}`, position());
  };
  const space = () => {
    for (;;) {
      const c = text[i];
      if (c === "\n") {
        line++;
        lineStart = ++i;
      } else if (c === " " || c === "\t" || c === "\r") i++;
      else if (c === "/" && text[i + 1] === "/") {
        while (i < text.length && text[i] !== "\n") i++;
      } else if (c === "/" && text[i + 1] === "*") {
        const end = text.indexOf("*/", i + 2);
        if (end === -1) fail("unterminated comment");
        for (let k = i; k < end; k++) {
          if (text[k] === "\n") {
            line++;
            lineStart = k + 1;
          }
        }
        i = end + 2;
      } else return;
    }
  };
  const string = (): string => {
    const start = i;
    i++;
    let simple = true;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        simple = false;
        i += 2;
        continue;
      }
      if (c < 0x20) fail("control character in string");
      i++;
    }
    if (i >= text.length) fail("unterminated string");
    i++;
    const raw = text.slice(start, i);
    return simple ? raw.slice(1, -1) : (JSON.parse(raw) as string);
  };
  const value = (depth: number): JsonTree => {
    if (depth > MAX_DEPTH) fail("nesting too deep");
    space();
    const at = position();
    const c = text[i];
    if (c === "{") {
      i++;
      const entries: { key: string; at: IacPosition; value: JsonTree }[] = [];
      space();
      if (text[i] === "}") {
        i++;
        return { kind: "object", entries, at };
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail("expected a property name");
        const keyAt = position();
        const key = string();
        space();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        entries.push({ key, at: keyAt, value: value(depth + 1) });
        space();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return { kind: "object", entries, at };
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const items: JsonTree[] = [];
      space();
      if (text[i] === "]") {
        i++;
        return { kind: "array", items, at };
      }
      for (;;) {
        items.push(value(depth + 1));
        space();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return { kind: "array", items, at };
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return { kind: "leaf", expr: string(), at };
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (m === null) return fail("unexpected token");
    i += m[0].length;
    return { kind: "leaf", expr: JSON.parse(m[0]) as JsonLeaf, at };
  };
  const root = value(0);
  space();
  if (i < text.length) fail("unexpected text after the JSON value");
  return root;
}

/** The plain value of a tree (what `JSON.parse` returns). */
export function plainJson(tree: JsonTree): unknown {
  if (tree.kind === "leaf") return tree.expr;
  if (tree.kind === "array") return tree.items.map(plainJson);
  const out: Record<string, unknown> = {};
  for (const e of tree.entries) {
    if (e.key === "__proto__") Object.defineProperty(out, e.key, { value: plainJson(e.value), enumerable: true, writable: true, configurable: true });
    else out[e.key] = plainJson(e.value);
  }
  return out;
}
