// Property tests for the IaC parsers fed outside input: the Bicep and HCL tokenizers never throw, their token texts
// concatenate back to the input, and text inside comments and strings never becomes an identifier; the positioned
// JSON parser agrees with JSON.parse; the ARM expression parser only ever throws its own error type.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseArmExpression, ArmExpressionError, armText } from "../../../packages/cli/src/scan/iac/armExpression.js";
import { JsonSyntaxError, parseJsonTree, plainJson } from "../../../packages/cli/src/scan/iac/armJson.js";
import { parseBicep } from "../../../packages/cli/src/scan/iac/bicepParser.js";
import { tokenizeBicep } from "../../../packages/cli/src/scan/iac/bicepTokenizer.js";
import { tokenizeHcl } from "../../../packages/cli/src/scan/iac/hclTokenizer.js";
import { parseHcl } from "../../../packages/cli/src/scan/iac/hclParser.js";

const bicepPieces = fc.constantFrom(
  "resource",
  "acs",
  " ",
  "\n",
  "\r\n",
  "'",
  "''",
  "'''",
  "${",
  "}",
  "{",
  "[",
  "]",
  "(",
  ")",
  "//",
  "/*",
  "*/",
  "#disable-next-line x\n",
  "@secure()",
  ".",
  ":",
  "=",
  "listKeys",
  "\\",
  "\\'",
  "$",
  "\t",
  "é",
  "\u{1F600}",
  "0",
  "output",
  "module",
  "existing",
  "?",
  "!",
);
const hclPieces = fc.constantFrom(
  "resource",
  "acs",
  " ",
  "\n",
  '"',
  "${",
  "%{",
  "$${",
  "}",
  "{",
  "[",
  "]",
  "(",
  ")",
  "#",
  "//",
  "/*",
  "*/",
  "<<EOF\n",
  "<<-EOT\n",
  "EOF\n",
  "=",
  ".",
  "\\",
  '\\"',
  "é",
  "\u{1F600}",
  "-",
  "primary_key",
);
const source = (pieces: fc.Arbitrary<string>) =>
  fc.oneof(
    fc.array(pieces, { maxLength: 60 }).map((a) => a.join("")),
    fc.string({ maxLength: 200 }),
    fc.string({ unit: "binary", maxLength: 80 }),
  );
// Text that cannot close a comment or string it is embedded in.
const inert = fc.string({ unit: fc.constantFrom(..."abcXYZ_09 .:=(){}[]@-"), maxLength: 40 });

describe("Bicep tokenizer", () => {
  it("never throws and round-trips the input", () => {
    fc.assert(
      fc.property(source(bicepPieces), (text) => {
        const tokens = tokenizeBicep(text);
        expect(tokens.map((t) => t.text).join("")).toBe(text);
        for (const t of tokens) expect(t.text.length).toBeGreaterThan(0);
        parseBicep(text); // the parser never throws either
      }),
      { numRuns: 500 },
    );
  });

  it("comments and strings never produce identifiers", () => {
    fc.assert(
      fc.property(inert, fc.constantFrom("line", "block", "string", "multiline"), (body, kind) => {
        const safe = body.replace(/\*\//g, "").replace(/'/g, "").replace(/\$\{/g, "").replace(/\\/g, "");
        const text =
          kind === "line"
            ? `// ${safe}\n`
            : kind === "block"
              ? `/* ${safe} */`
              : kind === "string"
                ? `'${safe}'`
                : `'''${safe}'''`;
        const tokens = tokenizeBicep(text);
        expect(tokens.filter((t) => t.type === "identifier")).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("splits interpolated strings around the expression", () => {
    const tokens = tokenizeBicep("x: 'a${acs.listKeys().primaryKey}b${'n${1}'}c'").filter((t) => t.type !== "ws");
    expect(tokens.map((t) => t.type)).toContain("string-head");
    expect(tokens.filter((t) => t.type === "identifier").map((t) => t.text)).toEqual([
      "x",
      "acs",
      "listKeys",
      "primaryKey",
    ]);
    expect(tokens[tokens.length - 1]).toMatchObject({ type: "string-tail", text: "}c'" });
  });

  it("keeps positions", () => {
    const t = tokenizeBicep("a\n  'b'\r\n  c").filter((x) => x.type === "identifier" || x.type === "string");
    expect(t.map((x) => [x.text, x.line, x.column])).toEqual([
      ["a", 1, 1],
      ["'b'", 2, 3],
      ["c", 3, 3],
    ]);
  });
});

describe("HCL tokenizer", () => {
  it("never throws and round-trips the input", () => {
    fc.assert(
      fc.property(source(hclPieces), (text) => {
        const tokens = tokenizeHcl(text);
        expect(tokens.map((t) => t.text).join("")).toBe(text);
        for (const t of tokens) expect(t.text.length).toBeGreaterThan(0);
        parseHcl(text);
      }),
      { numRuns: 500 },
    );
  });

  it("comments, strings and heredocs never produce identifiers", () => {
    fc.assert(
      fc.property(inert, fc.constantFrom("hash", "slash", "block", "string", "heredoc"), (body, kind) => {
        const safe = body
          .replace(/\*\//g, "")
          .replace(/[$%]\{/g, "")
          .replace(/\n/g, " ");
        const text =
          kind === "hash"
            ? `# ${safe}\n`
            : kind === "slash"
              ? `// ${safe}\n`
              : kind === "block"
                ? `/* ${safe} */`
                : kind === "string"
                  ? `"${safe}"`
                  : `<<EOT\n${safe}\nEOT\n`;
        expect(tokenizeHcl(text).filter((t) => t.type === "identifier")).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("splits templates around interpolations, with $${ as an escape", () => {
    const tokens = tokenizeHcl('v = "x${azurerm_communication_service.acs.primary_key}$${literal}"').filter(
      (t) => t.type === "identifier",
    );
    expect(tokens.map((t) => t.text)).toEqual(["v", "azurerm_communication_service", "acs", "primary_key"]);
  });
});

describe("positioned JSON parser", () => {
  it("agrees with JSON.parse on any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2, "\t"), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(plainJson(parseJsonTree(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it("throws only JsonSyntaxError on bad input, and accepts comments", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          parseJsonTree(text);
        } catch (error) {
          expect(error).toBeInstanceOf(JsonSyntaxError);
        }
      }),
      { numRuns: 300 },
    );
    expect(plainJson(parseJsonTree('// c\n{ /* x */ "a": [1, 2] }'))).toEqual({ a: [1, 2] });
  });
});

describe("ARM expression parser", () => {
  it("parses functions, nested calls, properties, indexers and '' escapes", () => {
    const e = parseArmExpression(
      "[listKeys(resourceId('Microsoft.Communication/communicationServices', parameters('it''s')), '2023-04-01').primaryConnectionString]",
    );
    expect(e).toMatchObject({
      kind: "property",
      name: "primaryConnectionString",
      object: { kind: "call", name: "listKeys" },
    });
    expect(armText(e)).toBe(
      "listKeys(resourceId('Microsoft.Communication/communicationServices', parameters('it''s')), '2023-04-01').primaryConnectionString",
    );
    expect(parseArmExpression("[reference('d').outputs['cs'].value]")).toMatchObject({
      kind: "property",
      name: "value",
      object: { kind: "index" },
    });
    expect(parseArmExpression("[ns.fn(1, -2.5)]")).toMatchObject({ kind: "call", namespace: "ns", name: "fn" });
  });

  it("round-trips through its own rendering", () => {
    const name = fc.constantFrom("concat", "listKeys", "variables", "resourceId", "format");
    const literal = fc
      .string({ unit: fc.constantFrom(..."ab'/ .c"), maxLength: 10 })
      .map((s) => `'${s.replace(/'/g, "''")}'`);
    const expr: fc.Arbitrary<string> = fc.letrec((tie) => ({
      e: fc.oneof(
        { depthSize: "small" },
        literal,
        fc.integer({ min: -5, max: 99 }).map(String),
        fc
          .tuple(name, fc.array(tie("e") as fc.Arbitrary<string>, { maxLength: 3 }))
          .map(([n, a]) => `${n}(${a.join(", ")})`),
        fc.tuple(tie("e") as fc.Arbitrary<string>, fc.constantFrom("primaryKey", "id")).map(([o, p]) => `${o}.${p}`),
      ),
    })).e;
    fc.assert(
      fc.property(expr, (text) => {
        expect(armText(parseArmExpression(`[${text}]`))).toBe(
          armText(parseArmExpression(`[${armText(parseArmExpression(`[${text}]`))}]`)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("throws only ArmExpressionError on bad input", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."ab(),.'[] 1-"), maxLength: 30 }), (inner) => {
        try {
          parseArmExpression(`[${inner}]`);
        } catch (error) {
          expect(error).toBeInstanceOf(ArmExpressionError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
