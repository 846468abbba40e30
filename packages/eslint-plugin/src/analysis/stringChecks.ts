/**
 * Connection strings written in code: string literals, template literals and `+` concatenations, in every spelling
 * the runtime refuses as written (the ACS SDKs' parser's, quoted values, look-alikes; the detector the scanner's text
 * rules use), also when written with JSON/JS escapes or URL encoding, or base64-encoded. A placeholder key is a
 * template; an interpolated part stands for a real key at run time.
 */
import {
  findBase64ConnectionStrings,
  findConnectionStringsInAnySpelling,
  type ConnectionStringMatch,
} from "acs-baseline/internal/text";
import type * as ESTree from "estree";
import type { AnyNode } from "./estreeNodes.js";
import type { KeyAuthMessageId } from "./messages.js";
import { constantString } from "./references.js";
import type { Scope } from "./scopes.js";
import { shownConnectionString } from "./shownConnectionString.js";
import { hasEscapes, unescapeText } from "./unescape.js";

/** Stands for an interpolated `${…}`: base64-like, so an interpolated key is not a placeholder. */
export const INTERPOLATED = "InterpolatedValue0123456789abcdefghijklmnopqrstuvwxyz";

/** A connection-string finding: which message, and its data. */
export interface StringFinding {
  messageId: Extract<KeyAuthMessageId, "connectionStringLiteral" | "connectionStringTemplate">;
  data: { what: string; masked: string };
}

/** The text to test: as written, or with its escapes undone when it has any. */
export function decodedForm(value: string): string {
  return hasEscapes(value) ? unescapeText(value) : value;
}

/** The connection strings in `value` as written or, when there are none, in `value` with its escapes undone. */
function connectionStringsIn(value: string): ConnectionStringMatch[] {
  const plain = findConnectionStringsInAnySpelling(value);
  return plain.length > 0 || !hasEscapes(value) ? plain : findConnectionStringsInAnySpelling(unescapeText(value));
}

/** True when `value`, or `value` with its escapes undone, holds an ACS connection string (not base64-encoded). */
export function isConnectionStringText(value: string): boolean {
  return connectionStringsIn(value).length > 0;
}

/** The renderings of `matches` (endpoint host only, see `shownConnectionString`), an interpolation shown as `${…}`, at most 120 characters. */
function shown(matches: ConnectionStringMatch[]): string {
  return matches
    .map((m) => shownConnectionString(m.masked))
    .join(" ")
    .split(INTERPOLATED)
    .join("${…}")
    .slice(0, 120);
}

/** The finding for one string value, if it holds an ACS connection string (base64-encoded ones with a real key). */
export function checkStringValue(value: string, what: string): StringFinding | undefined {
  const matches = connectionStringsIn(value);
  if (matches.length > 0) {
    const template = matches.every((m) => m.placeholder);
    const messageId = template ? "connectionStringTemplate" : "connectionStringLiteral";
    return { messageId, data: { what, masked: shown(matches) } };
  }
  const encoded = value.length < 80 ? [] : findBase64ConnectionStrings(value).flatMap((run) => run.found);
  if (encoded.length === 0) return undefined;
  return { messageId: "connectionStringLiteral", data: { what: `base64-encoded ${what}`, masked: shown(encoded) } };
}

/** The text of a template literal, each interpolation standing for an unknown (real) value. */
export function templateText(node: ESTree.TemplateLiteral): string {
  return node.quasis.map((q) => q.value.cooked ?? q.value.raw).join(INTERPOLATED);
}

function concatenationParts(node: AnyNode, out: AnyNode[]): AnyNode[] {
  if (node.type === "BinaryExpression" && node.operator === "+") {
    concatenationParts(node.left, out);
    concatenationParts(node.right, out);
  } else out.push(node);
  return out;
}

/**
 * A part of a `+` chain whose own finding is a template: the chain decides (its other parts may complete the key, or
 * stand for one), and reports the template itself when they do not.
 */
export function templateInChain(text: string, holder: AnyNode | undefined): boolean {
  return (
    holder?.type === "BinaryExpression" &&
    holder.operator === "+" &&
    checkStringValue(text, "")?.messageId === "connectionStringTemplate"
  );
}

/** A part that reports a connection string with a real key itself (the chain then does not). */
function partReports(part: AnyNode): boolean {
  const text =
    part.type === "Literal" && typeof part.value === "string"
      ? part.value
      : part.type === "TemplateLiteral"
        ? templateText(part)
        : undefined;
  return text !== undefined && checkStringValue(text, "")?.messageId === "connectionStringLiteral";
}

/**
 * A `+` concatenation at the top of its chain: its constant parts joined, other parts standing for unknown values.
 * Undefined when one part is itself a connection string (that part's own finding says it).
 */
export function concatenationText(
  node: ESTree.BinaryExpression,
  holder: AnyNode | undefined,
  scope: Scope,
): string | undefined {
  if (node.operator !== "+" || (holder?.type === "BinaryExpression" && holder.operator === "+")) return undefined;
  const parts = concatenationParts(node, []);
  if (parts.some(partReports)) return undefined;
  const pieces = parts.map(
    (p) => constantString(p, scope) ?? (p.type === "TemplateLiteral" ? templateText(p) : INTERPOLATED),
  );
  return pieces.some((p) => p !== INTERPOLATED) ? pieces.join("") : undefined;
}
