/**
 * The scan's directory walk (no git): every file under a directory in name order, honouring the .gitignore files
 * with git's semantics — the rules of a deeper .gitignore take precedence over a shallower one's, and within one file
 * the last matching line wins (so `!keep.env` in `app/.gitignore` re-includes what the root's `*.env` ignores),
 * matched case-sensitively as git does on Linux (case-insensitively on Windows and macOS, whose file systems are).
 * A directory that cannot be read is reported, never dropped silently; a name that is not UTF-8 is walked and listed
 * like any other (kept as `rawNames.ts` says). The patterns are read and matched by `gitignorePatterns.ts` (git's
 * wildmatch: `[!k]` and `[^k]` are negated classes).
 */
import { readFileSync, readdirSync } from "node:fs";
import type { Dirent } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { parseGitignore, verdict } from "./gitignorePatterns.js";
import { decodePath, fsPath } from "./rawNames.js";
import type { IgnorePattern } from "./gitignorePatterns.js";

/** Never listed, whatever the ignore rules say. */
export const ALWAYS_SKIPPED = new Set(["node_modules", ".git"]);

/** Git's `core.ignorecase` default: true where the file system ignores case. */
const IGNORE_CASE = process.platform === "win32" || process.platform === "darwin";

/** The .gitignore rules of one folder. */
export interface IgnoreRules {
  base: string;
  patterns: IgnorePattern[];
}

/** What a listing reports: a file to scan, a symbolic link it did not follow, or a path it could not read. */
export interface ListingVisitor {
  file: (absolute: string) => void;
  symlink: (absolute: string) => void;
  /** A directory that could not be read. */
  unreadable?: (absolute: string) => void;
  /** A one-line notice for the user (already escaped for a terminal). */
  notice?: (message: string) => void;
}

/** The rules of `dir`'s own .gitignore, or undefined when it has none. */
function ownRules(dir: string): IgnoreRules | undefined {
  let text;
  try {
    text = decodePath(readFileSync(fsPath(join(dir, ".gitignore"))));
  } catch {
    return undefined; // no .gitignore here
  }
  return { base: dir, patterns: parseGitignore(text, IGNORE_CASE) };
}

/**
 * True when `rules` (outermost first) ignore `absolute`: the deepest .gitignore with a line that matches decides,
 * and within it the last matching line (a `!` line re-includes), as git decides.
 */
export function ignoredBy(rules: readonly IgnoreRules[], absolute: string, isDir: boolean): boolean {
  for (let i = rules.length - 1; i >= 0; i--) {
    const { base, patterns } = rules[i];
    const path = relative(base, absolute).split(sep).join("/");
    if (path === "" || path.startsWith("../")) continue;
    // Only what this file's lines say of `path` itself: a parent it ignores may be re-included by a deeper
    // .gitignore (root `build/`, `app/.gitignore` `!build/`: git lists `app/build/a.env`), decided by the walk already.
    const said = verdict(patterns, path, isDir);
    if (said.ignored) return true;
    if (said.unignored) return false;
  }
  return false;
}

/** The .gitignore rules of the ancestors of `dir` up to the repository root (outermost first). */
export function ancestorRules(dir: string, repositoryRoot: (dir: string) => string | undefined): IgnoreRules[] {
  const root = repositoryRoot(dirname(dir));
  if (root === undefined) return [];
  const chain: string[] = [];
  for (let d = dirname(dir); ; d = dirname(d)) {
    chain.unshift(d);
    if (d === root || dirname(d) === d) break;
  }
  // The ancestors' rules may ignore `dir` itself: then nothing under it is scanned, as with git.
  return chain.map(ownRules).filter((r): r is IgnoreRules => r !== undefined);
}

/** The entries of `dir`, names as bytes, or undefined when it cannot be read. */
function readEntries(dir: string): Dirent<Buffer>[] | undefined {
  try {
    return readdirSync(fsPath(dir), { withFileTypes: true, encoding: "buffer" });
  } catch {
    return undefined;
  }
}

/**
 * Walks `dir` in name order, honouring `rules` and (`ownIgnores`) each folder's own .gitignore; with `ownIgnores`
 * false, no ignore rule at all.
 */
export function walk(dir: string, rules: readonly IgnoreRules[], visit: ListingVisitor, ownIgnores: boolean): void {
  const entries = readEntries(dir);
  if (entries === undefined) return visit.unreadable?.(dir);
  // Only a folder that lists a .gitignore has one to read (no failed open, and no error built, for every other folder).
  const listsIgnore = ownIgnores && entries.some((entry) => entry.name.equals(GITIGNORE));
  const here = listsIgnore ? ownRules(dir) : undefined;
  const own = here === undefined ? rules : [...rules, here];
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  for (const entry of entries) {
    const name = decodePath(entry.name);
    if (ALWAYS_SKIPPED.has(name)) continue;
    const absolute = join(dir, name);
    const isDir = entry.isDirectory();
    if (ignoredBy(own, absolute, isDir)) continue;
    if (isDir) walk(absolute, own, visit, ownIgnores);
    else if (entry.isSymbolicLink()) visit.symlink(absolute);
    else if (entry.isFile()) visit.file(absolute);
  }
}

const GITIGNORE = Buffer.from(".gitignore");
