/**
 * The ARM template expression language (the text inside `"[...]"`): function calls with an optional user-function
 * namespace, nested calls, property access (`.name`, `.?name`), indexers (`[expr]`), string literals with `''`
 * escapes, numbers and the `null`/`true`/`false` keywords. `"[[..."` is a literal string, not an expression.
 */

export type ArmExpr =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "identifier"; name: string }
  | { kind: "call"; namespace?: string; name: string; args: ArmExpr[] }
  | { kind: "property"; object: ArmExpr; name: string }
  | { kind: "index"; object: ArmExpr; index: ArmExpr };

export class ArmExpressionError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "ArmExpressionError";
  }
}

const MAX_DEPTH = 256;

/** True when a JSON string value is a template expression (`[...]`, but not the `[[` escape). */
export function isArmExpressionString(value: string): boolean {
  const t = value.trim();
  return t.length >= 2 && t.startsWith("[") && t.endsWith("]") && !t.startsWith("[[");
}

/** A reader over the text inside the brackets. */
class ExpressionReader {
  i = 0;

  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new ArmExpressionError(`${what} at offset ${this.i}`, this.i);
  }

  space(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i])) this.i++;
  }

  private identifier(): string {
    const m = /^[A-Za-z_$][\w$-]*/.exec(this.text.slice(this.i, this.i + 256));
    if (m === null) return this.fail("expected a name");
    this.i += m[0].length;
    return m[0];
  }

  /** A `'…'` literal (`''` is a quote). */
  private string(): ArmExpr {
    const text = this.text;
    let out = "";
    this.i++;
    for (;;) {
      if (this.i >= text.length) this.fail("unterminated string");
      if (text[this.i] === "'") {
        if (text[this.i + 1] !== "'") break;
        out += "'";
        this.i += 2;
        continue;
      }
      out += text[this.i++];
    }
    this.i++;
    return { kind: "string", value: out };
  }

  /** The arguments after `(`, through `)`. */
  private args(depth: number): ArmExpr[] {
    this.i++;
    const args: ArmExpr[] = [];
    this.space();
    if (this.text[this.i] === ")") {
      this.i++;
      return args;
    }
    for (;;) {
      args.push(this.expression(depth + 1));
      this.space();
      const c = this.text[this.i];
      if (c !== "," && c !== ")") this.fail("expected ',' or ')'");
      this.i++;
      if (c === ")") return args;
    }
  }

  /** An identifier, or a call with an optional namespace (`namespace.function(` only when a call follows). */
  private nameOrCall(depth: number): ArmExpr {
    const text = this.text;
    let name = this.identifier();
    let namespace: string | undefined;
    this.space();
    if (text[this.i] === "." && /[A-Za-z_]/.test(text[this.i + 1] ?? "")) {
      const save = this.i;
      this.i++;
      const fn = this.identifier();
      this.space();
      if (text[this.i] === "(") {
        namespace = name;
        name = fn;
      } else this.i = save;
    }
    this.space();
    if (text[this.i] !== "(") return { kind: "identifier", name };
    const args = this.args(depth);
    return namespace === undefined ? { kind: "call", name, args } : { kind: "call", namespace, name, args };
  }

  /** Property access and indexers after `node`. */
  private accessors(node: ArmExpr, depth: number): ArmExpr {
    const text = this.text;
    for (;;) {
      this.space();
      if (text[this.i] === "?" && (text[this.i + 1] === "." || text[this.i + 1] === "[")) this.i++;
      if (text[this.i] === "." && text[this.i + 1] === "?") this.i++;
      if (text[this.i] === ".") {
        this.i++;
        this.space();
        node = { kind: "property", object: node, name: this.identifier() };
      } else if (text[this.i] === "[") {
        this.i++;
        const index = this.expression(depth + 1);
        this.space();
        if (text[this.i] !== "]") this.fail("expected ']'");
        this.i++;
        node = { kind: "index", object: node, index };
      } else return node;
    }
  }

  expression(depth: number): ArmExpr {
    if (depth > MAX_DEPTH) this.fail("nesting too deep");
    this.space();
    const c = this.text[this.i];
    let node: ArmExpr;
    if (c === "'") node = this.string();
    else if (c !== undefined && /[-\d]/.test(c)) {
      const m = /^-?\d+(?:\.\d+)?/.exec(this.text.slice(this.i));
      if (m === null) return this.fail("bad number");
      this.i += m[0].length;
      node = { kind: "number", value: Number(m[0]) };
    } else node = this.nameOrCall(depth);
    return this.accessors(node, depth);
  }
}

/** Parses the expression inside a `"[...]"` string (pass the whole string value). @throws ArmExpressionError */
export function parseArmExpression(value: string): ArmExpr {
  const src = value.trim();
  if (!isArmExpressionString(src)) throw new ArmExpressionError("not a template expression", 0);
  const text = src.slice(1, -1);
  const reader = new ExpressionReader(text);
  const root = reader.expression(0);
  reader.space();
  if (reader.i < text.length) reader.fail("unexpected text");
  return root;
}

/** Every node of an expression, depth first. */
export function* armNodes(e: ArmExpr): Generator<ArmExpr> {
  yield e;
  if (e.kind === "call") for (const a of e.args) yield* armNodes(a);
  else if (e.kind === "property") yield* armNodes(e.object);
  else if (e.kind === "index") {
    yield* armNodes(e.object);
    yield* armNodes(e.index);
  }
}

/** Renders an expression back to text (for messages; never contains a key, only references). */
export function armText(e: ArmExpr): string {
  switch (e.kind) {
    case "string":
      return `'${e.value.replace(/'/g, "''")}'`;
    case "number":
      return String(e.value);
    case "identifier":
      return e.name;
    case "call":
      return `${e.namespace !== undefined ? `${e.namespace}.` : ""}${e.name}(${e.args.map(armText).join(", ")})`;
    case "property":
      return `${armText(e.object)}.${e.name}`;
    case "index":
      return `${armText(e.object)}[${armText(e.index)}]`;
  }
}
