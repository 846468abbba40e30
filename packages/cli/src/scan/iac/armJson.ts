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

/** A JSON reader over one text, tracking line and column. */
class JsonReader {
  i: number;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {
    this.i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  position(): IacPosition {
    return { line: this.line, column: this.i - this.lineStart + 1 };
  }

  fail(what: string): never {
    throw new JsonSyntaxError(`${what} at line ${this.line}, column ${this.i - this.lineStart + 1}`, this.position());
  }

  /** Skips whitespace and comments. */
  space(): void {
    const text = this.text;
    for (;;) {
      const c = text[this.i];
      if (c === "\n") {
        this.line++;
        this.lineStart = ++this.i;
      } else if (c === " " || c === "\t" || c === "\r") this.i++;
      else if (c === "/" && text[this.i + 1] === "/") {
        while (this.i < text.length && text[this.i] !== "\n") this.i++;
      } else if (c === "/" && text[this.i + 1] === "*") {
        const end = text.indexOf("*/", this.i + 2);
        if (end === -1) this.fail("unterminated comment");
        for (let k = this.i; k < end; k++) {
          if (text[k] === "\n") {
            this.line++;
            this.lineStart = k + 1;
          }
        }
        this.i = end + 2;
      } else return;
    }
  }

  string(): string {
    const text = this.text;
    const start = this.i;
    this.i++;
    let simple = true;
    while (this.i < text.length) {
      const c = text.charCodeAt(this.i);
      if (c === 34) break;
      if (c === 92) {
        simple = false;
        this.i += 2;
        continue;
      }
      // Line breaks and tabs: ARM takes multi-line strings (Azure CLI 2.3 and later); other control characters not.
      if (c < 0x20) {
        if (c !== 10 && c !== 13 && c !== 9) this.fail("control character in string");
        simple = false;
      }
      this.i++;
    }
    if (this.i >= text.length) this.fail("unterminated string");
    this.i++;
    const raw = text.slice(start, this.i);
    if (simple) return raw.slice(1, -1);
    try {
      return JSON.parse(
        raw.replace(/[\n\r\t]/g, (ch) => (ch === "\n" ? "\\n" : ch === "\r" ? "\\r" : "\\t")),
      ) as string;
    } catch {
      // JSON.parse's own message is not ours to pass on (it may quote the text): an invalid escape, at the string.
      this.i = start;
      return this.fail("invalid escape in string");
    }
  }

  /** Consumes `,` (true: another item follows) or `close` (false), or fails. */
  private next(close: string): boolean {
    this.space();
    const c = this.text[this.i];
    if (c === "," || c === close) {
      this.i++;
      return c === ",";
    }
    return this.fail(`expected ',' or '${close}'`);
  }

  private object(at: IacPosition, depth: number): JsonTree {
    this.i++;
    const entries: { key: string; at: IacPosition; value: JsonTree }[] = [];
    this.space();
    if (this.text[this.i] === "}") {
      this.i++;
      return { kind: "object", entries, at };
    }
    do {
      this.space();
      if (this.text[this.i] !== '"') this.fail("expected a property name");
      const keyAt = this.position();
      const key = this.string();
      this.space();
      if (this.text[this.i] !== ":") this.fail("expected ':'");
      this.i++;
      entries.push({ key, at: keyAt, value: this.value(depth + 1) });
    } while (this.next("}"));
    return { kind: "object", entries, at };
  }

  private array(at: IacPosition, depth: number): JsonTree {
    this.i++;
    const items: JsonTree[] = [];
    this.space();
    if (this.text[this.i] === "]") {
      this.i++;
      return { kind: "array", items, at };
    }
    do items.push(this.value(depth + 1));
    while (this.next("]"));
    return { kind: "array", items, at };
  }

  value(depth: number): JsonTree {
    if (depth > MAX_DEPTH) this.fail("nesting too deep");
    this.space();
    const at = this.position();
    const c = this.text[this.i];
    if (c === "{") return this.object(at, depth);
    if (c === "[") return this.array(at, depth);
    if (c === '"') return { kind: "leaf", expr: this.string(), at };
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      this.text.slice(this.i, this.i + 400),
    );
    if (m === null) return this.fail("unexpected token");
    this.i += m[0].length;
    return { kind: "leaf", expr: JSON.parse(m[0]) as JsonLeaf, at };
  }
}

/** Parses JSON (comments allowed) into a positioned tree. @throws JsonSyntaxError */
export function parseJsonTree(text: string): JsonTree {
  const reader = new JsonReader(text);
  const root = reader.value(0);
  reader.space();
  if (reader.i < text.length) reader.fail("unexpected text after the JSON value");
  return root;
}

/** The plain value of a tree (what `JSON.parse` returns). */
export function plainJson(tree: JsonTree): unknown {
  if (tree.kind === "leaf") return tree.expr;
  if (tree.kind === "array") return tree.items.map(plainJson);
  const out: Record<string, unknown> = {};
  for (const e of tree.entries) {
    if (e.key === "__proto__")
      Object.defineProperty(out, e.key, {
        value: plainJson(e.value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[e.key] = plainJson(e.value);
  }
  return out;
}
