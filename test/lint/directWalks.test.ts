// The scope walker's direct walks (directWalks.ts: the commonest node types' keys spelled out, for speed) must visit
// exactly what the generic walk over the parser's keys visits, in the same order: on every JavaScript/TypeScript
// fixture, the facts collected with them equal the facts collected with them turned off.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseProgram } from "../../packages/cli/src/scan/code/jsAnalysis.js";
import { nodeRequire } from "../../packages/cli/src/scan/nodeRequire.js";
import { directWalk } from "../../packages/eslint-plugin/src/analysis/directWalks.js";
import { collectProgramFacts } from "../../packages/eslint-plugin/src/analysis/scopes.js";
import type { ProgramFacts, VisitorKeys } from "../../packages/eslint-plugin/src/analysis/scopes.js";
import type { AnyNode } from "../../packages/eslint-plugin/src/analysis/estreeNodes.js";

const CODE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const oxc = nodeRequire("oxc-parser") as {
  visitorKeys: VisitorKeys;
  parseSync(file: string, text: string, options: object): { program: AnyNode };
};
const { visitorKeys } = oxc;
/** The same keys plus one no node has: no type's keys match a direct walk, so every node takes the generic walk. */
const genericOnly: VisitorKeys = Object.fromEntries(
  Object.entries(visitorKeys).map(([type, keys]) => [type, [...(keys ?? []), "noSuchKey"]]),
);

/** A string literal (a site) in every child position of every type with a direct walk, so order counts too. */
const EVERY_SLOT = [
  `const a = { "k1": "v1", ["k" + "2"]: "v2" + "x" }, b = "init";`,
  `"callee"("arg1", "arg2")["member" + "1"]["member2"];`,
  `async function f() { await "awaited"; return "returned"; }`,
  `{ "in block"; }`,
  `class C { m(@dec("decorator") p, q = "default") { return [p, q, "array"]; } }`,
].join("\n");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : CODE.test(name) ? [path] : [];
  });
}

/** The facts as comparable values: each site's node, holder and child (the same objects in both walks), in order. */
function shape(facts: ProgramFacts): unknown[] {
  return [facts.modules, ...facts.sites.map((s) => [s.node, s.holder, s.child, s.inClass])];
}

describe("direct walks", () => {
  it("are used only for exactly the keys they read, in their order", () => {
    expect(directWalk("Identifier", ["decorators"])).toBeTypeOf("function");
    expect(directWalk("Identifier", [])).toBeUndefined();
    expect(directWalk("CallExpression", ["callee", "arguments"])).toBeTypeOf("function");
    expect(directWalk("CallExpression", ["arguments", "callee"])).toBeUndefined();
    expect(directWalk("CallExpression", ["callee", "arguments", "typeArguments2"])).toBeUndefined();
    expect(directWalk("toString", [])).toBeUndefined();
  });

  it("collect the same facts as the generic walk on every fixture", () => {
    const corpus = [...files(join(__dirname, "fixtures")), ...files(join(__dirname, "..", "scan", "fixtures"))];
    let compared = 0;
    let sites = 0;
    for (const path of ["every-slot.ts", ...corpus]) {
      const text = path === "every-slot.ts" ? EVERY_SLOT : readFileSync(path, "utf8");
      const parsed = parseProgram(path, text, extname(path));
      expect("program" in parsed || path !== "every-slot.ts", path).toBe(true);
      if (!("program" in parsed)) continue;
      const direct = collectProgramFacts(parsed.program, visitorKeys);
      const generic = collectProgramFacts(parsed.program, genericOnly);
      expect(shape(direct), path).toEqual(shape(generic));
      compared++;
      sites += direct.sites.length;
      parsed.release();
    }
    // TypeScript's own AST shape (as typescript-eslint gives ESLint) keeps parameter decorators on the identifier.
    const tsShaped = oxc.parseSync("every-slot.ts", EVERY_SLOT, { lang: "ts", astType: "ts" }).program;
    const direct = collectProgramFacts(tsShaped, visitorKeys);
    expect(shape(direct)).toEqual(shape(collectProgramFacts(tsShaped, genericOnly)));
    expect(direct.sites.some((s) => s.node.type === "Literal" && s.node.value === "decorator")).toBe(true);
    expect(compared).toBeGreaterThan(50);
    expect(sites).toBeGreaterThan(500);
  });
});
