#!/usr/bin/env node
// Fast ESM-only build for `npm run demo`: transpiles each given workspace package's src/ to dist/esm/ with
// TypeScript's transpileModule (no type check, no declarations, no CommonJS; the sources are isolatedModules-safe),
// and only when dist/esm is missing or older than a source file. After a full build (`npm run build`: tshy, ESM +
// CommonJS + declarations) it does nothing. Usage: node scripts/build-esm.mjs packages/acs-baseline packages/emulator
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/** TypeScript, loaded only when something is stale (importing it alone takes about a second). */
let ts;
async function typescript() {
  ts ??= (await import("typescript")).default;
  return ts;
}

/** Source files of src/ in the ESM dialect: `.ts`, `.mts` (tshy's `-cjs.cts` overrides belong to CommonJS). */
function sources(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (/\.m?ts$/.test(entry.name) && !entry.name.endsWith(".d.ts") && !entry.name.endsWith(".d.mts"))
      out.push(path);
  }
  return out;
}

/** dist/esm path for a source: `x.ts` → `x.js`, `x.mts` → `x.mjs`, tshy's `x-esm.mts` override → `x.js`. */
function target(pkg, file) {
  const rel = relative(join(pkg, "src"), file);
  const js = rel.endsWith("-esm.mts")
    ? rel.replace(/-esm\.mts$/, ".js")
    : rel.replace(/\.mts$/, ".mjs").replace(/\.ts$/, ".js");
  return join(pkg, "dist", "esm", js);
}

async function build(pkg) {
  const files = sources(join(pkg, "src"));
  const stale = files.filter(
    (f) => !existsSync(target(pkg, f)) || statSync(target(pkg, f)).mtimeMs < statSync(f).mtimeMs,
  );
  if (stale.length === 0) return 0;
  const ts = await typescript();
  const compilerOptions = {
    module: ts.ModuleKind.ESNext,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    isolatedModules: true,
  };
  for (const file of files) {
    const { outputText, diagnostics } = ts.transpileModule(readFileSync(file, "utf8"), {
      compilerOptions,
      fileName: file,
      reportDiagnostics: true,
    });
    if (diagnostics?.length)
      throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, "\n")}`);
    mkdirSync(dirname(target(pkg, file)), { recursive: true });
    writeFileSync(target(pkg, file), outputText);
  }
  const marker = join(pkg, "dist", "esm", "package.json");
  if (!existsSync(marker)) writeFileSync(marker, `${JSON.stringify({ type: "module" }, null, 2)}\n`);
  return files.length;
}

const started = Date.now();
let built = 0;
for (const pkg of process.argv.slice(2)) built += await build(pkg);
if (built > 0)
  console.log(
    `build-esm: ${built} files transpiled to ESM in ${Date.now() - started} ms (npm run build makes the full build)`,
  );
