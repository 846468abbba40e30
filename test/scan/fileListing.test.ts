// Which files the scan lists, where git and the walk could lose some silently: git installed but refusing the work
// tree (dubious ownership in a CI container, a corrupt index), submodules and nested repositories, the walk's ignore
// semantics against git's own (precedence of deeper .gitignore files, case), and names that are not UTF-8.
import { spawnSync } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { listDirectory } from "../../packages/cli/src/scan/fileListing.js";
import { scanPaths } from "../../packages/cli/src/scan/scan.js";

const KEY = "KLtpvN5A4sLNWTO02qFfhbeoI+b4tJo8uX823J4KlLOXCVuVupFXLksxKsmvjhzmOSoRbaSYjs6LsQn4cNNXpQ==";
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`;
const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), "acs-scan-listing-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
/** Git with no user or system configuration (no global excludes file), for answers that depend on the tree only. */
const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
const git = (cwd: string, ...args: string[]): string => {
  const r = spawnSync(
    "git",
    ["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main", ...args],
    { cwd, encoding: "utf8", env: GIT_ENV },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
};
const write = (root: string, rel: string, text: string | Buffer) => {
  mkdirSync(join(root, rel, ".."), { recursive: true });
  writeFileSync(join(root, rel), text);
};
const files = (r: ReturnType<typeof scanPaths>) => [...new Set(r.findings.map((f) => f.file))].sort();

/** A repository whose .gitignore ignores `.env`, with a `.env` holding a key force-added and committed. */
function repoWithTrackedIgnoredEnv(): string {
  const repo = temp();
  write(repo, ".gitignore", ".env\n");
  write(repo, ".env", `COMMUNICATION_SERVICES_CONNECTION_STRING=${CS}\n`);
  git(repo, "init", "-q");
  git(repo, "add", ".gitignore");
  git(repo, "add", "-f", ".env");
  git(repo, "commit", "-qm", "init");
  return repo;
}

describe("git installed but refusing the work tree", () => {
  it("walks with no ignore rule and says why when the index is corrupt", () => {
    const repo = repoWithTrackedIgnoredEnv();
    writeFileSync(join(repo, ".git", "index"), "not an index\u001b[31m");
    const notices: string[] = [];
    const r = scanPaths(["."], { cwd: repo, onNotice: (m) => notices.push(m) });
    expect(files(r)).toEqual([".env"]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^acs-baseline scan: git could not list .*\(.*index.*\); scanning every file there/);
    expect([...notices[0]].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
  });

  it.runIf(process.getuid?.() === 0)("does the same for a repository another user owns (dubious ownership)", () => {
    const repo = repoWithTrackedIgnoredEnv();
    spawnSync("chown", ["-R", "1234:1234", repo]);
    const notices: string[] = [];
    const r = scanPaths(["."], { cwd: repo, onNotice: (m) => notices.push(m) });
    chownSync(repo, 0, 0);
    expect(files(r)).toEqual([".env"]);
    expect(notices.join("\n")).toContain("dubious ownership");
  });
});

describe("submodules and nested repositories", () => {
  it("lists a checked-out submodule and an untracked nested repository through their own git", () => {
    const root = temp();
    const sub = join(root, "sub");
    write(sub, "s.env", `ACS=${CS}\n`);
    git(sub, "init", "-q");
    git(sub, "add", "-A");
    git(sub, "commit", "-qm", "s");
    const sup = join(root, "sup");
    mkdirSync(sup);
    git(sup, "init", "-q");
    git(sup, "-c", "protocol.file.allow=always", "submodule", "add", "-q", "../sub", "vendor/sample");
    git(sup, "commit", "-qm", "x");
    write(sup, "nested/n.env", `ACS=${CS}\n`);
    git(join(sup, "nested"), "init", "-q");
    expect(files(scanPaths(["."], { cwd: sup }))).toEqual(["nested/n.env", "vendor/sample/s.env"]);
    // A clone without `submodule update`: the submodule is an empty directory, nothing to list (and no loop).
    const clone = join(root, "clone");
    git(root, "clone", "-q", sup, clone);
    expect(scanPaths(["."], { cwd: clone }).filesScanned).toBe(1); // .gitmodules
  });

  it("tells a submodule from a file by git's index entry, not by a name that looks like one, and follows no link", () => {
    const root = temp();
    const repo = join(root, "repo");
    write(root, "outside/o.env", `ACS=${CS}\n`);
    // Untracked, named as `git ls-files --stage` writes a submodule's entry: still a file to scan.
    write(repo, "160000 0123456789012345678901234567890123456789 0\tlooks.env", `ACS=${CS}\n`);
    git(repo, "init", "-q");
    symlinkSync(join(root, "outside"), join(repo, "linked"));
    symlinkSync(join(root, "outside", "o.env"), join(repo, "file.env"));
    git(repo, "add", "linked", "file.env");
    git(repo, "commit", "-qm", "links");
    symlinkSync(join(root, "outside"), join(repo, "untracked-link"));
    const r = scanPaths(["."], { cwd: repo });
    expect(files(r)).toEqual(["160000 0123456789012345678901234567890123456789 0\tlooks.env"]);
    expect(r.skipped.map((s) => s.file).sort()).toEqual(["file.env", "linked", "untracked-link"]);
    expect(r.skipped.every((s) => s.reason === "symlink")).toBe(true);
  });
});

/** The files the walk lists under `dir` (relative, `/`-separated, sorted). */
function walked(dir: string): string[] {
  const out: string[] = [];
  const rel = (p: string) =>
    p
      .slice(dir.length + 1)
      .split("\\")
      .join("/");
  listDirectory(dir, false, { file: (p) => out.push(rel(p)), symlink: (p) => out.push(rel(p)) });
  return out.sort();
}

const NAMES = ["a.env", "A.ENV", "keep.env", "Build", "build", "x.txt", "app"];
const LINES = [
  "*.env",
  "!keep.env",
  "build/",
  "!build/",
  "!Build",
  "build/a.env",
  "Build",
  "/x.txt",
  "!x.txt",
  "app/",
  "!*.ENV",
  "b*/",
  "*.txt",
  "!a.env",
];

describe("the walk's ignore rules", () => {
  it("ignores what git ignores: deeper .gitignore files override, last line wins, case counts", () => {
    const tree = fc.record({
      files: fc.uniqueArray(
        fc.tuple(fc.constantFrom("", "app/", "Build/", "build/", "app/build/"), fc.constantFrom(...NAMES)),
        {
          minLength: 1,
          maxLength: 12,
        },
      ),
      root: fc.array(fc.constantFrom(...LINES), { maxLength: 4 }),
      app: fc.array(fc.constantFrom(...LINES), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(tree, ({ files: entries, root, app }) => {
        const dir = temp();
        // A name taken by a folder (or a folder by a file) is left out: writing it fails.
        const attempt = (rel: string, text: string) => {
          try {
            write(dir, rel, text);
          } catch {
            // taken
          }
        };
        for (const [folder, name] of entries) attempt(`${folder}${name}`, "x\n");
        attempt(".gitignore", root.join("\n") + "\n");
        attempt("app/.gitignore", app.join("\n") + "\n");
        git(dir, "init", "-q");
        const byGit = git(dir, "ls-files", "--others", "--exclude-standard").split("\n").filter(Boolean).sort();
        expect(walked(dir)).toEqual(byGit);
        rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * Names for the bracket and wildcard patterns: the characters a class may name, as first letter of `?ey.env` (no `\\`,
 * which `walked` reads as a Windows separator).
 */
const FIRSTS = ["k", "K", "b", "!", "^", "-", "]", "[", "a", "z", "5", ":", "é"];
/** Pieces of a bracket expression: negation, `]` first, ranges (empty ones too), escapes, `[:name:]` classes. */
const CLASS_PIECES = [
  "!",
  "^",
  "]",
  "k",
  "a-c",
  "z-a",
  "-",
  "\\",
  "\\]",
  "\\!",
  "[:alpha:]",
  "[:digit:]",
  "[:x:]",
  "[",
  ":",
];
/** Whole lines around the bracket: wildcards, `**`, escapes, anchoring, trailing spaces. */
const WILD_LINES = ["?ey.env", "**/sub/*.env", "sub/**", "\\!ey.env", "/*ey.env", "!sub/", "**/?ey.env  ", "*.env\\ "];

describe("the walk's bracket expressions and wildcards", () => {
  it("ignores what git ignores for generated classes ([!k], [^a-c], []], [[:alpha:]]…) and wildcards", () => {
    const line = fc.oneof(
      fc
        .tuple(fc.constantFrom("", "!", "sub/", "**/"), fc.array(fc.constantFrom(...CLASS_PIECES), { maxLength: 4 }))
        .map(([lead, pieces]) => `${lead}[${pieces.join("")}]ey.env`),
      fc.constantFrom(...WILD_LINES),
    );
    const tree = fc.record({
      files: fc.uniqueArray(fc.tuple(fc.constantFrom("", "sub/"), fc.constantFrom(...FIRSTS)), { minLength: 1 }),
      lines: fc.array(line, { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(tree, ({ files: entries, lines }) => {
        const dir = temp();
        for (const [folder, first] of entries) write(dir, `${folder}${first}ey.env`, "x\n");
        write(dir, ".gitignore", lines.join("\n") + "\n");
        git(dir, "init", "-q");
        const byGit = git(dir, "-c", "core.quotePath=false", "ls-files", "--others", "--exclude-standard", "-z")
          .split("\0")
          .filter(Boolean)
          .sort();
        expect(walked(dir)).toEqual(byGit);
        rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 120 },
    );
  });

  it("lists key.env under [!k]ey.env, as git does (the ignore package took [!k] for `!` or `k`)", () => {
    const dir = temp();
    for (const name of ["key.env", "bey.env", "!ey.env"]) write(dir, name, "x\n");
    write(dir, ".gitignore", "[!k]ey.env\n");
    expect(walked(dir)).toEqual([".gitignore", "key.env"]);
  });
});

describe("names that are not UTF-8", () => {
  it("walks such a directory and scans such a file like any other (bytes shown \\xNN)", () => {
    const dir = temp();
    mkdirSync(Buffer.from(join(dir, "conf\xefg"), "latin1"));
    writeFileSync(Buffer.from(join(dir, "conf\xefg", "settings.env"), "latin1"), `ACS=${CS}\n`);
    writeFileSync(Buffer.from(join(dir, "r\xe9sum\xe9.env"), "latin1"), `ACS=${CS}\n`);
    const r = scanPaths(["."], { cwd: dir, useGit: false });
    expect(r.skipped).toEqual([]);
    expect(files(r)).toEqual(["conf\\xefg/settings.env", "r\\xe9sum\\xe9.env"]);
  });
});
