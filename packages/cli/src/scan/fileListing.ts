/**
 * Which files a scan visits: inside a git work tree, what `git ls-files` lists (tracked files plus untracked files no
 * ignore rule matches); without git, a directory walk honouring the .gitignore files from the repository root (the
 * nearest ancestor with a `.git`) down. `node_modules` and `.git` are always skipped.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import ignore from "ignore";
import type { Ignore } from "ignore";

const ALWAYS_SKIPPED = new Set(["node_modules", ".git"]);

/** The .gitignore rules of one folder. */
interface IgnoreRules {
  base: string;
  ig: Ignore;
}

/** What a listing reports: a file to scan, or a symbolic link it did not follow. */
export interface ListingVisitor {
  file: (absolute: string) => void;
  symlink: (absolute: string) => void;
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
  const top = spawnSync("git", ["rev-parse", "--show-toplevel"], {
    cwd: dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
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

/** The rules of `dir`'s own .gitignore, or undefined when it has none. */
function ownRules(dir: string): IgnoreRules | undefined {
  try {
    return { base: dir, ig: ignore().add(readFileSync(join(dir, ".gitignore"), "utf8")) };
  } catch {
    return undefined; // no .gitignore here
  }
}

const ignoredBy = (rules: readonly IgnoreRules[], absolute: string, isDir: boolean): boolean =>
  rules.some(({ base, ig }) => ig.ignores(relative(base, absolute).split(sep).join("/") + (isDir ? "/" : "")));

/** The .gitignore rules of the ancestors of `dir` up to the repository root (outermost first). */
function ancestorRules(dir: string): IgnoreRules[] {
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

/** Walks `dir` in name order, honouring `rules` and each folder's own .gitignore. */
function walk(dir: string, rules: readonly IgnoreRules[], visit: ListingVisitor): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  // Only a folder that lists a .gitignore has one to read (no failed open, and no error built, for every other folder).
  const here = entries.some((entry) => entry.name === ".gitignore") ? ownRules(dir) : undefined;
  const own = here === undefined ? rules : [...rules, here];
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (ALWAYS_SKIPPED.has(entry.name)) continue;
    const absolute = join(dir, entry.name);
    const isDir = entry.isDirectory();
    if (ignoredBy(own, absolute, isDir)) continue;
    if (isDir) walk(absolute, own, visit);
    else if (entry.isSymbolicLink()) visit.symlink(absolute);
    else if (entry.isFile()) visit.file(absolute);
  }
}

/**
 * True when git may find a work tree for `dir`: an ancestor (itself included) holds a `.git`, or `GIT_DIR` tells git
 * where one is. Elsewhere `git ls-files` can only fail, so it is not started (a process start costs more than a small
 * scan).
 */
function mayBeInWorkTree(dir: string): boolean {
  return process.env.GIT_DIR !== undefined || repositoryRoot(dir) !== undefined;
}

/** Visits the files of the directory `absolute`: `git ls-files` when `useGit` and git answers, else the walk. */
export function listDirectory(absolute: string, useGit: boolean, visit: ListingVisitor): void {
  const listed = useGit && mayBeInWorkTree(absolute) ? gitFiles(absolute) : undefined;
  if (listed !== undefined) {
    for (const file of listed) visit.file(file);
    return;
  }
  const rules = ancestorRules(absolute);
  if (!ignoredBy(rules, absolute, true)) walk(absolute, rules, visit);
}
