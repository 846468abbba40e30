/**
 * Which files a scan visits: inside a git work tree, what `git ls-files` lists (tracked files plus untracked files no
 * ignore rule matches; a submodule or nested repository it lists is listed the same way, by its own git); without
 * git, a directory walk honouring the .gitignore files from the repository root (the nearest ancestor with a `.git`)
 * down, with git's precedence. When git is there but refuses a work tree (`detected dubious ownership`, a corrupt
 * index), the walk applies no ignore rule at all, and says so: a tracked file the .gitignore matches is still
 * scanned. `node_modules` and `.git` are always skipped.
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync } from "node:fs";
import { dirname, join } from "node:path";
import { escapeForTerminal } from "acs-baseline/internal/text";
import { ALWAYS_SKIPPED, ancestorRules, ignoredBy, walk } from "./walk.js";
import type { ListingVisitor } from "./walk.js";

export type { ListingVisitor } from "./walk.js";

/** The nearest ancestor of `dir` (itself included) that holds a `.git`, or undefined. */
export function repositoryRoot(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, ".git"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** What git answered: the files it lists (absolute, sorted), or why it refused; undefined when git is not installed. */
type GitListing = { files: string[] } | { refused: string } | undefined;

/** Git's own reason for failing, first line only, at most 200 characters (escaped where it is printed). */
function gitReason(stderr: Buffer | string | null, status: number | null): string {
  const first = (stderr ?? "").toString().trim().split(/\r?\n/)[0] ?? "";
  return first === "" ? `git exited with ${status}` : first.slice(0, 200);
}

/** Git's answer where it finds no repository (its messages read in the C locale, see `gitEnv`). */
const NO_REPOSITORY = /^fatal: not a git repository/m;
/** The environment git runs in (read at each call: `GIT_DIR` may change), its messages untranslated. */
const gitEnv = (): NodeJS.ProcessEnv => ({ ...process.env, LC_ALL: "C", LANGUAGE: "C" });

/** Files git would consider (tracked + untracked not ignored), absolute, or why git refused. */
function gitFiles(dir: string): GitListing {
  const r = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name", "."], {
    cwd: dir,
    env: gitEnv(),
    encoding: "buffer",
    maxBuffer: 512 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const code = r.error !== undefined && "code" in r.error ? r.error.code : undefined;
  if (code === "ENOENT") return undefined; // git not installed
  if (r.error !== undefined) return { refused: r.error.message };
  // No repository at all (a stray `.git` that is not one): nothing is tracked here, as without git.
  if (r.status !== 0 && NO_REPOSITORY.test(r.stderr.toString())) return undefined;
  if (r.status !== 0) return { refused: gitReason(r.stderr, r.status) };
  const top = spawnSync("git", ["rev-parse", "--show-toplevel"], {
    cwd: dir,
    env: gitEnv(),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (top.status !== 0) return { refused: gitReason(top.stderr, top.status) };
  const root = top.stdout.trim();
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of r.stdout.toString("utf8").split("\0")) {
    if (name === "" || seen.has(name)) continue;
    seen.add(name);
    if (name.split("/").some((part) => ALWAYS_SKIPPED.has(part))) continue;
    out.push(join(root, ...name.split("/").filter((part) => part !== "")));
  }
  return { files: out.sort() };
}

/**
 * True when git may find a work tree for `dir`: an ancestor (itself included) holds a `.git`, or `GIT_DIR` tells git
 * where one is. Elsewhere `git ls-files` can only fail, so it is not started (a process start costs more than a small
 * scan).
 */
function mayBeInWorkTree(dir: string): boolean {
  return process.env.GIT_DIR !== undefined || repositoryRoot(dir) !== undefined;
}

/**
 * Visits what git listed: a file, or a directory (a submodule's checkout, or an untracked nested repository, which
 * `git ls-files` names and does not enter), listed in turn by its own git.
 */
function visitListed(files: readonly string[], visit: ListingVisitor): void {
  for (const file of files) {
    if (lstatSync(file, { throwIfNoEntry: false })?.isDirectory() !== true) visit.file(file);
    // A submodule that is not checked out is an empty directory with no `.git`: nothing to list.
    else if (existsSync(join(file, ".git"))) listDirectory(file, true, visit);
  }
}

/**
 * Visits the files of the directory `absolute`: `git ls-files` when `useGit` and git answers, else the walk. Inside a
 * work tree where git is installed but refuses to list (`visit.notice` gets git's reason, escaped), the walk honours
 * no .gitignore: what git tracks cannot be told apart there, and a tracked file is scanned even when ignored.
 */
export function listDirectory(absolute: string, useGit: boolean, visit: ListingVisitor): void {
  const listed = useGit && mayBeInWorkTree(absolute) ? gitFiles(absolute) : undefined;
  if (listed !== undefined && "files" in listed) return visitListed(listed.files, visit);
  if (listed !== undefined) {
    visit.notice?.(
      `acs-baseline scan: git could not list ${escapeForTerminal(absolute)} (${escapeForTerminal(listed.refused)}); ` +
        "scanning every file there, .gitignore not applied",
    );
    return walk(absolute, [], visit, false);
  }
  const rules = ancestorRules(absolute, repositoryRoot);
  if (!ignoredBy(rules, absolute, true)) walk(absolute, rules, visit, true);
}
