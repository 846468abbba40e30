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

/** Parses the expression inside a `"[...]"` string (pass the whole string value). @throws ArmExpressionError */
export function parseArmExpression(value: string): ArmExpr {
  const src = value.trim();
  if (!isArmExpressionString(src)) throw new ArmExpressionError("not a template expression", 0);
  const text = src.slice(1, -1);
  let i = 0;
  const fail = (what: string): never => {
    throw new ArmExpressionError(`${what} at offset ${i}`, i);
  };
  const space = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const identifier = (): string => {
    const m = /^[A-Za-z_$][\w$-]*/.exec(text.slice(i, i + 256));
    if (m === null) return fail("expected a name");
    i += m[0].length;
    return m[0];
  };
  const expression = (depth: number): ArmExpr => {
    if (depth > MAX_DEPTH) fail("nesting too deep");
    space();
    let node: ArmExpr;
    const c = text[i];
    if (c === "'") {
      let out = "";
      i++;
      for (;;) {
        if (i >= text.length) fail("unterminated string");
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            out += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        out += text[i++];
      }
      node = { kind: "string", value: out };
    } else if (c !== undefined && /[-\d]/.test(c)) {
      const m = /^-?\d+(?:\.\d+)?/.exec(text.slice(i));
      if (m === null) return fail("bad number");
      i += m[0].length;
      node = { kind: "number", value: Number(m[0]) };
    } else {
      let name = identifier();
      let namespace: string | undefined;
      space();
      if (text[i] === "." && /[A-Za-z_]/.test(text[i + 1] ?? "")) {
        // namespace.function( — only when a call follows; otherwise it is property access on an identifier
        const save = i;
        i++;
        const fn = identifier();
        space();
        if (text[i] === "(") {
          namespace = name;
          name = fn;
        } else i = save;
      }
      space();
      if (text[i] === "(") {
        i++;
        const args: ArmExpr[] = [];
        space();
        if (text[i] === ")") i++;
        else {
          for (;;) {
            args.push(expression(depth + 1));
            space();
            if (text[i] === ",") {
              i++;
              continue;
            }
            if (text[i] === ")") {
              i++;
              break;
            }
            fail("expected ',' or ')'");
          }
        }
        node = namespace === undefined ? { kind: "call", name, args } : { kind: "call", namespace, name, args };
      } else node = { kind: "identifier", name };
    }
    for (;;) {
      space();
      if (text[i] === "?" && (text[i + 1] === "." || text[i + 1] === "[")) i++;
      if (text[i] === "." && text[i + 1] === "?") i++;
      if (text[i] === ".") {
        i++;
        space();
        node = { kind: "property", object: node, name: identifier() };
      } else if (text[i] === "[") {
        i++;
        const index = expression(depth + 1);
        space();
        if (text[i] !== "]") fail("expected ']'");
        i++;
        node = { kind: "index", object: node, index };
      } else return node;
    }
  };
  const root = expression(0);
  space();
  if (i < text.length) fail("unexpected text");
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
