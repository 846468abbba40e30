/**
 * Rules over plain text, for any file: ACS identifiable keys (SEC101/204), legacy 88-character keys next to ACS
 * context, connection strings (real keys as errors, placeholders as template warnings) and hand-built HMAC-SHA256
 * request signing. Nothing here ever puts a key into a message.
 */
import { findConnectionStringsInAnySpelling, isPlaceholderKey } from "acs-baseline/internal/text";
import { makeFinding } from "../finding.js";
import type { ScanFinding } from "../finding.js";
import { shownConnectionString } from "eslint-plugin-acs-baseline/internal";
import {
  ACS_HMAC_SIGNING,
  ACS_IDENTIFIABLE_KEY,
  ACS_KEY_CONTEXT,
  ACS_LEGACY_KEY,
  ACS_LEGACY_KEY_OTHER_SERVICE,
  jsRegExp,
} from "./acsKeyPatterns.js";

const IDENTIFIABLE = new RegExp(String.raw`(?<![A-Za-z0-9])${ACS_IDENTIFIABLE_KEY}(?![A-Za-z0-9])`, "g");
const LEGACY = new RegExp(String.raw`(?<![A-Za-z0-9+/])${ACS_LEGACY_KEY}(?![A-Za-z0-9+/=])`, "g");
const CONTEXT = jsRegExp(ACS_KEY_CONTEXT, "");
const HMAC = jsRegExp(ACS_HMAC_SIGNING, "g");
const OTHER_SERVICE = jsRegExp(ACS_LEGACY_KEY_OTHER_SERVICE, "");
/** Cheap test: can this text hold any text finding at all? (Legacy keys need ACS context, so `==` alone is not enough.) */
const PREFILTER = /JQQJ99|access[_-]?key|communication\.azure\.com|HMAC-SHA256/i;
/** Files where `HMAC-SHA256 SignedHeaders=` is prose about the scheme, not code that builds it. */
const IAC_FILE = /\.(bicep|bicepparam|tf|tf\.json)$/i;
const PROSE = /\.(md|markdown|txt|rst|adoc|html?)$/i;
/** Source maps: generated copies of source (`sourcesContent`), whose doc-comment examples are no template to fill in. */
const SOURCE_MAP = /\.map$/i;

/** Offsets → 1-based line/column, computed once per file. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }
  at(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line - 1, this.starts.length - 1))];
  }
  lineEnd(line: number, text: string): number {
    return line < this.starts.length ? this.starts[line] - 1 : text.length;
  }
}

function span(index: LineIndex, start: number, length: number) {
  const a = index.at(start);
  const b = index.at(start + length);
  return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
}

/** One file's text, its line index, the findings so far and the spans already reported (connection strings, keys). */
interface TextScan {
  file: string;
  text: string;
  index: LineIndex;
  out: ScanFinding[];
  covered: [number, number][];
}

const inside = (scan: TextScan, start: number, end: number): boolean =>
  scan.covered.some(([a, b]) => start >= a && end <= b);

/**
 * A literal ending in `accesskey=` continued by the next literal, joined by the language (Python's and C's adjacent
 * literals, `+`, a `\` line continuation) and holding a key: `("endpoint=…;accesskey="\n "KLtp…==")`.
 */
const ADJACENT_KEY = /^\s*["'`]\s*(?:\+|\\)?\s*[rRbBuU]?["'`]([A-Za-z0-9+/]{40,}={0,2})(?![A-Za-z0-9+/=])/;

/** The end of a real-looking key in the literal after an empty `accesskey=` ending at `end`, or undefined. */
function adjacentKeyEnd(text: string, end: number): number | undefined {
  if (!/accesskey\s*=\s*$/i.test(text.slice(Math.max(0, end - 16), end))) return undefined;
  const m = ADJACENT_KEY.exec(text.slice(end, end + 400));
  return m === null || isPlaceholderKey(m[1]) ? undefined : end + m[0].length;
}

/**
 * Connection strings: real keys as errors, placeholders as template warnings. An empty key continued by a key in the
 * adjacent literal is the error, over both literals (the key is then not a legacy-key finding too).
 */
function connectionStringFindings(scan: TextScan): void {
  const { file, text, index } = scan;
  for (const found of findConnectionStringsInAnySpelling(text)) {
    const keyEnd = found.placeholder ? adjacentKeyEnd(text, found.index + found.length) : undefined;
    const m = keyEnd === undefined ? found : { ...found, length: keyEnd - found.index, placeholder: false };
    scan.covered.push([m.index, m.index + m.length]);
    // In a template, `accesskey=${key}` is an interpolation the IaC rules follow, not a placeholder to fill in.
    if (
      m.placeholder &&
      IAC_FILE.test(file) &&
      /accesskey\s*=\s*(\$\{|'\s*,|\[)/i.test(text.slice(m.index, m.index + m.length + 2))
    )
      continue;
    // A source map's placeholder comes from a doc comment in the source (not reported there either); a key is a key.
    if (m.placeholder && SOURCE_MAP.test(file)) continue;
    const at = span(index, m.index, m.length);
    const shown = shownConnectionString(m.masked).slice(0, 120);
    scan.out.push(
      m.placeholder
        ? makeFinding(
            "acs-baseline/connection-string-template",
            file,
            at,
            `IM-8: an ACS connection-string template with a placeholder key (${shown}): it invites a real key into this file. Configure the endpoint only and authenticate with Microsoft Entra ID.`,
          )
        : makeFinding(
            "acs-baseline/connection-string",
            file,
            at,
            `IM-1: an ACS connection string with an access key (${shown}). Remove it, rotate the key, disable local auth, and use AcsClientFactory (Microsoft Entra ID).`,
          ),
    );
  }
}

/** ACS identifiable keys (SEC101/204). Inside a reported connection string they are not reported twice. */
function identifiableKeyFindings(scan: TextScan, connectionStrings: boolean): void {
  const { file, text, index } = scan;
  IDENTIFIABLE.lastIndex = 0;
  for (let m = IDENTIFIABLE.exec(text); m !== null; m = IDENTIFIABLE.exec(text)) {
    const end = m.index + m[0].length;
    if (connectionStrings && inside(scan, m.index, end)) continue;
    scan.covered.push([m.index, end]);
    scan.out.push(
      makeFinding(
        "acs-baseline/identifiable-key",
        file,
        span(index, m.index, m[0].length),
        `IM-8: an Azure Communication Services access key (identifiable format SEC101/204, ${m[0].length} characters). Remove it from the file and its history and regenerate the key.`,
      ),
    );
  }
}

/** Legacy 88-character keys with ACS context within two lines, unless the key's own line names another service. */
function legacyKeyFindings(scan: TextScan): void {
  const { file, text, index } = scan;
  LEGACY.lastIndex = 0;
  for (let m = LEGACY.exec(text); m !== null; m = LEGACY.exec(text)) {
    const end = m.index + m[0].length;
    if (inside(scan, m.index, end)) continue;
    const { line } = index.at(m.index);
    const from = index.lineStart(Math.max(1, line - 2));
    const to = index.lineEnd(line + 2, text);
    const around = text.slice(from, m.index) + text.slice(end, to);
    if (!CONTEXT.test(around)) continue;
    // Storage, Cosmos DB and other 88-character keys: their own context on the key's line wins.
    const lineText = text.slice(index.lineStart(line), index.lineEnd(line, text));
    if (OTHER_SERVICE.test(lineText)) continue;
    scan.out.push(
      makeFinding(
        "acs-baseline/legacy-key",
        file,
        span(index, m.index, m[0].length),
        "IM-8: an 88-character base64 access key next to ACS context (an access-key name or a communication.azure.com host). Remove it from the file and its history and regenerate the key.",
      ),
    );
  }
}

/**
 * The Azure SDK's own key policy (`@azure/communication-common`'s `createCommunicationAccessKeyCredentialPolicy`,
 * bundled into every app that bundles the SDK, Entra ID apps included), as its code names itself: the policy's name
 * string (`"CommunicationAccessKeyCredentialPolicy"`, kept by minifiers; `\"…\"` in a source map's `sourcesContent`),
 * the constant holding it (`const communicationAccessKeyCredentialPolicy =`), the policy's `name:` or the 1.x class or
 * function of that name. A comment naming it ("modelled on …") is no such code.
 */
const SDK_KEY_POLICY = new RegExp(
  [
    String.raw`\\?["'\x60]communicationAccessKeyCredentialPolicy\\?["'\x60]`,
    String.raw`(?<![\w$])(?:const|let|var|class|function\*?|name\s*:)\s*communicationAccessKeyCredentialPolicy(?![\w$])`,
  ].join("|"),
  "gi",
);
/** A line that is a comment where the name is: `//`, `/*` or `*` (a block comment's) at its start. */
const COMMENT_LINE = /^\s*(?:\/\/|\/\*|\*)/;
/** Files that can hold the SDK's JavaScript: JavaScript/TypeScript sources, components, bundles and their source maps. */
const SDK_CODE_FILE = /\.(?:[cm]?[jt]sx?|vue|svelte)$|\.[cm]?js\.map$/i;
/** How far before the signing the SDK's policy names itself: 1,134 characters in its published files, 508 minified. */
const SDK_KEY_POLICY_REACH = 2000;

/** True when the signing at `at` in `file` is the SDK's own key policy: its name in code within reach before it. */
function sdkKeyPolicy(file: string, text: string, at: number): boolean {
  if (!SDK_CODE_FILE.test(file)) return false;
  const from = Math.max(0, at - SDK_KEY_POLICY_REACH);
  const window = text.slice(from, at);
  for (const m of window.matchAll(SDK_KEY_POLICY)) {
    const name = from + m.index;
    const lineStart = text.lastIndexOf("\n", name) + 1;
    if (!COMMENT_LINE.test(text.slice(lineStart, Math.min(name, lineStart + 200)))) return true;
  }
  return false;
}

/** Hand-built HMAC-SHA256 request signing (not the SDK's own key policy, bundled or vendored). */
function hmacFindings(scan: TextScan): void {
  const { file, text, index } = scan;
  HMAC.lastIndex = 0;
  for (let m = HMAC.exec(text); m !== null; m = HMAC.exec(text)) {
    if (sdkKeyPolicy(file, text, m.index)) continue;
    scan.out.push(
      makeFinding(
        "acs-baseline/hmac-signing",
        file,
        span(index, m.index, m[0].length),
        "IM-1: this code builds the ACS HMAC-SHA256 Authorization header by hand, so it signs requests with the access key. Call ACS with a Microsoft Entra ID bearer token instead.",
      ),
    );
  }
}

/**
 * Text findings for one file. `connectionStrings` is false for source files, where the `no-key-auth` rule already
 * reports connection-string literals.
 */
export function textFindings(file: string, text: string, connectionStrings: boolean): ScanFinding[] {
  // Non-ASCII text may spell a connection string in look-alikes (full-width letters, zero-width characters).
  if (!PREFILTER.test(text) && !(connectionStrings && /[\u0080-\uffff]/.test(text))) return [];
  const scan: TextScan = { file, text, index: new LineIndex(text), out: [], covered: [] };
  if (connectionStrings) connectionStringFindings(scan);
  // Source files: the lint rule reports connection strings; keys inside them are not reported twice.
  else for (const m of findConnectionStringsInAnySpelling(text)) scan.covered.push([m.index, m.index + m.length]);
  if (text.includes("JQQJ99")) identifiableKeyFindings(scan, connectionStrings);
  if (text.includes("==") && CONTEXT.test(text)) legacyKeyFindings(scan);
  if (!PROSE.test(file)) hmacFindings(scan);
  return scan.out;
}
