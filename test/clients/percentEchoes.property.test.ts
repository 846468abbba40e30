/**
 * The echo match on percent-encoded echoes (fast-check): any content string, written into a URL with each character
 * plain, `%XX` upper-case or `%xx` lower-case (its UTF-8 bytes), a space also as a form's `+`, once or twice over, in
 * an error's text or inside a JSON error body, does not survive `withoutEchoes`: nothing of it shows, even decoded.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withoutEchoes } from "../../packages/acs-baseline/src/clients/contentEchoes.js";
import { REDACTED } from "../../packages/acs-baseline/src/text/scrub.js";
import { decodedAll } from "../support/percentDecoding.js";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Content: any characters, with the ones URL and form encodings treat apart often among them. */
const content = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom(" ", "+", "%", "&", "=", "?", "#", "/", '"', "\\", "\n", "é", "€", "ß", "😀", "中"),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    ),
    minLength: 4,
    maxLength: 40,
  })
  .filter((s) => s.trim().length >= 4 && !LONE_SURROGATE.test(s) && !s.includes("\u0000"));

const hex = (b: number) => b.toString(16).padStart(2, "0");
/**
 * `text` with each character spelled by the next choice: plain (a `%` is always encoded, as every encoder does),
 * `%XX`, `%xx`, or (a space) `+`.
 */
function encoded(text: string, choices: number[]): string {
  return [...text]
    .map((c, i) => {
      const choice = choices[i % choices.length] ?? 0;
      if (choice === 0 && c !== "%") return c;
      if (choice === 3 && c === " ") return "+";
      const bytes = [...new TextEncoder().encode(c)].map((b) => `%${hex(b)}`).join("");
      return choice === 2 ? bytes : bytes.toUpperCase();
    })
    .join("");
}
const choices = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 64 });

/** What a reader of `out` could make of it: as written and decoded, the redaction marks cut out. */
const readings = (out: string): string[] =>
  [out, decodedAll(out, false), decodedAll(out, true)].map((r) => r.split(REDACTED).join("\u0000"));

describe("withoutEchoes on percent-encoded echoes", () => {
  it("finds an echo in any mix of plain, %XX, %xx and + spellings, once or twice over, in text or in a JSON body", () => {
    fc.assert(
      fc.property(content, choices, fc.boolean(), fc.boolean(), (text, pick, twice, json) => {
        const once = encoded(text, pick);
        const url = `https://gw.contoso.example/relay?message=${twice ? encodeURIComponent(once) : once}&x=1`;
        const body = json ? JSON.stringify({ error: { code: "BadRequest", message: `rejected ${url}` } }) : url;
        const out = withoutEchoes(body, [text]);
        expect(out).toContain(REDACTED);
        const shown = json ? (JSON.parse(out) as { error: { message: string } }).error.message : out;
        for (const reading of readings(shown)) {
          expect({ body, out, found: reading.includes(text) }).toMatchObject({ found: false });
          expect({ body, out, found: reading.includes(text.replaceAll(" ", "+")) }).toMatchObject({ found: false });
        }
      }),
      { numRuns: 500 },
    );
  });

  it("finds an echo cut short (its first 12 characters or more) percent-encoded", () => {
    fc.assert(
      fc.property(content, choices, fc.integer({ min: 12, max: 40 }), (text, pick, keep) => {
        fc.pre([...text].length >= 12);
        const cut = [...text].slice(0, keep).join("");
        const out = withoutEchoes(`quoted: ${encoded(cut, pick)}…`, [text]);
        expect(out).toBe(`quoted: ${REDACTED}…`);
      }),
      { numRuns: 300 },
    );
  });
});

// Thirteenth review (/tmp/review-r3/echoOrder.mjs): a gateway that quotes the whole JSON request body percent-encoded
// (or form-encoded) holds the body's own JSON escapes (`\n`, `\"`) once decoded; they were not undone after decoding.
it("finds content in a JSON request body quoted percent- or form-encoded, its JSON escapes undone after decoding", () => {
  const message = 'Reset:\n"code" 884213 for Dana, meet at Pier 39 gate B';
  const body = JSON.stringify({ from: "+14255550100", smsRecipients: [{ to: "+14255550123" }], message });
  for (const text of [
    `WAF blocked body=${encodeURIComponent(body)}`,
    `WAF blocked ${new URLSearchParams({ body }).toString()}`,
    JSON.stringify({ error: { message: `blocked body=${encodeURIComponent(body)}` } }),
  ]) {
    const out = withoutEchoes(text, [message]);
    const decoded = decodeURIComponent(out.replaceAll("+", " "));
    expect(decoded).not.toContain("Dana");
    expect(decoded).not.toContain("884213");
  }
});
