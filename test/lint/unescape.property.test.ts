// Keys written with escapes (issue 25 item 7): unescapeText undoes JSON/JS \u and \x escapes and URL encoding,
// also doubly applied; the rule and the scan find a connection string however it is escaped, and never print its key.
import { Linter } from "eslint";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import plugin from "../../packages/eslint-plugin/src/index.js";
import { hasEscapes, unescapeText } from "../../packages/eslint-plugin/src/analysis/unescape.js";
import { scanText } from "../../packages/cli/src/scan/scan.js";

const linter = new Linter({ configType: "flat" });
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** A real-looking key: 44 to 88 base64 characters, at least 8 distinct. */
const key = fc
  .array(fc.constantFrom(...BASE64), { minLength: 44, maxLength: 88 })
  .filter((a) => new Set(a).size >= 8)
  .map((a) => a.join(""));
const host = fc.stringMatching(/^[a-z][a-z0-9-]{2,20}$/).map((h) => `${h}.communication.azure.com`);
/** Plain text that holds no escape of its own (so that escaping it and undoing that is the identity). */
const plain = fc.string({ unit: "grapheme-ascii" }).filter((s) => !s.includes("%") && !s.includes("\\"));

const jsonEscape = (s: string, mask: boolean[]) =>
  [...s].map((c, i) => (mask[i % mask.length] ? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}` : c)).join("");
const urlEscape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
const encodings = fc.constantFrom("json", "url", "url-twice", "json-then-url", "hex");
function encode(s: string, how: string, mask: boolean[]): string {
  if (how === "json") return jsonEscape(s, mask);
  if (how === "url") return urlEscape(s);
  if (how === "url-twice") return urlEscape(urlEscape(s));
  if (how === "hex")
    return [...s]
      .map((c, i) => (mask[i % mask.length] ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}` : c))
      .join("");
  return urlEscape(jsonEscape(s, mask));
}
const mask = fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }).map((m) => [true, ...m]);

describe("unescapeText", () => {
  it("undoes JSON \\u escapes of any characters", () => {
    fc.assert(
      fc.property(plain, mask, (s, m) => {
        expect(unescapeText(jsonEscape(s, m))).toBe(s);
      }),
    );
  });
  it("undoes escapes behind doubled backslashes (JSON in JSON) and escaped quotes and slashes", () => {
    expect(unescapeText(String.raw`endpoint\\u003dhttps:\/\/x\/`)).toBe("endpoint=https://x/");
    expect(unescapeText(String.raw`{\"cs\":\"a\u003bb\"}`)).toBe('{"cs":"a;b"}');
  });

  it("undoes URL encoding, once or twice", () => {
    fc.assert(
      fc.property(plain, (s) => {
        expect(unescapeText(urlEscape(urlEscape(s)))).toBe(s);
      }),
    );
  });
  it("leaves text without escapes alone", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        if (!hasEscapes(s)) expect(unescapeText(s)).toBe(s);
      }),
    );
  });
  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(typeof unescapeText(`${s}\\u{110000}%zz\\x`)).toBe("string");
      }),
    );
  });
});

describe("escaped connection strings", () => {
  it("the rule reports them in string literals, without the key", () => {
    fc.assert(
      fc.property(key, host, encodings, mask, (k, h, how, m) => {
        const encoded = encode(`endpoint=https://${h}/;accesskey=${k}`, how, m);
        const code = `export const s = ${JSON.stringify(encoded)};`;
        const messages = linter.verify(code, [plugin.configs.recommended], { filename: "a.js" });
        expect(messages.map((x) => x.messageId)).toEqual(["connectionStringLiteral"]);
        expect(messages[0].message).not.toContain(k);
      }),
      { numRuns: 60 },
    );
  });

  it("the scan reports them in JSON, YAML and .env files, without the key", () => {
    const files = fc.constantFrom(
      ["c.json", (v: string) => `{ "acs": "${v}" }\n`],
      ["nested.json", (v: string) => `{ "settings": ${JSON.stringify(JSON.stringify({ acs: v }))} }\n`],
      ["c.yaml", (v: string) => `acs: "${v}"\n`],
      [".env", (v: string) => `ACS=${v}\n`],
    );
    fc.assert(
      fc.property(key, host, encodings, mask, files, (k, h, how, m, [name, wrap]) => {
        const encoded = encode(`endpoint=https://${h}/;accesskey=${k}`, how, m);
        const findings = scanText(name, wrap(encoded));
        expect(findings.map((f) => f.ruleId)).toContain("acs-baseline/connection-string");
        for (const f of findings) expect(f.message).not.toContain(k);
      }),
      { numRuns: 60 },
    );
  });

  it("the scan reports them in JavaScript, as the rule does", () => {
    fc.assert(
      fc.property(key, host, encodings, mask, (k, h, how, m) => {
        const encoded = encode(`endpoint=https://${h}/;accesskey=${k}`, how, m);
        const findings = scanText("a.js", `export const s = ${JSON.stringify(encoded)};\n`);
        expect(findings.map((f) => f.ruleId)).toEqual(["acs-baseline/no-key-auth"]);
        expect(findings[0].message).not.toContain(k);
      }),
      { numRuns: 60 },
    );
  });
});
