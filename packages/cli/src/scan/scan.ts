/**
 * `acs-baseline scan`: runs the `no-key-auth` analysis over JavaScript/TypeScript (oxc-parser, src/scan/code),
 * analyses ARM, Bicep and Terraform templates (src/scan/iac), and applies the text rules (keys, connection strings,
 * HMAC signing) to every text file.
 *
 * Which files: inside a git work tree, what `git ls-files` lists (tracked files, even when a .gitignore matches them,
 * plus untracked files no ignore rule matches — every ancestor .gitignore up to the repository root, with git's own
 * semantics); without git, a directory walk honouring the .gitignore files from the repository root (the nearest
 * ancestor with a `.git`) down. `node_modules` and `.git` are always skipped. Symbolic links, binary files and files
 * over the size limit are skipped and reported.
 */
import { lstatSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, extname, relative, resolve, sep } from "node:path";
import { makeFinding } from "./finding.js";
import type { ScanFinding, ScanFindingKind } from "./finding.js";
import { iacFileFindings, iacLanguage } from "./iac/analyse.js";
import type { IacHost } from "./iac/model.js";
import { languageFindings } from "./languages/analyse.js";
import { jsFindings } from "./code/jsAnalysis.js";
import { decodeText } from "./decodeText.js";
import { escapedConnectionStringFindings } from "./text/escapedConnectionStrings.js";
import { textFindings } from "./text/textRules.js";
import { listDirectory } from "./fileListing.js";

export type { ScanFinding, ScanFindingKind };
export { decodeText };

/** Why a file was not scanned. @public */
export type ScanSkipReason = "symlink" | "binary" | "too-large" | "unreadable";

/** A file that was not scanned. @public */
export interface ScanSkip {
  file: string;
  reason: ScanSkipReason;
}

/** Result of a scan. @public */
export interface ScanResult {
  findings: ScanFinding[];
  filesScanned: number;
  /** Number of files skipped (symbolic links, binary, too large, unreadable); each is listed in `skipped`. */
  filesSkipped: number;
  skipped: ScanSkip[];
}

/** Options of {@link scanPaths}. @public */
export interface ScanOptions {
  /** Base for relative paths in findings and for resolving `paths`. Default `process.cwd()`. */
  cwd?: string;
  /** Called after each file with the count so far (for progress output). */
  onProgress?: (filesScanned: number) => void;
  /** Files larger than this many bytes are skipped and reported. Default {@link MAX_SCAN_FILE_BYTES}. */
  maxFileBytes?: number;
  /** Use `git ls-files` inside a git work tree (default true). */
  useGit?: boolean;
}

/** Default size limit: larger files are skipped and reported (`--max-file-size`). @public */
export const MAX_SCAN_FILE_BYTES = 2 * 1024 * 1024;

const JS = new Set([".js", ".cjs", ".mjs", ".jsx"]);
const TS = new Set([".ts", ".cts", ".mts", ".tsx"]);
// A source file can only produce a rule finding if it names an ACS package (possibly assembled or escaped) or holds
// an access key (possibly escaped): every other file skips the parse.
const CODE_PREFILTER = /communication|access_?key|\\u|\\x[0-9a-f]{2}|%[0-9a-f]{2}/i;

/**
 * Scans one file's content: source files with the rule, IaC templates with the IaC analysers, every file with the
 * text rules. `path` (absolute) and `host` let the IaC analysers read modules and sibling Terraform files.
 */
export function scanText(file: string, text: string, context: { path?: string; host?: IacHost } = {}): ScanFinding[] {
  const ext = extname(file).toLowerCase();
  const isSource = JS.has(ext) || TS.has(ext);
  if (isSource) {
    const lint = CODE_PREFILTER.test(text) ? jsFindings(file, text, ext) : [];
    if (lint.some((f) => f.kind === "parse-error")) return lint;
    return [...lint, ...textFindings(file, text, false)];
  }
  const out = [...textFindings(file, text, true), ...escapedConnectionStringFindings(file, text)];
  if (iacLanguage(file) === undefined) out.push(...languageFindings(file, text));
  else {
    try {
      out.push(...iacFileFindings(file, context.path ?? resolve(file), text, context.host));
    } catch (error) {
      out.push(
        makeFinding(
          "acs-baseline/parse-error",
          file,
          { line: 1, column: 1 },
          `The template could not be analysed (${String((error as Error).message).slice(0, 160)}); only its text was searched.`,
        ),
      );
    }
  }
  return out;
}

/** One scan in progress: the result so far, the text cache the IaC analysers read through, and the options. */
interface ScanSession {
  result: ScanResult;
  cwd: string;
  maxBytes: number;
  texts: Map<string, string | undefined>;
  host: IacHost;
  onProgress?: (filesScanned: number) => void;
}

/** `absolute` as findings show it: relative to `cwd`, with forward slashes. */
function displayPath(cwd: string, absolute: string): string {
  const prefix = resolve(cwd) + sep;
  const shown = absolute.startsWith(prefix) ? absolute.slice(prefix.length) : relative(cwd, absolute);
  return shown.split(sep).join("/") || basename(absolute);
}

function skipFile(session: ScanSession, absolute: string, reason: ScanSkipReason): void {
  session.result.filesSkipped++;
  session.result.skipped.push({ file: displayPath(session.cwd, absolute), reason });
}

/** A new session, with the cached reader the IaC analysers use for modules and sibling files. */
function newSession(options: ScanOptions): ScanSession {
  const maxBytes = options.maxFileBytes ?? MAX_SCAN_FILE_BYTES;
  const texts = new Map<string, string | undefined>();
  const read = (absolute: string): string | undefined => {
    if (texts.has(absolute)) return texts.get(absolute);
    let text: string | undefined;
    try {
      const st = lstatSync(absolute);
      text = st.isFile() && st.size <= maxBytes ? decodeText(readFileSync(absolute)) : undefined;
    } catch {
      text = undefined;
    }
    if (texts.size > 2000) texts.clear();
    texts.set(absolute, text);
    return text;
  };
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  return {
    result: { findings: [], filesScanned: 0, filesSkipped: 0, skipped: [] },
    cwd: options.cwd ?? process.cwd(),
    maxBytes,
    texts,
    host: { read, list },
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  };
}

/** The text of one file, or why it is skipped (undefined: not a regular file, nothing to report). */
function readScanned(absolute: string, maxBytes: number): { text: string } | { skip: ScanSkipReason } | undefined {
  let st;
  try {
    st = lstatSync(absolute);
  } catch {
    return { skip: "unreadable" };
  }
  if (st.isSymbolicLink()) return { skip: "symlink" };
  if (!st.isFile()) return undefined;
  if (st.size > maxBytes) return { skip: "too-large" };
  let buffer: Buffer;
  try {
    buffer = readFileSync(absolute);
  } catch {
    return { skip: "unreadable" };
  }
  const text = decodeText(buffer);
  return text === undefined ? { skip: "binary" } : { text };
}

/** Reads and analyses one file, or records why it was skipped. */
function scanFile(session: ScanSession, absolute: string): void {
  const read = readScanned(absolute, session.maxBytes);
  if (read === undefined) return;
  if ("skip" in read) return skipFile(session, absolute, read.skip);
  const { text } = read;
  if (iacLanguage(absolute) !== undefined) session.texts.set(absolute, text);
  session.result.filesScanned++;
  session.result.findings.push(
    ...scanText(displayPath(session.cwd, absolute), text, { path: absolute, host: session.host }),
  );
  session.onProgress?.(session.result.filesScanned);
}

/**
 * Scans files and directories (see the module comment for which files). Files named explicitly are always scanned.
 * @throws Error when a path does not exist.
 * @public
 */
export function scanPaths(paths: readonly string[], options: ScanOptions = {}): ScanResult {
  const session = newSession(options);
  const visit = {
    file: (absolute: string) => scanFile(session, absolute),
    symlink: (absolute: string) => skipFile(session, absolute, "symlink"),
  };
  for (const path of paths) {
    const absolute = resolve(session.cwd, path);
    const st = lstatSync(absolute); // throws ENOENT for a missing path
    if (st.isSymbolicLink() && !statSync(absolute).isDirectory()) visit.symlink(absolute);
    else if (statSync(absolute).isDirectory()) listDirectory(absolute, options.useGit !== false, visit);
    else scanFile(session, absolute);
  }
  const findings = session.result.findings;
  findings.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
  return session.result;
}
