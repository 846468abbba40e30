/**
 * `acs-baseline scan`: runs the `no-key-auth` rule over source files (ESLint's Linter, no user configuration),
 * analyses ARM, Bicep and Terraform templates (src/scan/iac), and applies the text rules (keys, connection strings,
 * HMAC signing) to every text file.
 *
 * Which files: inside a git work tree, what `git ls-files` lists (tracked files, even when a .gitignore matches them,
 * plus untracked files no ignore rule matches — every ancestor .gitignore up to the repository root, with git's own
 * semantics); without git, a directory walk honouring the .gitignore files from the repository root (the nearest
 * ancestor with a `.git`) down. `node_modules` and `.git` are always skipped. Symbolic links, binary files and files
 * over the size limit are skipped and reported.
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";
import type * as ESLintModule from "eslint";
import type { Linter } from "eslint";
import ignore from "ignore";
import type { Ignore } from "ignore";
import plugin from "eslint-plugin-acs-baseline";
import { makeFinding } from "./finding.js";
import type { ScanFinding, ScanFindingKind } from "./finding.js";
import { iacFileFindings, iacLanguage } from "./iac/analyse.js";
import type { IacHost } from "./iac/model.js";
import { nodeRequire } from "./nodeRequire.js";
import { languageFindings } from "./languages/analyse.js";
import { decodeText } from "./text/decodeText.js";
import { textFindings } from "./text/textRules.js";

export { decodeText };

export type { ScanFinding, ScanFindingKind };

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
// ESLint's flat config only lints a file that a non-universal `files` pattern matches ("**/*" alone matches
// nothing but .js/.mjs/.cjs), so every extension is listed; the Linter is given the base name only, so paths outside
// the working directory (`../x`, absolute) still match.
const SOURCE_FILES = ["**/*.js", "**/*.cjs", "**/*.mjs", "**/*.jsx", "**/*.ts", "**/*.cts", "**/*.mts", "**/*.tsx"];
const ALWAYS_SKIPPED = new Set(["node_modules", ".git"]);
const RULE_ID = "acs-baseline/no-key-auth";
// A source file can only produce a rule finding if it names an ACS package or holds an access key.
const LINT_PREFILTER = /@azure(?:-rest)?\/communication-|accesskey/i;

const rules = { [RULE_ID]: "error" as const };
const plugins = { "acs-baseline": plugin as unknown as NonNullable<Linter.Config["plugins"]>[string] };
let linter: Linter | undefined;
const configs = new Map<string, Linter.Config[]>();

/** ESLint's Linter and the config for a dialect, loaded on first use (most files never need them). */
function linterFor(kind: "module" | "commonjs" | "typescript"): { linter: Linter; config: Linter.Config[] } {
  if (linter === undefined) {
    const eslint = nodeRequire("eslint") as typeof ESLintModule;
    linter = new eslint.Linter({ configType: "flat" });
  }
  let config = configs.get(kind);
  if (config === undefined) {
    const languageOptions: Linter.LanguageOptions =
      kind === "typescript"
        ? { parser: nodeRequire("@typescript-eslint/parser") as Linter.Parser, sourceType: "module", parserOptions: { ecmaFeatures: { jsx: true } } }
        : { ecmaVersion: "latest", sourceType: kind, parserOptions: { ecmaFeatures: { jsx: true } } };
    config = [{ files: SOURCE_FILES, plugins, rules, languageOptions }];
    configs.set(kind, config);
  }
  return { linter, config };
}

function lintFindings(file: string, text: string, ext: string): ScanFinding[] {
  const kinds = TS.has(ext) ? (["typescript"] as const) : ext === ".cjs" ? (["commonjs", "module"] as const) : (["module", "commonjs"] as const);
  let messages: Linter.LintMessage[] = [];
  for (const kind of kinds) {
    const { linter: l, config } = linterFor(kind);
    messages = l.verify(text, config, { filename: basename(file) });
    if (!messages.some((m) => m.fatal === true)) break;
  }
  // A message without a rule that is not a parse error ("No matching configuration found…") means the rule did
  // not run: never report such a file as clean.
  const notRun = messages.find((m) => m.ruleId === null && m.fatal !== true && m.message.startsWith("No matching configuration"));
  if (notRun !== undefined) throw new Error(`acs-baseline scan: the rule did not run on ${file}: ${notRun.message}`);
  const fatal = messages.find((m) => m.fatal === true);
  if (fatal !== undefined) {
    // The file does not parse: report that, and still search its text (connection strings included).
    return [
      makeFinding(
        "acs-baseline/parse-error",
        file,
        { line: fatal.line, column: fatal.column },
        `The file could not be parsed (${fatal.message.replace(/\s+/g, " ").slice(0, 160)}); only its text was searched.`,
      ),
      ...textFindings(file, text, true),
    ];
  }
  return messages
    .filter((m) => m.ruleId === RULE_ID)
    .map((m) =>
      makeFinding(
        // A connection-string literal with a placeholder key is the template rule's finding (a warning), as in other files.
        m.messageId === "connectionStringTemplate" ? "acs-baseline/connection-string-template" : RULE_ID,
        file,
        { line: m.line, column: m.column, endLine: m.endLine, endColumn: m.endColumn },
        m.message,
      ),
    );
}

/**
 * Scans one file's content: source files with the rule, IaC templates with the IaC analysers, every file with the
 * text rules. `path` (absolute) and `host` let the IaC analysers read modules and sibling Terraform files.
 */
export function scanText(file: string, text: string, context: { path?: string; host?: IacHost } = {}): ScanFinding[] {
  const ext = extname(file).toLowerCase();
  const isSource = JS.has(ext) || TS.has(ext);
  if (isSource) {
    const lint = LINT_PREFILTER.test(text) ? lintFindings(file, text, ext) : [];
    if (lint.some((f) => f.kind === "parse-error")) return lint;
    return [...lint, ...textFindings(file, text, false)];
  }
  const out = textFindings(file, text, true);
  if (iacLanguage(file) === undefined) out.push(...languageFindings(file, text));
  else {
    try {
      out.push(...iacFileFindings(file, context.path ?? resolve(file), text, context.host));
    } catch (error) {
      out.push(makeFinding("acs-baseline/parse-error", file, { line: 1, column: 1 }, `The template could not be analysed (${String((error as Error).message).slice(0, 160)}); only its text was searched.`));
    }
  }
  return out;
}

/** The nearest ancestor of `dir` (itself included) that holds a `.git`, or undefined. */
function repositoryRoot(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, ".git"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** Files git would consider (tracked + untracked not ignored), absolute; undefined when git is unavailable here. */
function gitFiles(dir: string): string[] | undefined {
  const r = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name", "."], {
    cwd: dir,
    encoding: "buffer",
    maxBuffer: 512 * 1024 * 1024,
    stdio: ["ignore", "pipe", "ignore"],
  });
  if (r.status !== 0 || r.error !== undefined) return undefined;
  const top = spawnSync("git", ["rev-parse", "--show-toplevel"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  if (top.status !== 0) return undefined;
  const root = top.stdout.trim();
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of r.stdout.toString("utf8").split("\0")) {
    if (name === "" || seen.has(name)) continue;
    seen.add(name);
    if (name.split("/").some((part) => ALWAYS_SKIPPED.has(part))) continue;
    out.push(join(root, ...name.split("/")));
  }
  return out.sort();
}

/**
 * Scans files and directories (see the module comment for which files). Files named explicitly are always scanned.
 * @throws Error when a path does not exist.
 * @public
 */
export function scanPaths(paths: readonly string[], options: ScanOptions = {}): ScanResult {
  const cwd = options.cwd ?? process.cwd();
  const maxBytes = options.maxFileBytes ?? MAX_SCAN_FILE_BYTES;
  const result: ScanResult = { findings: [], filesScanned: 0, filesSkipped: 0, skipped: [] };
  const prefix = resolve(cwd) + sep;
  const display = (absolute: string) =>
    (absolute.startsWith(prefix) ? absolute.slice(prefix.length) : relative(cwd, absolute)).split(sep).join("/") || basename(absolute);
  const skip = (absolute: string, reason: ScanSkipReason) => {
    result.filesSkipped++;
    result.skipped.push({ file: display(absolute), reason });
  };

  const texts = new Map<string, string | undefined>();
  const readText = (absolute: string): string | undefined => {
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
  const host: IacHost = {
    read: readText,
    list: (dir) => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    },
  };

  const scanFile = (absolute: string) => {
    let st;
    try {
      st = lstatSync(absolute);
    } catch {
      skip(absolute, "unreadable");
      return;
    }
    if (st.isSymbolicLink()) return skip(absolute, "symlink");
    if (!st.isFile()) return;
    if (st.size > maxBytes) return skip(absolute, "too-large");
    let buffer: Buffer;
    try {
      buffer = readFileSync(absolute);
    } catch {
      return skip(absolute, "unreadable");
    }
    const text = decodeText(buffer);
    if (text === undefined) return skip(absolute, "binary");
    if (iacLanguage(absolute) !== undefined) texts.set(absolute, text);
    result.filesScanned++;
    result.findings.push(...scanText(display(absolute), text, { path: absolute, host }));
    options.onProgress?.(result.filesScanned);
  };

  const walk = (dir: string, rules: { base: string; ig: Ignore }[]) => {
    let own = rules;
    try {
      own = [...rules, { base: dir, ig: ignore().add(readFileSync(join(dir, ".gitignore"), "utf8")) }];
    } catch {
      // no .gitignore here
    }
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (ALWAYS_SKIPPED.has(entry.name)) continue;
      const absolute = join(dir, entry.name);
      const isDir = entry.isDirectory();
      if (own.some(({ base, ig }) => ig.ignores(relative(base, absolute).split(sep).join("/") + (isDir ? "/" : "")))) continue;
      if (isDir) walk(absolute, own);
      else if (entry.isSymbolicLink()) skip(absolute, "symlink");
      else if (entry.isFile()) scanFile(absolute);
    }
  };

  /** The .gitignore rules of the ancestors of `dir` up to the repository root (outermost first). */
  const ancestorRules = (dir: string): { base: string; ig: Ignore }[] => {
    const root = repositoryRoot(dirname(dir));
    if (root === undefined) return [];
    const chain: string[] = [];
    for (let d = dirname(dir); ; d = dirname(d)) {
      chain.unshift(d);
      if (d === root || dirname(d) === d) break;
    }
    const out: { base: string; ig: Ignore }[] = [];
    for (const d of chain) {
      try {
        out.push({ base: d, ig: ignore().add(readFileSync(join(d, ".gitignore"), "utf8")) });
      } catch {
        // none here
      }
    }
    // The ancestors' rules may ignore `dir` itself: then nothing under it is scanned, as with git.
    return out;
  };

  for (const path of paths) {
    const absolute = resolve(cwd, path);
    const st = lstatSync(absolute); // throws ENOENT for a missing path
    if (st.isSymbolicLink() && !statSync(absolute).isDirectory()) {
      skip(absolute, "symlink");
      continue;
    }
    if (statSync(absolute).isDirectory()) {
      const listed = options.useGit === false ? undefined : gitFiles(absolute);
      if (listed !== undefined) for (const file of listed) scanFile(file);
      else {
        const rules = ancestorRules(absolute);
        if (!rules.some(({ base, ig }) => ig.ignores(`${relative(base, absolute).split(sep).join("/")}/`))) walk(absolute, rules);
      }
    } else scanFile(absolute);
  }
  result.findings.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
  return result;
}
