// Architecture checks for packages/*/src (docs/architecture.md): no source file over 450 lines, no function over 80
// lines (unless the line before it says `// architecture: table`: a table or data literal), and no import cycle among
// relative imports. Prints every violation and exits non-zero when there is one.
// Usage: node .ci/check-architecture.mjs [folder…]   (default: every packages/*/src)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const MAX_FILE_LINES = 450;
const MAX_FUNCTION_LINES = 80;
const ALLOW = "// architecture: table";
const root = resolve(dirname(new URL(import.meta.url).pathname), "..");

/** Every `.ts` file (not `.d.ts`) under `dir`. */
function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

function defaultFolders() {
  const packages = join(root, "packages");
  return readdirSync(packages)
    .map((name) => join(packages, name, "src"))
    .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory());
}

/** Functions longer than the limit, as `file:line name (n lines)`. */
function longFunctions(file, source, lines) {
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const length = end - start + 1;
      const allowed = (lines[start - 1] ?? "").trim() === ALLOW;
      if (length > MAX_FUNCTION_LINES && !allowed) {
        const name = node.name?.getText(source) ?? "(anonymous)";
        found.push(
          `${relative(root, file)}:${start + 1} function ${name} has ${length} lines (max ${MAX_FUNCTION_LINES})`,
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Relative imports and re-exports of `file`, resolved to source files. */
function relativeImports(file, source) {
  const targets = [];
  const add = (specifier) => {
    if (!specifier.startsWith(".")) return;
    const target = resolve(dirname(file), specifier).replace(/\.js$/, ".ts");
    targets.push(target);
  };
  for (const statement of source.statements) {
    const spec = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier;
    // Type-only imports create no runtime cycle but still tangle the design: they count too.
    if (spec && ts.isStringLiteral(spec)) add(spec.text);
  }
  return targets;
}

/** Import cycles (strongly connected components with more than one file, or a file importing itself). */
function cycles(graph) {
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const connect = (v) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), indices.get(w)));
    }
    if (low.get(v) === indices.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component);
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) connect(v);
  return found;
}

const folders = process.argv.length > 2 ? process.argv.slice(2).map((f) => resolve(f)) : defaultFolders();
const violations = [];
const graph = new Map();
for (const file of folders.flatMap(sourceFiles)) {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const count = text.endsWith("\n") ? lines.length - 1 : lines.length;
  if (count > MAX_FILE_LINES) violations.push(`${relative(root, file)} has ${count} lines (max ${MAX_FILE_LINES})`);
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  violations.push(...longFunctions(file, source, lines));
  graph.set(file, relativeImports(file, source));
}
for (const component of cycles(graph)) {
  violations.push(
    `import cycle: ${component
      .map((f) => relative(root, f))
      .sort()
      .join(" ↔ ")}`,
  );
}
for (const v of violations) console.log(v);
console.log(violations.length === 0 ? "architecture: ok" : `architecture: ${violations.length} violation(s)`);
process.exit(violations.length === 0 ? 0 : 1);
