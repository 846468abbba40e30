/**
 * The small KQL subset the emulator's Resource Graph serves: a table name, then `where` (`==`, `=~`, `!=`, `in~ (…)`,
 * `and`, `or`, `isnotempty()`), `project` and `extend` (dotted paths, `tolower()`, `tostring()`, `tobool()`). Anything
 * else is refused with a {@link KqlUnsupportedError} naming the unsupported part.
 */

/** A query outside the subset. */
export class KqlUnsupportedError extends Error {
  constructor(readonly part: string) {
    super(`The query uses '${part.slice(0, 80)}', which the emulator's Resource Graph does not support.`);
  }
}

type Row = Record<string, unknown>;
type Expr =
  | { kind: "literal"; value: unknown }
  | { kind: "path"; parts: string[] }
  | { kind: "call"; name: string; arg: Expr }
  | { kind: "binary"; op: string; left: Expr; right: Expr }
  | { kind: "in"; left: Expr; values: Expr[] };
type Stage = { kind: "where"; expr: Expr } | { kind: "project" | "extend"; columns: { name: string; expr: Expr }[] };

/** A parsed query: a table and its stages. */
export interface KqlQuery {
  table: string;
  stages: Stage[];
}

const TOKEN = /\s*(=~|==|!=|in~|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[A-Za-z_][\w-]*|-?\d+(?:\.\d+)?|[().,=|])/y;
const FUNCTIONS = new Set(["tolower", "tostring", "tobool", "isnotempty"]);
const STAGES = new Set(["where", "project", "extend"]);

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (m === null) throw new KqlUnsupportedError(text.slice(at).trim().split(/\s+/)[0] ?? "?");
    tokens.push(m[1]);
    at = TOKEN.lastIndex;
  }
  return tokens;
}

class Parser {
  i = 0;
  constructor(private readonly t: string[]) {}
  peek(): string | undefined {
    return this.t[this.i];
  }
  next(): string {
    const token = this.t[this.i++];
    if (token === undefined) throw new KqlUnsupportedError("end of query");
    return token;
  }
  expect(token: string): void {
    const got = this.next();
    if (got !== token) throw new KqlUnsupportedError(got);
  }
  or(): Expr {
    let left = this.and();
    while (this.peek() === "or") left = { kind: "binary", op: (this.next(), "or"), left, right: this.and() };
    return left;
  }
  and(): Expr {
    let left = this.comparison();
    while (this.peek() === "and") left = { kind: "binary", op: (this.next(), "and"), left, right: this.comparison() };
    return left;
  }
  comparison(): Expr {
    const left = this.operand();
    const op = this.peek();
    if (op === "==" || op === "=~" || op === "!=")
      return { kind: "binary", op: this.next(), left, right: this.operand() };
    if (op !== "in~") return left;
    this.next();
    this.expect("(");
    const values = [this.operand()];
    while (this.peek() === ",") values.push((this.next(), this.operand()));
    this.expect(")");
    return { kind: "in", left, values };
  }
  operand(): Expr {
    const token = this.next();
    if (token === "(") {
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    if (/^['"]/.test(token)) return { kind: "literal", value: token.slice(1, -1).replace(/\\(.)/g, "$1") };
    if (/^-?\d/.test(token)) return { kind: "literal", value: Number(token) };
    if (token === "true" || token === "false") return { kind: "literal", value: token === "true" };
    if (!/^[A-Za-z_]/.test(token)) throw new KqlUnsupportedError(token);
    if (this.peek() === "(") {
      if (!FUNCTIONS.has(token.toLowerCase())) throw new KqlUnsupportedError(`${token}()`);
      this.next();
      const arg = this.or();
      this.expect(")");
      return { kind: "call", name: token.toLowerCase(), arg };
    }
    const parts = [token];
    while (this.peek() === ".") parts.push((this.next(), this.next()));
    return { kind: "path", parts };
  }
  columns(): { name: string; expr: Expr }[] {
    const out: { name: string; expr: Expr }[] = [];
    do {
      const start = this.i;
      const first = this.next();
      if (this.peek() === "=") {
        this.next();
        out.push({ name: first, expr: this.or() });
      } else {
        this.i = start;
        const expr = this.or();
        if (expr.kind !== "path") throw new KqlUnsupportedError("a computed column without a name");
        out.push({ name: expr.parts[expr.parts.length - 1], expr });
      }
    } while (this.peek() === "," && this.next());
    return out;
  }
}

/** Parses a query of the subset. @throws KqlUnsupportedError */
export function parseKql(text: string): KqlQuery {
  const segments = splitPipes(text);
  const table = segments[0].trim();
  if (!/^[A-Za-z_]\w*$/.test(table)) throw new KqlUnsupportedError(table.split(/\s+/)[0] || "an empty query");
  const stages: Stage[] = segments.slice(1).map((segment) => {
    const p = new Parser(tokenize(segment));
    const op = p.next().toLowerCase();
    if (!STAGES.has(op)) throw new KqlUnsupportedError(op);
    const stage: Stage =
      op === "where" ? { kind: "where", expr: p.or() } : { kind: op as "project" | "extend", columns: p.columns() };
    if (p.peek() !== undefined) throw new KqlUnsupportedError(p.peek() as string);
    return stage;
  });
  return { table: table.toLowerCase(), stages };
}

function splitPipes(text: string): string[] {
  const out: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (quote !== undefined) {
      if (c === "\\") k++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "|") {
      out.push(text.slice(start, k));
      start = k + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

const text = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v));

function evaluate(expr: Expr, row: Row): unknown {
  switch (expr.kind) {
    case "literal":
      return expr.value;
    case "path":
      return expr.parts.reduce<unknown>(
        (v, part) => (typeof v === "object" && v !== null ? (v as Row)[part] : undefined),
        row,
      );
    case "call": {
      const v = evaluate(expr.arg, row);
      if (expr.name === "tolower") return text(v).toLowerCase();
      if (expr.name === "tostring") return text(v);
      if (expr.name === "isnotempty") return v !== undefined && v !== null && v !== "";
      return v === true || (typeof v === "string" && v.toLowerCase() === "true")
        ? true
        : v === false || (typeof v === "string" && v.toLowerCase() === "false")
          ? false
          : null;
    }
    case "in": {
      const left = text(evaluate(expr.left, row)).toLowerCase();
      return expr.values.some((v) => text(evaluate(v, row)).toLowerCase() === left);
    }
    case "binary": {
      if (expr.op === "and") return evaluate(expr.left, row) === true && evaluate(expr.right, row) === true;
      if (expr.op === "or") return evaluate(expr.left, row) === true || evaluate(expr.right, row) === true;
      const l = evaluate(expr.left, row);
      const r = evaluate(expr.right, row);
      if (expr.op === "=~") return text(l).toLowerCase() === text(r).toLowerCase();
      const equal = typeof l === typeof r ? l === r : text(l) === text(r);
      return expr.op === "==" ? equal : !equal;
    }
  }
}

/** Runs the stages over the rows of the query's table. */
export function runKql(query: KqlQuery, rows: Iterable<Row>): Row[] {
  const out: Row[] = [];
  for (const source of rows) {
    let row: Row | undefined = source;
    for (const stage of query.stages) {
      if (stage.kind === "where") {
        if (evaluate(stage.expr, row) !== true) {
          row = undefined;
          break;
        }
      } else {
        const computed = Object.fromEntries(stage.columns.map((c) => [c.name, evaluate(c.expr, row as Row) ?? null]));
        row = stage.kind === "project" ? computed : { ...row, ...computed };
      }
    }
    if (row !== undefined) out.push(row);
  }
  return out;
}
