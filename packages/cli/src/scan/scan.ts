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
import { lstatSync, readdirSync, realpathSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { extname, resolve } from "node:path";
import { makeFinding } from "./finding.js";
import type { ScanFinding, ScanFindingKind } from "./finding.js";
import { iacFileFindings, iacLanguage } from "./iac/analyse.js";
import { ArmExpressionError } from "./iac/armExpression.js";
import { JsonSyntaxError } from "./iac/armJson.js";
import type { IacHost } from "./iac/model.js";
import { TemplateTooDeepError, checkTemplateDepth } from "./iac/templateDepth.js";
import { languageFindings } from "./languages/analyse.js";
import { codeOutcome } from "./code/codeOutcome.js";
import type { CodeFile, CodeOutcome, FileOutcome } from "./code/codeOutcome.js";
import { CodeWorkerPool } from "./code/codeWorkerPool.js";
import { sandboxOutcomes } from "./code/parserSandbox.js";
import { needsSandbox, sandboxAvailable } from "./code/sandboxRisk.js";
import { isSourceExtension, needsParse, sourceFindings } from "./code/sourceFindings.js";
import { decodeText } from "./decodeText.js";
import { readRegularFile, readScanned } from "./readScanned.js";
import type { ScanSkipReason } from "./readScanned.js";
import { fileTextFindings } from "./text/fileTextFindings.js";
import { listDirectory } from "./fileListing.js";
import { decodePath, displayBeside, displayPath, fsPath } from "./rawNames.js";
import { appendAll } from "./appendAll.js";

export type { ScanFinding, ScanFindingKind, ScanSkipReason };
export { decodeText };

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
  /**
   * {@link scanPathsInParallel} only: threads that analyse JavaScript/TypeScript files, the calling one included.
   * Default {@link defaultScanJobs}; 1 analyses everything on the calling thread; at most {@link maxUsefulScanJobs} are
   * started (more asked for gets a notice, see `onNotice`).
   * Workers start only when at least {@link MIN_PARSED_FILES_FOR_WORKERS} source files need parsing.
   */
  jobs?: number;
  /**
   * Called with a one-line notice (escaped for a terminal): when git is installed but refuses to list a work tree
   * (its reason; that tree is then walked with no ignore rule), and, {@link scanPathsInParallel} only, when `jobs`
   * asks for more threads than {@link maxUsefulScanJobs} (fewer are used). Default: the line is written to the
   * process's standard error.
   */
  onNotice?: (message: string) => void;
}

/** Default size limit: larger files are skipped and reported (`--max-file-size`). @public */
export const MAX_SCAN_FILE_BYTES = 2 * 1024 * 1024;

/** Default cap on {@link ScanOptions.jobs}. @public */
export const MAX_DEFAULT_SCAN_JOBS = 4;
/** Most threads a scan uses, whatever {@link ScanOptions.jobs} asks (each worker has a heap of its own). @public */
export const MAX_SCAN_JOBS = 64;

/**
 * The default {@link ScanOptions.jobs}: one thread less than the available parallelism (the runtime's garbage
 * collector and compiler keep part of another core busy beside a one-thread scan, so on two cores a worker only
 * competes with them), at least 1 and at most {@link MAX_DEFAULT_SCAN_JOBS}. @public
 */
export function defaultScanJobs(): number {
  return Math.max(1, Math.min(availableParallelism() - 1, MAX_DEFAULT_SCAN_JOBS));
}

/**
 * Most threads a scan starts on this machine: twice the available parallelism, at least
 * {@link MAX_DEFAULT_SCAN_JOBS}, at most {@link MAX_SCAN_JOBS}. Each worker has a heap of its own and more threads than
 * cores only compete: on two cores, a tree of 2,000 ACS files took 0.61 s and 89 MB with one thread, 0.85 s and
 * 153 MB with 4, 5.44 s and 1.18 GB with 64. @public
 */
export function maxUsefulScanJobs(): number {
  return Math.min(MAX_SCAN_JOBS, Math.max(MAX_DEFAULT_SCAN_JOBS, 2 * availableParallelism()));
}

/**
 * Fewer source files to parse (files that name an ACS package or hold an access key) than this are analysed on the
 * calling thread: starting a worker would cost more than it saves. @public
 */
export const MIN_PARSED_FILES_FOR_WORKERS = 250;

/**
 * Why a template's analysis failed, in fixed words: the analysers' own syntax errors say what and where (fixed text
 * and numbers), but any other error's message could quote the template (`Cannot read properties of undefined
 * (reading '<a key from the file>')`), and the finding is printed and uploaded.
 */
function templateErrorReason(error: unknown): string {
  if (error instanceof JsonSyntaxError || error instanceof ArmExpressionError) return error.message.slice(0, 160);
  if (error instanceof TemplateTooDeepError) return error.message;
  return error instanceof RangeError ? "nested too deep to analyse" : "the analyser failed";
}

/**
 * The parse-error finding of a template that could not be analysed (`reason`: fixed words, see above), found by its
 * own scan or (`neighbour`) by the analysis of a template that reads it, which may be outside the scan.
 */
function templateError(file: string, reason: string, neighbour = false): ScanFinding {
  const outcome = neighbour ? "the templates that read it were analysed without it" : "only its text was searched";
  const message = `The template could not be analysed (${reason}); ${outcome}.`;
  return makeFinding("acs-baseline/parse-error", file, { line: 1, column: 1 }, message);
}

/** Where {@link scanText} finds the files around the one it scans. */
interface ScanTextContext {
  /** The file's absolute path (default: `file` resolved). */
  path?: string;
  /** Lets the IaC analysers read modules and sibling Terraform files. */
  host?: IacHost;
  /**
   * The absolute paths of the templates that already have their parse-error finding in this scan: a template that
   * cannot be analysed is reported once, by its own scan or by the analysis of a file that reads it, whichever is
   * first (each adds it here).
   */
  reported?: Set<string>;
}

/**
 * Scans one file's content: source files with the rule, IaC templates with the IaC analysers, every file with the
 * text rules. `path` (absolute) and `host` let the IaC analysers read modules and sibling Terraform files.
 */
export function scanText(file: string, text: string, context: ScanTextContext = {}): ScanFinding[] {
  const ext = extname(file).toLowerCase();
  if (isSourceExtension(ext)) return sourceFindings(file, text, ext);
  const out = fileTextFindings(file, text);
  if (iacLanguage(file) === undefined) appendAll(out, languageFindings(file, text));
  else appendAll(out, templateFindings(file, text, context));
  return out;
}

/** `path` with symbolic links resolved, or `path` itself when it cannot be resolved. */
function realPathOf(path: string): string {
  try {
    return realpathSync(fsPath(path));
  } catch {
    return path;
  }
}

/** {@link templateError} for the template at `target.absolute`, named `target.shown`, unless this scan has it already. */
function templateErrorOnce(
  context: ScanTextContext,
  target: { absolute: string; shown: string; neighbour?: boolean },
  error: unknown,
): ScanFinding[] {
  const key = realPathOf(target.absolute);
  if (context.reported?.has(key) === true) return [];
  context.reported?.add(key);
  return [templateError(target.shown, templateErrorReason(error), target.neighbour)];
}

/**
 * A template's IaC findings, or its parse-error finding when it cannot be analysed: a syntax error, or nested deeper
 * than its analysers may recurse on this process's stack (only a stack under 2 MiB has such a limit, see
 * `maxTemplateDepth`; on a larger one V8's RangeError stops them). Each other file the analysis read and could not
 * parse (a Terraform file of the same module or of a child module, a Bicep module) was left out of it, and gets its
 * parse-error finding here.
 */
function templateFindings(file: string, text: string, context: ScanTextContext): ScanFinding[] {
  const path = context.path ?? resolve(file);
  let analysed: ReturnType<typeof iacFileFindings>;
  try {
    checkTemplateDepth(text);
    analysed = iacFileFindings(file, path, text, context.host);
  } catch (error) {
    return templateErrorOnce(context, { absolute: path, shown: file }, error);
  }
  const out = analysed.findings;
  for (const { path: read, error } of analysed.unanalysed) {
    // Named by its real path, once: a module read through a symlinked directory is the file the scan reaches directly.
    const other = realPathOf(read);
    const shown = displayBeside(file, path, other);
    appendAll(out, templateErrorOnce(context, { absolute: other, shown, neighbour: true }, error));
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
  /** Templates with a parse-error finding so far (see {@link ScanTextContext.reported}). */
  reported: Set<string>;
  /** The paths named on the command line that are not directories: one that is not a regular file is reported. */
  named: Set<string>;
  onProgress?: (filesScanned: number) => void;
  /** Where a listing's notice goes (see {@link ScanOptions.onNotice}). */
  notice: (message: string) => void;
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
      const st = lstatSync(fsPath(absolute));
      const bytes = st.isFile() && st.size <= maxBytes ? readRegularFile(absolute, st, maxBytes) : undefined;
      text = bytes === undefined || bytes === "too-large" ? undefined : decodeText(bytes);
    } catch {
      text = undefined;
    }
    if (texts.size > 2000) texts.clear();
    texts.set(absolute, text);
    return text;
  };
  const list = (dir: string): string[] => {
    try {
      return readdirSync(fsPath(dir), { encoding: "buffer" }).map(decodePath);
    } catch {
      return [];
    }
  };
  return {
    result: { findings: [], filesScanned: 0, filesSkipped: 0, skipped: [] },
    cwd: options.cwd ?? process.cwd(),
    maxBytes,
    texts,
    reported: new Set(),
    named: new Set(),
    host: { read, list },
    notice: options.onNotice ?? ((message) => process.stderr.write(`${message}\n`)),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  };
}

/** Scans one file that is not a JavaScript/TypeScript source on the calling thread. */
function otherOutcome(session: ScanSession, absolute: string): FileOutcome {
  const read = readScanned(absolute, session.maxBytes);
  if (read === undefined) return null;
  if ("skip" in read) return read;
  if (iacLanguage(absolute) !== undefined) session.texts.set(absolute, read.text);
  const context = { path: absolute, host: session.host, reported: session.reported };
  return { findings: scanText(displayPath(session.cwd, absolute), read.text, context) };
}

/** Adds one file's outcome to the result. */
function record(session: ScanSession, absolute: string, outcome: FileOutcome): void {
  // Not a regular file (a FIFO, a device): silent inside a directory, but one named explicitly is reported as skipped,
  // so `scan /dev/zero` or `scan some-fifo` does not read as "nothing found".
  if (outcome === null) return session.named.has(absolute) ? skipFile(session, absolute, "unreadable") : undefined;
  if ("skip" in outcome) return skipFile(session, absolute, outcome.skip);
  session.result.filesScanned++;
  appendAll(session.result.findings, outcome.findings);
  session.onProgress?.(session.result.filesScanned);
}

/** One file to visit, in listing order: `symlink` when the listing reported a link it did not follow. */
interface Target {
  absolute: string;
  symlink: boolean;
  /** Set for a directory the listing could not read (reported as unreadable). */
  unreadable?: boolean;
  /** Set for a JavaScript/TypeScript file. */
  code?: CodeFile;
}

/** The files to visit, in the order the scan reports them. @throws Error when a path does not exist. */
function listTargets(session: ScanSession, paths: readonly string[], useGit: boolean): Target[] {
  const targets: Target[] = [];
  const visit = {
    file: (absolute: string) => {
      const ext = extname(absolute).toLowerCase();
      const code = isSourceExtension(ext) ? { absolute, display: displayPath(session.cwd, absolute), ext } : undefined;
      targets.push(code === undefined ? { absolute, symlink: false } : { absolute, symlink: false, code });
    },
    symlink: (absolute: string) => targets.push({ absolute, symlink: true }),
    unreadable: (absolute: string) => targets.push({ absolute, symlink: false, unreadable: true }),
    notice: session.notice,
  };
  for (const path of paths) {
    const absolute = resolve(session.cwd, path);
    const st = lstatSync(fsPath(absolute)); // throws ENOENT for a missing path
    if (st.isSymbolicLink() && !statSync(fsPath(absolute)).isDirectory()) visit.symlink(absolute);
    else if (statSync(fsPath(absolute)).isDirectory()) listDirectory(absolute, useGit, visit);
    else {
      session.named.add(absolute);
      visit.file(absolute);
    }
  }
  return targets;
}

function finish(session: ScanSession): ScanResult {
  const findings = session.result.findings;
  findings.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
  return session.result;
}

/**
 * Analyses the source files left to the parser sandbox (outcome `"sandbox"`) there, in one child process, and
 * records every outcome in listing order.
 */
function recordAll(session: ScanSession, targets: readonly Target[], outcomes: readonly CodeOutcome[]): void {
  const sandboxed = outcomes.flatMap((outcome, i) => (outcome === "sandbox" ? [i] : []));
  const settled = sandboxOutcomes(
    sandboxed.map((i) => targets[i].code as CodeFile),
    session.maxBytes,
  );
  const final = [...outcomes];
  sandboxed.forEach((target, k) => (final[target] = settled[k]));
  targets.forEach((target, i) => {
    if (target.symlink) skipFile(session, target.absolute, "symlink");
    else if (target.unreadable === true) skipFile(session, target.absolute, "unreadable");
    else record(session, target.absolute, final[i] as FileOutcome);
  });
}

/**
 * Scans files and directories (see the module comment for which files) on the calling thread; a source file the
 * native parser could crash on is analysed in the parser sandbox (a child process). Files named explicitly are
 * always scanned.
 * @throws Error when a path does not exist.
 * @public
 */
export function scanPaths(paths: readonly string[], options: ScanOptions = {}): ScanResult {
  const session = newSession(options);
  const sandboxed: CodeFile[] = [];
  for (const target of listTargets(session, paths, options.useGit !== false)) {
    if (target.symlink) skipFile(session, target.absolute, "symlink");
    else if (target.unreadable === true) skipFile(session, target.absolute, "unreadable");
    else if (target.code === undefined) record(session, target.absolute, otherOutcome(session, target.absolute));
    else {
      const outcome = codeOutcome(target.code, session.maxBytes);
      if (outcome === "sandbox") sandboxed.push(target.code);
      else record(session, target.absolute, outcome);
    }
  }
  // The files for the parser sandbox, all in one child process, once the rest is done (findings are sorted anyway).
  const settled = sandboxOutcomes(sandboxed, session.maxBytes);
  sandboxed.forEach((file, k) => record(session, file.absolute, settled[k]));
  return finish(session);
}

/** Says so, once, when `options.jobs` asks for more threads than the scan starts on this machine. */
function noticeClampedJobs(options: ScanOptions): void {
  const useful = maxUsefulScanJobs();
  if (options.jobs === undefined || !(options.jobs > useful)) return;
  const message =
    `acs-baseline scan: --jobs ${Math.floor(options.jobs)} is more than this machine can use ` +
    `(${availableParallelism()} CPUs); using at most ${useful} threads`;
  if (options.onNotice !== undefined) options.onNotice(message);
  else process.stderr.write(`${message}\n`);
}

/** Worker threads for a scan that parses `parsed` source files with `jobs` threads asked for. */
function workerCount(parsed: number, jobs: number | undefined): number {
  if (parsed < MIN_PARSED_FILES_FOR_WORKERS) return 0;
  const threads = Math.min(jobs ?? defaultScanJobs(), maxUsefulScanJobs());
  return Number.isFinite(threads) ? Math.max(0, Math.floor(threads) - 1) : 0;
}

/**
 * The outcome of each source file that needs no parse (the text rules only, cheap), and the indices of those that
 * do: they are read again where they are analysed, so no thread holds more than one file's text at a time.
 */
function triageSources(targets: readonly Target[], maxBytes: number, outcomes: CodeOutcome[]): number[] {
  const toParse: number[] = [];
  targets.forEach((target, i) => {
    if (target.code === undefined) return;
    const read = readScanned(target.absolute, maxBytes);
    if (read === undefined || "skip" in read) outcomes[i] = read ?? null;
    else if (needsSandbox(read.text) && sandboxAvailable()) outcomes[i] = "sandbox";
    else if (needsParse(read.text)) toParse.push(i);
    else outcomes[i] = { findings: sourceFindings(target.code.display, read.text, target.code.ext) };
  });
  return toParse;
}

/**
 * {@link scanPaths}, with the JavaScript/TypeScript files to parse of a large scan analysed on worker threads too (see
 * {@link ScanOptions.jobs}) while the calling thread scans the other files. The result is the same as
 * {@link scanPaths}'s: outcomes are kept per file and reported in listing order; a file a worker could not finish
 * (it died, or the analysis threw) is analysed again on the calling thread.
 * @throws Error when a path does not exist.
 * @public
 */
export async function scanPathsInParallel(paths: readonly string[], options: ScanOptions = {}): Promise<ScanResult> {
  noticeClampedJobs(options);
  // One thread: one pass, each file read once.
  if (workerCount(MIN_PARSED_FILES_FOR_WORKERS, options.jobs) === 0) return scanPaths(paths, options);
  const session = newSession(options);
  const targets = listTargets(session, paths, options.useGit !== false);
  const outcomes = new Array<CodeOutcome>(targets.length).fill(null);
  const toParse = triageSources(targets, session.maxBytes, outcomes);
  const files = toParse.map((i) => targets[i].code as CodeFile);
  const pool = new CodeWorkerPool(files, session.maxBytes, workerCount(files.length, options.jobs));
  targets.forEach((t, i) => {
    if (!t.symlink && t.unreadable !== true && t.code === undefined) outcomes[i] = otherOutcome(session, t.absolute);
  });
  const parsed = await pool.finish();
  toParse.forEach((target, k) => (outcomes[target] = parsed[k]));
  recordAll(session, targets, outcomes);
  return finish(session);
}
