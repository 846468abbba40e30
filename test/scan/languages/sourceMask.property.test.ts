// Property tests for the comment and docstring handling of the text front ends: masking keeps every offset and line
// break, never throws on any input, a key form inside any comment or docstring is never reported, and the same form
// after any comment is still reported (the masking does not swallow code).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { languageFindings } from "../../../packages/cli/src/scan/languages/analyse.js";
import { SYNTAX, maskSource } from "../../../packages/cli/src/scan/languages/sourceMask.js";

/** Text without line breaks and without the characters that could close or escape a comment or docstring. */
const commentText = fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n\\"'`*#<>/]/g, " "));

const languages: { file: string; form: string; comments: ((body: string) => string)[] }[] = [
  {
    file: "a.py",
    form: "c = SmsClient.from_connection_string(cs)",
    comments: [
      (b) => `# ${b}`,
      (b) => `"""${b}\n${b}"""`,
      (b) => `'''${b}'''`,
      (b) => `def f():\n    """${b}"""\n    pass`,
    ],
  },
  {
    file: "a.cs",
    form: "var c = new SmsClient(cs);",
    comments: [(b) => `// ${b}`, (b) => `/// <summary>${b}</summary>`, (b) => `/* ${b}\n${b} */`],
  },
  {
    file: "a.java",
    form: "var c = new SmsClientBuilder().connectionString(cs).buildClient();",
    comments: [(b) => `// ${b}`, (b) => `/** ${b}\n * ${b} */`],
  },
  {
    file: "a.go",
    form: 'import x "github.com/Azure/azure-sdk-for-go/sdk/communication/azcommunicationidentity"\nvar c = x.NewClientWithHmacAuth(cs, nil)',
    comments: [(b) => `// ${b}`, (b) => `/* ${b}\n${b} */`],
  },
  { file: "a.sh", form: "az communication list-key -n a -g b", comments: [(b) => `# ${b}`, (b) => `echo ok # ${b}`] },
  {
    file: "a.ps1",
    form: "Get-AzCommunicationServiceKey -CommunicationServiceName a",
    comments: [(b) => `# ${b}`, (b) => `<# ${b}\n${b} #>`],
  },
];

describe("masking", () => {
  it("keeps the length and every line break of any input, in both views, for every syntax", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: "binary" }), (text) => {
        for (const syntax of Object.values(SYNTAX)) {
          const { code, noComments } = maskSource(text, syntax);
          expect(code.length).toBe(text.length);
          expect(noComments.length).toBe(text.length);
          for (let i = 0; i < text.length; i++) if (text[i] === "\n") expect(code[i] + noComments[i]).toBe("\n\n");
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on any input, for any file type", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("a.py", "a.cs", "a.java", "a.kt", "a.go", "a.sh", "a.yml", "a.ps1", "x.json", "run"),
        fc.string({ maxLength: 400 }),
        (file, text) => {
          expect(() => languageFindings(file, text)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("comments and docstrings", () => {
  for (const { file, form, comments } of languages) {
    const key = form.split("\n").pop() as string;
    it(`${file}: the form inside any comment or docstring is not reported; after it, it is`, () => {
      fc.assert(
        fc.property(fc.constantFrom(...comments), commentText, commentText, (comment, before, after) => {
          const header = form.includes("\n") ? `${form.split("\n")[0]}\n` : "";
          const hidden = `${header}${comment(`${before} ${key} ${after}`)}\n`;
          expect(languageFindings(file, hidden)).toEqual([]);
          const shown = `${header}${comment(`${before} ${after}`)}\n${key}\n`;
          expect(languageFindings(file, shown).map((f) => f.line)).toEqual([shown.split("\n").length - 1]);
        }),
        { numRuns: 150 },
      );
    });
  }
});
