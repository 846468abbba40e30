/**
 * `acs-baseline scan`: runs the `no-key-auth` rule over source files (ESLint's Linter, no user configuration) and
 * looks for ACS connection strings in every other text file. Skips node_modules, .git and .gitignore'd paths.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { extname, join, relative, resolve, sep, basename } from "node:path";
import { Linter } from "eslint";
import tsParser from "@typescript-eslint/parser";
import ignore from "ignore";
import type { Ignore } from "ignore";
import { findConnectionStrings } from "acs-baseline/internal";
import plugin from "eslint-plugin-acs-baseline";

/** Kind of finding. @public */
export type ScanFindingKind = "key-auth" | "connection-string" | "parse-error";

/** One finding. Messages never contain a key: connection strings are masked. @public */
export interface ScanFinding {
  /** Path relative to the scan's working directory, with `/` separators. */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** `acs-baseline/no-key-auth`, `acs-baseline/connection-string` or `acs-baseline/parse-error`. */
  ruleId: string;
  kind: ScanFindingKind;
  message: string;
}

/** Result of a scan. @public */
export interface ScanResult {
  findings: ScanFinding[];
  filesScanned: number;
  /** Files skipped because they are binary or larger than {@link MAX_SCAN_FILE_BYTES}. */
  filesSkipped: number;
}

/** Options of {@link scanPaths}. @public */
export interface ScanOptions {
  /** Base for relative paths in findings and for resolving `paths`. Default `process.cwd()`. */
  cwd?: string;
  /** Called after each file with the count so far (for progress output). */
  onProgress?: (filesScanned: number) => void;
}

/** Files larger than this are skipped (and counted in `filesSkipped`). @public */
export const MAX_SCAN_FILE_BYTES = 2 * 1024 * 1024;

const JS = new Set([".js", ".cjs", ".mjs", ".jsx"]);
const TS = new Set([".ts", ".cts", ".mts", ".tsx"]);
// ESLint's flat config only lints a file that a non-universal `files` pattern matches ("**/*" alone matches
// nothing but .js/.mjs/.cjs), so every extension is listed; the Linter is given the base name only, so paths outside
// the working directory (`../x`, absolute) still match.
const SOURCE_FILES = ["**/*.js", "**/*.cjs", "**/*.mjs", "**/*.jsx", "**/*.ts", "**/*.cts", "**/*.mts", "**/*.tsx"];
const ALWAYS_SKIPPED = new Set(["node_modules", ".git"]);
const RULE_ID = "acs-baseline/no-key-auth";
// A file can only produce a rule finding if it names an ACS package or holds an access key.
const PREFILTER = /@azure\/communication-|accesskey/i;

const linter = new Linter({ configType: "flat" });
const rules = { [RULE_ID]: "error" as const };
const plugins = { "acs-baseline": plugin as unknown as NonNullable<Linter.Config["plugins"]>[string] };
const CONFIGS: Record<string, Linter.Config[]> = {
  module: [{ files: SOURCE_FILES, plugins, rules, languageOptions: { ecmaVersion: "latest", sourceType: "module", parserOptions: { ecmaFeatures: { jsx: true } } } }],
  commonjs: [{ files: SOURCE_FILES, plugins, rules, languageOptions: { ecmaVersion: "latest", sourceType: "commonjs", parserOptions: { ecmaFeatures: { jsx: true } } } }],
  typescript: [
    {
      files: SOURCE_FILES,
      plugins,
      rules,
      languageOptions: { parser: tsParser, sourceType: "module", parserOptions: { ecmaFeatures: { jsx: true } } },
    },
  ],
};

function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) {
    line++;
    last = i;
  }
  return { line, column: index - last };
}

function textFindings(file: string, text: string): ScanFinding[] {
  return findConnectionStrings(text).map((m) => {
    const start = lineColumn(text, m.index);
    const end = lineColumn(text, m.index + m.length);
    return {
      file,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
      ruleId: "acs-baseline/connection-string",
      kind: "connection-string" as const,
      message: `IM-1: an ACS connection string with an access key (${m.masked.slice(0, 120)}). Remove it, rotate the key, disable local auth, and use AcsClientFactory (Microsoft Entra ID).`,
    };
  });
}

function lintFindings(file: string, text: string, ext: string): ScanFinding[] {
  const kinds = TS.has(ext) ? ["typescript"] : ext === ".cjs" ? ["commonjs", "module"] : ["module", "commonjs"];
  let messages: Linter.LintMessage[] = [];
  for (const kind of kinds) {
    messages = linter.verify(text, CONFIGS[kind], { filename: basename(file) });
    if (!messages.some((m) => m.fatal === true)) break;
  }
  // A message without a rule that is not a parse error ("No matching configuration found…") means the rule did
  // not run: never report such a file as clean.
  const notRun = messages.find((m) => m.ruleId === null && m.fatal !== true && m.message.startsWith("No matching configuration"));
  if (notRun !== undefined) throw new Error(`acs-baseline scan: the rule did not run on ${file}: ${notRun.message}`);
  const fatal = messages.find((m) => m.fatal === true);
  if (fatal !== undefined) {
    // The file does not parse: report that, and still look for connection strings in its text.
    return [
      {
        file,
        line: fatal.line,
        column: fatal.column,
        endLine: fatal.line,
        endColumn: fatal.column,
        ruleId: "acs-baseline/parse-error",
        kind: "parse-error",
        message: `The file could not be parsed (${fatal.message.replace(/\s+/g, " ").slice(0, 160)}); only its text was searched for connection strings.`,
      },
      ...textFindings(file, text),
    ];
  }
  return messages
    .filter((m) => m.ruleId === RULE_ID)
    .map((m) => ({
      file,
      line: m.line,
      column: m.column,
      endLine: m.endLine ?? m.line,
      endColumn: m.endColumn ?? m.column,
      ruleId: RULE_ID,
      kind: "key-auth" as const,
      message: m.message,
    }));
}

function isBinary(buffer: Buffer): boolean {
  return buffer.subarray(0, 8192).includes(0);
}

/** Scans one file's content. */
export function scanText(file: string, text: string): ScanFinding[] {
  const ext = extname(file).toLowerCase();
  if (!PREFILTER.test(text)) return [];
  if (JS.has(ext) || TS.has(ext)) return lintFindings(file, text, ext);
  return textFindings(file, text);
}

/**
 * Scans files and directories. Directories are walked recursively, skipping `node_modules`, `.git` and paths
 * ignored by `.gitignore` files found on the way; files named explicitly are always scanned.
 * @throws Error when a path does not exist.
 * @public
 */
export function scanPaths(paths: readonly string[], options: ScanOptions = {}): ScanResult {
  const cwd = options.cwd ?? process.cwd();
  const result: ScanResult = { findings: [], filesScanned: 0, filesSkipped: 0 };
  const display = (absolute: string) => relative(cwd, absolute).split(sep).join("/") || basename(absolute);

  const scanFile = (absolute: string, size: number) => {
    if (size > MAX_SCAN_FILE_BYTES) {
      result.filesSkipped++;
      return;
    }
    let buffer: Buffer;
    try {
      buffer = readFileSync(absolute);
    } catch {
      result.filesSkipped++;
      return;
    }
    if (isBinary(buffer)) {
      result.filesSkipped++;
      return;
    }
    result.filesScanned++;
    result.findings.push(...scanText(display(absolute), buffer.toString("utf8")));
    options.onProgress?.(result.filesScanned);
  };

  const walk = (dir: string, rules: { base: string; ig: Ignore }[]) => {
    let own = rules;
    try {
      const gitignore = readFileSync(join(dir, ".gitignore"), "utf8");
      own = [...rules, { base: dir, ig: ignore().add(gitignore) }];
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
      else if (entry.isFile()) {
        let size = 0;
        try {
          size = statSync(absolute).size;
        } catch {
          continue;
        }
        scanFile(absolute, size);
      }
    }
  };

  for (const path of paths) {
    const absolute = resolve(cwd, path);
    const stat = statSync(absolute); // throws ENOENT for a missing path
    if (stat.isDirectory()) walk(absolute, []);
    else if (stat.isFile()) scanFile(absolute, stat.size);
  }
  result.findings.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
  return result;
}
