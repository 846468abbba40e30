/**
 * Which files a scan visits: inside a git work tree, what `git ls-files` lists (tracked files plus untracked files no
 * ignore rule matches; a submodule or nested repository it lists is listed the same way, by its own git); without
 * git, a directory walk honouring the .gitignore files from the repository root (the nearest ancestor with a `.git`)
 * down, with git's precedence. When git is there but refuses a work tree (`detected dubious ownership`, a corrupt
 * index), the walk applies no ignore rule at all, and says so: a tracked file the .gitignore matches is still
 * scanned. `node_modules` and `.git` are always skipped. Names that are not UTF-8 are listed too (see `rawNames.ts`).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { escapeForTerminal } from "acs-baseline/internal/text";
import { decodePath, fsPath, hasRawBytes, shownPath } from "./rawNames.js";
import { ALWAYS_SKIPPED, ancestorRules, ignoredBy, walk } from "./walk.js";
import type { ListingVisitor } from "./walk.js";

export type { ListingVisitor } from "./walk.js";

/** The nearest ancestor of `dir` (itself included) that holds a `.git`, or undefined. */
export function repositoryRoot(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(fsPath(join(d, ".git")))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * One path git listed, absolute: a file, or (`repository`) a directory git names and does not enter — a submodule
 * (a gitlink, mode 160000) or an untracked nested repository (named with a trailing `/`).
 */
interface Listed {
  path: string;
  repository: boolean;
}

/** What git answered: the paths it lists (sorted), or why it refused; undefined when git is not installed. */
type GitListing = { files: Listed[] } | { refused: string } | undefined;

/** Git's own reason for failing, first line only, at most 200 characters (escaped where it is printed). */
function gitReason(stderr: Buffer | string | null, status: number | null): string {
  const first = (stderr ?? "").toString().trim().split(/\r?\n/)[0] ?? "";
  return first === "" ? `git exited with ${status}` : first.slice(0, 200);
}

/** Git's answer where it finds no repository (its messages read in the C locale, see `gitEnv`). */
const NO_REPOSITORY = /^fatal: not a git repository/m;
/** The environment git runs in (read at each call: `GIT_DIR` may change), its messages untranslated. */
const gitEnv = (): NodeJS.ProcessEnv => ({ ...process.env, LC_ALL: "C", LANGUAGE: "C" });

/**
 * The paths in `git ls-files -z -t --stage` output under `root`: `? name` (untracked; a nested repository ends in
 * `/`) or `H mode object stage\tname` (tracked: the tag, `H`, `S`, `M`…, then the index entry), each name once.
 */
function parseListing(stdout: Buffer, root: string): Listed[] {
  const seen = new Set<string>();
  const out: Listed[] = [];
  for (let at = 0, end = 0; at < stdout.length; at = end + 1) {
    end = stdout.indexOf(0, at);
    if (end < 0) end = stdout.length;
    const entry = decodePath(stdout.subarray(at, end));
    const untracked = entry.startsWith("? ");
    const name = untracked ? entry.slice(2) : entry.slice(entry.indexOf("\t") + 1);
    if (name === "" || seen.has(name)) continue; // an unmerged file has one entry per stage
    seen.add(name);
    if (name.split("/").some((part) => ALWAYS_SKIPPED.has(part))) continue;
    const path = join(root, ...name.split("/").filter((part) => part !== ""));
    out.push({ path, repository: untracked ? name.endsWith("/") : entry.slice(2, 8) === "160000" });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Paths git would consider (tracked + untracked not ignored), absolute, or why git refused. */
function gitFiles(dir: string): GitListing {
  // `-t --stage` tells an untracked name (`?`) from a tracked one and gives each tracked one's mode, so a submodule
  // is known without an lstat of every file (readScanned's own lstat and no-follow open keep links out of the tree).
  const args = ["ls-files", "-z", "-t", "--stage", "--cached", "--others", "--exclude-standard", "--full-name", "."];
  const r = spawnSync("git", args, {
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
    encoding: "buffer",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (top.status !== 0) return { refused: gitReason(top.stderr, top.status) };
  return { files: parseListing(r.stdout, decodePath(top.stdout).replace(/\r?\n$/, "")) };
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
function visitListed(files: readonly Listed[], visit: ListingVisitor): void {
  for (const { path, repository } of files) {
    if (!repository) visit.file(path);
    // A submodule that is not checked out is an empty directory with no `.git`: nothing to list.
    else if (existsSync(fsPath(join(path, ".git")))) listDirectory(path, true, visit);
  }
}

/**
 * Visits the files of the directory `absolute`: `git ls-files` when `useGit` and git answers, else the walk. Inside a
 * work tree where git is installed but refuses to list (`visit.notice` gets git's reason, escaped), the walk honours
 * no .gitignore: what git tracks cannot be told apart there, and a tracked file is scanned even when ignored. A
 * directory whose name is not UTF-8 (a nested repository, say) is walked: git cannot be started in it, as Node.js
 * passes a working directory as text.
 */
export function listDirectory(absolute: string, useGit: boolean, visit: ListingVisitor): void {
  const askGit = useGit && !hasRawBytes(absolute) && mayBeInWorkTree(absolute);
  const listed = askGit ? gitFiles(absolute) : undefined;
  if (listed !== undefined && "files" in listed) return visitListed(listed.files, visit);
  if (listed !== undefined) {
    visit.notice?.(
      `acs-baseline scan: git could not list ${escapeForTerminal(shownPath(absolute))} (${escapeForTerminal(listed.refused)}); ` +
        "scanning every file there, .gitignore not applied",
    );
    return walk(absolute, [], visit, false);
  }
  const rules = ancestorRules(absolute, repositoryRoot);
  if (!ignoredBy(rules, absolute, true)) walk(absolute, rules, visit, true);
}
