/**
 * Connection strings written in code: string literals, template literals and `+` concatenations, also when the key
 * is written with JSON/JS escapes or URL encoding. A placeholder key is a template; an interpolated part stands for a
 * real key at run time.
 */
import { findConnectionStrings, isConnectionStringShaped, maskConnectionString } from "acs-baseline/internal/text";
import type * as ESTree from "estree";
import type { AnyNode } from "./estreeNodes.js";
import type { KeyAuthMessageId } from "./messages.js";
import { constantString } from "./references.js";
import type { Scope } from "./scopes.js";
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

/** True when `value`, or `value` with its escapes undone, is shaped like an ACS connection string. */
export function isConnectionStringText(value: string): boolean {
  return isConnectionStringShaped(value) || (hasEscapes(value) && isConnectionStringShaped(unescapeText(value)));
}

/** The finding for one string value, if it is an ACS connection string. */
export function checkStringValue(value: string, what: string): StringFinding | undefined {
  const text = isConnectionStringShaped(value) ? value : decodedForm(value);
  if (!isConnectionStringShaped(text)) return undefined;
  const matches = findConnectionStrings(text);
  const template = matches.length > 0 && matches.every((m) => m.placeholder);
  const masked = maskConnectionString(text).split(INTERPOLATED).join("${…}").slice(0, 120);
  return { messageId: template ? "connectionStringTemplate" : "connectionStringLiteral", data: { what, masked } };
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

function partReports(part: AnyNode): boolean {
  if (part.type === "Literal") return typeof part.value === "string" && isConnectionStringText(part.value);
  return part.type === "TemplateLiteral" && isConnectionStringText(templateText(part));
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
