// Robustness of `scan` (issue 13 item 4, issue 16 item 4): git-tracked files are scanned even when ignored, every
// ancestor .gitignore up to the repository root counts (with git and without it), symlinks are skipped and reported,
// UTF-16 files are decoded, files over --max-file-size are reported, and file names cannot forge output lines.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../packages/cli/src/main.js";
import { decodeText, scanPaths } from "../../packages/cli/src/scan/scan.js";
import { runCaptured } from "../support/captureOutput.js";

const KEY = "KLtpvN5A4sLNWTO02qFfhbeoI+b4tJo8uX823J4KlLOXCVuVupFXLksxKsmvjhzmOSoRbaSYjs6LsQn4cNNXpQ==";
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`;
const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), "acs-scan-robust-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const git = (cwd: string, ...args: string[]) => {
  const r = spawnSync(
    "git",
    ["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main", ...args],
    { cwd, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(r.stderr);
};
const write = (root: string, rel: string, text: string | Buffer) => {
  mkdirSync(join(root, rel, ".."), { recursive: true });
  writeFileSync(join(root, rel), text);
};
const files = (r: ReturnType<typeof scanPaths>) => [...new Set(r.findings.map((f) => f.file))].sort();

async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string }> {
  const { code, out } = await runCaptured((io) =>
    runCli(["scan", ...args], { ...io, env: {}, cwd, stderrIsTTY: false }),
  );
  return { code, stdout: out };
}

describe("inside a git repository", () => {
  const repo = temp();
  write(repo, ".gitignore", "*.env\npackages/app/build/\n");
  write(repo, "tracked.env", `ACS=${CS}\n`); // ignored by .gitignore, but tracked: scanned
  write(repo, "untracked.env", `ACS=${CS}\n`); // ignored and untracked: not scanned
  write(repo, "packages/app/src/config.json", JSON.stringify({ cs: CS }));
  write(repo, "packages/app/build/out.json", JSON.stringify({ cs: CS })); // ignored by the root .gitignore
  write(repo, "packages/app/new.yaml", `cs: "${CS}"\n`); // untracked, not ignored: scanned
  git(repo, "init", "-q");
  git(repo, "add", ".gitignore", "packages/app/src/config.json");
  git(repo, "add", "-f", "tracked.env");
  git(repo, "commit", "-qm", "init");

  it("scans tracked files even when a .gitignore matches them, and skips ignored untracked files", () => {
    expect(files(scanPaths(["."], { cwd: repo }))).toEqual([
      "packages/app/new.yaml",
      "packages/app/src/config.json",
      "tracked.env",
    ]);
  });

  it("honours the repository root's .gitignore when scanning a subdirectory", () => {
    const r = scanPaths(["packages/app"], { cwd: repo });
    expect(files(r)).toEqual(["packages/app/new.yaml", "packages/app/src/config.json"]);
  });

  it("without git, the ancestor .gitignore files up to the repository root still apply", () => {
    const r = scanPaths(["packages/app"], { cwd: repo, useGit: false });
    expect(files(r)).toEqual(["packages/app/new.yaml", "packages/app/src/config.json"]);
  });
});

describe("a git directory kept elsewhere (GIT_DIR)", () => {
  // No ancestor of the work tree holds a .git, so only GIT_DIR tells git where the repository is: the scan must still
  // ask git (a tracked file that a .gitignore matches is scanned only when git lists the files).
  const root = temp();
  const work = join(root, "work");
  const gitDir = join(root, "repo.git");
  write(work, ".gitignore", "*.env\n");
  write(work, "tracked.env", `ACS=${CS}\n`);
  write(work, "untracked.env", `ACS=${CS}\n`);
  git(root, "--git-dir", gitDir, "--work-tree", work, "init", "-q");
  git(root, "--git-dir", gitDir, "--work-tree", work, "add", "-f", "tracked.env");

  it("lists the files through git", () => {
    const saved = { GIT_DIR: process.env.GIT_DIR, GIT_WORK_TREE: process.env.GIT_WORK_TREE };
    process.env.GIT_DIR = gitDir;
    process.env.GIT_WORK_TREE = work;
    try {
      expect(files(scanPaths(["."], { cwd: work }))).toEqual(["tracked.env"]);
    } finally {
      for (const [name, value] of Object.entries(saved))
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
    expect(files(scanPaths(["."], { cwd: work }))).toEqual([]);
  });
});

describe("file handling", () => {
  it("reports symbolic links as skipped and counts them", () => {
    const dir = temp();
    write(dir, "real.env", `ACS=${CS}\n`);
    symlinkSync(join(dir, "real.env"), join(dir, "link.env"));
    const r = scanPaths(["."], { cwd: dir, useGit: false });
    expect(files(r)).toEqual(["real.env"]);
    expect(r.skipped).toEqual([{ file: "link.env", reason: "symlink" }]);
    expect(r.filesSkipped).toBe(1);
  });

  it("decodes UTF-16 LE and BE files with a BOM", () => {
    const dir = temp();
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`ACS=${CS}\n`, "utf16le")]);
    const be = Buffer.from(le.subarray(2));
    be.swap16();
    write(dir, "le.env", le);
    write(dir, "be.env", Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    const r = scanPaths(["."], { cwd: dir, useGit: false });
    expect(files(r)).toEqual(["be.env", "le.env"]);
    // Binary: a PNG header (NUL bytes, not UTF-8, not mostly printable). A NUL alone no longer makes a file binary.
    expect(
      decodeText(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52])),
    ).toBeUndefined();
  });

  it("reports files over --max-file-size instead of dropping them", async () => {
    const dir = temp();
    write(dir, "big.env", `${"#".repeat(5000)}\nACS=${CS}\n`);
    write(dir, "small.env", `ACS=${CS}\n`);
    const r = scanPaths(["."], { cwd: dir, useGit: false, maxFileBytes: 4096 });
    expect(r.skipped).toEqual([{ file: "big.env", reason: "too-large" }]);
    const { code, stdout } = await cli([".", "--max-file-size", "4k"], dir);
    expect(code).toBe(1);
    expect(stdout).toContain("big.env  skipped  larger than the size limit");
    expect(stdout).toContain("1 skipped");
    expect((await cli([".", "--max-file-size", "lots"], dir)).code).toBe(2);
  });

  it("escapes file names: no raw newline or escape sequence reaches the text output", async () => {
    const dir = temp();
    const evil = "x\n✓ no key-based ACS authentication found (0 files scanned)\u001b[2K.env";
    write(dir, evil, `ACS=${CS}\n`);
    const { stdout } = await cli(["."], dir);
    expect(stdout).not.toContain("\u001b");
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2); // one finding, one summary
    expect(lines[0]).toContain("x\\u{000a}✓ no key-based");
    expect(lines[1]).toMatch(/^✗ 1 finding/);
    expect(stdout).not.toContain(KEY);
  });

  it("a 4 MiB file of connection-string fragments (about 170,000 findings) is reported, not a stack overflow", () => {
    const root = temp();
    write(root, "fragments.txt", "endpoint=x;accesskey=ab ".repeat(175_000));
    const r = scanPaths(["fragments.txt"], { cwd: root, maxFileBytes: 8 * 1024 * 1024, jobs: 1 });
    expect(r.findings.length).toBeGreaterThan(100_000);
  });
});
