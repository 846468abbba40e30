/**
 * The model base the Bicep and Terraform front ends share: a cursor over a token stream (comments and whitespace
 * already dropped) with the moves both parsers make (expressions up to a separator, balanced groups, array items),
 * and the helpers both analysers use on the resulting value trees (positions, leaves, expression text).
 */
import type { TreeValue } from "./armSinks.js";
import type { IacPosition } from "./model.js";
import type { Token } from "./tokenizerCore.js";

/** Brackets that open and close a group. */
export const OPEN: ReadonlySet<string> = new Set(["(", "[", "{"]);
export const CLOSE: ReadonlySet<string> = new Set([")", "]", "}"]);

/** The position of a token (1:1 when there is none). */
export const positionOf = (t: Token<string> | undefined): IacPosition => ({
  line: t?.line ?? 1,
  column: t?.column ?? 1,
});

/** The source text of an expression. */
export const exprText = (e: readonly Token<string>[]): string => e.map((t) => t.text).join("");

/** Every leaf expression of a value tree, in order. */
export function leavesOf<E>(value: TreeValue<E>): E[] {
  if (value.kind === "leaf") return [value.expr];
  if (value.kind === "array") return value.items.flatMap(leavesOf);
  return value.entries.flatMap((e) => leavesOf(e.value));
}

const isOpen = (t: Token<string>) => t.type === "punct" && OPEN.has(t.text);
const isClose = (t: Token<string>) => t.type === "punct" && CLOSE.has(t.text);

/** A position in a token stream, with the moves both IaC parsers make. */
export class TokenCursor<T extends Token<string>> {
  /** Index of the next token. */
  i = 0;

  constructor(readonly tokens: readonly T[]) {}

  /** The token `k` ahead (undefined past the end). */
  peek(k = 0): T | undefined {
    return this.tokens[this.i + k];
  }

  /** True when `t` is the punctuation `p`. */
  isPunct(t: T | undefined, p: string): boolean {
    return t?.type === "punct" && t.text === p;
  }

  /** True when the token `k` ahead is the identifier `text`. */
  isWord(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t?.type === "identifier" && t.text === text;
  }

  skipNewlines(): void {
    while (this.peek()?.type === "newline") this.i++;
  }

  /** Skips newlines and commas between items. */
  skipSeparators(): void {
    while (this.peek()?.type === "newline" || this.isPunct(this.peek(), ",")) this.i++;
  }

  /**
   * Tokens of an expression: up to a newline, `,` or closing bracket at depth 0 (inside brackets and templates
   * newlines are fine), or one of `stopAt` at depth 0. Newlines are dropped from the result.
   */
  expression(stopAt?: ReadonlySet<string>): T[] {
    const out: T[] = [];
    let depth = 0;
    let interp = 0;
    while (this.i < this.tokens.length) {
      const t = this.tokens[this.i];
      if (t.type === "string-head") interp++;
      if (t.type === "string-tail") interp--;
      if (depth === 0 && interp <= 0) {
        if (t.type === "newline" || (t.type === "punct" && (t.text === "," || CLOSE.has(t.text)))) break;
        if (stopAt !== undefined && t.type === "punct" && stopAt.has(t.text)) break;
      }
      if (isOpen(t)) depth++;
      if (isClose(t)) depth = Math.max(0, depth - 1);
      out.push(t);
      this.i++;
    }
    return out.filter((t) => t.type !== "newline");
  }

  /** Consumes a group from its opening bracket through the matching close (only `open`/`close` count). */
  skipGroup(open: ReadonlySet<string> = OPEN, close: ReadonlySet<string> = CLOSE): void {
    let depth = 0;
    while (this.i < this.tokens.length) {
      const u = this.tokens[this.i++];
      if (u.type !== "punct") continue;
      if (open.has(u.text)) depth++;
      else if (close.has(u.text) && --depth === 0) break;
    }
  }

  /** Consumes tokens up to a newline outside brackets (the newline stays). */
  skipLine(): void {
    let depth = 0;
    while (this.i < this.tokens.length) {
      const t = this.tokens[this.i];
      if (isOpen(t)) depth++;
      if (isClose(t)) depth--;
      if (t.type === "newline" && depth <= 0) break;
      this.i++;
    }
  }

  /**
   * The items of an array after its `[`, each read by `item`; `closed` is false when the input ended before `]`.
   * An item that consumes nothing is skipped, so the loop always advances.
   */
  arrayItems(item: () => TreeValue<T[]>): { items: TreeValue<T[]>[]; closed: boolean } {
    const items: TreeValue<T[]>[] = [];
    for (;;) {
      this.skipSeparators();
      const u = this.peek();
      if (u === undefined) return { items, closed: false };
      if (this.isPunct(u, "]")) {
        this.i++;
        return { items, closed: true };
      }
      const before = this.i;
      items.push(item());
      if (this.i === before) this.i++;
    }
  }
}
