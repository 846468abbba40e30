/**
 * The findings of one JavaScript/TypeScript file: the `no-key-auth` analysis when the text could hold a finding, and
 * the text rules. Shared by the scan's main thread and its code workers, so both analyse a file the same way.
 */
import { plainForm } from "acs-baseline/internal/text";
import { makeFinding } from "../finding.js";
import type { ScanFinding } from "../finding.js";
import { encodedConnectionStringFindings } from "../text/encodedConnectionStrings.js";
import { fileTextFindings } from "../text/fileTextFindings.js";
import { textFindings } from "../text/textRules.js";
import { COMPONENT_EXTENSIONS, componentViews } from "./componentScripts.js";
import { jsFindings, unparsedFindings } from "./jsAnalysis.js";

const SOURCE_EXTENSIONS = new Set([
  ".js",
  ".cjs",
  ".mjs",
  ".jsx",
  ".ts",
  ".cts",
  ".mts",
  ".tsx",
  ...COMPONENT_EXTENSIONS,
]);
// A source file can only produce a rule finding if it names an ACS package (possibly assembled or escaped) or holds
// an access key (possibly escaped): every other file skips the parse.
const CODE_PREFILTER = /communication|access_?key|\\u|\\x[0-9a-f]{2}|%[0-9a-f]{2}/i;

const NON_ASCII = /[\u0080-\uffff]/;
// A connection string written with look-alikes (full-width letters, zero-width characters) reads `accesskey` in NFKC.
const LOOK_ALIKE_KEY = /access_?key/i;

/** True for a JavaScript/TypeScript extension (lower case, with its dot). */
export function isSourceExtension(ext: string): boolean {
  return SOURCE_EXTENSIONS.has(ext);
}

/** True when a source file's text could hold a rule finding: only then is it parsed (the costly part). */
export function needsParse(text: string): boolean {
  return CODE_PREFILTER.test(text) || (NON_ASCII.test(text) && LOOK_ALIKE_KEY.test(plainForm(text)));
}

/**
 * The findings of one source file (`ext`: its extension, lower case). A component (`.vue`, `.svelte`) gets its script
 * blocks analysed as one program and the rest of it (template, markup, styles) the text rules of any file. An analysis
 * that throws costs this file a parse-error finding (and its text searched), never the scan.
 */
export function sourceFindings(file: string, text: string, ext: string): ScanFinding[] {
  try {
    if (!COMPONENT_EXTENSIONS.has(ext)) return scriptFindings(file, text, ext);
    const views = componentViews(text);
    return [...scriptFindings(file, views.script, views.ext, views.guarded), ...fileTextFindings(file, views.rest)];
  } catch {
    return analyserFailed(file, text);
  }
}

/** What a file whose analysis threw gets: a parse-error finding and, unless they throw too, the text rules. */
function analyserFailed(file: string, text: string): ScanFinding[] {
  try {
    return unparsedFindings(file, text, "the analyser failed");
  } catch {
    const message = "The file could not be parsed (the analyser failed); its text could not be searched either.";
    return [makeFinding("acs-baseline/parse-error", file, { line: 1, column: 1 }, message)];
  }
}

/** The findings of one program (`ext`: the extension it is parsed as; `guarded`: see `parseProgram`). */
function scriptFindings(file: string, text: string, ext: string, guarded?: string): ScanFinding[] {
  const lint = needsParse(text) ? jsFindings(file, text, ext, guarded) : [];
  if (lint.some((f) => f.kind === "parse-error")) return lint;
  // The lint rule decodes base64 in string literals; the text rule finds the rest (comments, assembled text), once.
  const encoded = encodedConnectionStringFindings(file, text).filter(
    (e) => !lint.some((f) => f.message.includes("base64-encoded") && f.line <= e.line && e.endLine <= f.endLine),
  );
  return [...lint, ...textFindings(file, text, false), ...encoded];
}
