// Every file the docs cite exists: a path such as `test/support/azurite.ts` or `packages/cli/src/estate/queries.ts`,
// a path within a folder (`posture/readArm.ts`) and a source file named alone (`memoryWatch.ts`) somewhere in the
// repository. A file moved or renamed without its docs fails here (docs/audit-anchor.md named
// test/audit/helpers/azurite.ts after the helper had moved).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");

/** The README, the package READMEs and every page under docs/. */
function docFiles(): string[] {
  const pages = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? pages(join(dir, e.name)) : e.name.endsWith(".md") ? [join(dir, e.name)] : [],
    );
  const packages = readdirSync(join(ROOT, "packages")).map((p) => join("packages", p, "README.md"));
  return ["README.md", ...packages.filter((p) => existsSync(join(ROOT, p))), ...pages("docs")];
}

/** Paths (with `/`) of every file under the repository's own folders (no node_modules, no dist). */
function repositoryFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      if (e.name === "node_modules" || e.name === "dist") continue;
      if (e.isDirectory()) walk(`${dir}/${e.name}`);
      else files.push(`${dir}/${e.name}`);
    }
  };
  for (const dir of ["packages", "test", "bench", "scripts", "examples", ".ci"]) walk(dir);
  return files;
}

const CITED_PATH =
  /\b(?:test|packages|bench|scripts|examples|\.ci|review|docs)\/[\w./-]+\.(?:ts|mts|cts|mjs|js|md|sh|json|toml)\b/g;
const CITED_NAME = /`([a-zA-Z]\w+\.(?:ts|mjs))`/g;
/** A path relative to some folder, as the docs write them: `posture/readArm.ts`, `code/jsAnalysis.ts`. */
const CITED_TAIL = /`([a-zA-Z][\w.-]*(?:\/[\w.-]+)+\.(?:ts|mts|cts|mjs|js))`/g;

describe("docs: every file they cite exists", () => {
  const files = repositoryFiles();
  const names = new Set(files.map((f) => f.slice(f.lastIndexOf("/") + 1)));
  for (const doc of docFiles()) {
    it(doc, () => {
      const text = readFileSync(join(ROOT, doc), "utf8");
      const paths = [...new Set(text.match(CITED_PATH) ?? [])];
      expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
      const alone = [...new Set([...text.matchAll(CITED_NAME)].map((m) => m[1]))];
      expect(alone.filter((n) => !names.has(n))).toEqual([]);
      const tails = [...new Set([...text.matchAll(CITED_TAIL)].map((m) => m[1]))];
      expect(tails.filter((t) => !files.some((f) => f === t || f.endsWith(`/${t}`)))).toEqual([]);
    });
  }

  it("finds the paths it checks", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme.match(CITED_PATH)).toContain("docs/factory.md");
    const architecture = readFileSync(join(ROOT, "docs", "architecture.md"), "utf8");
    expect(architecture.match(CITED_NAME)).toContain("`memoryWatch.ts`");
    expect(architecture.match(CITED_TAIL)).toContain("`posture/readArm.ts`");
  });
});
