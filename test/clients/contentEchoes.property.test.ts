/**
 * The echo match under generated input (fast-check): any content string, written into a JSON error body with any mix
 * of JSON escapes (as is, `\"`/`\/`/`\n`-style, `\uXXXX` in either case), once or quoted inside another JSON string,
 * does not survive `withoutEchoes`, and the body stays JSON; text that holds no echo is left as it was.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withoutEchoes } from "../../packages/acs-baseline/src/clients/contentEchoes.js";
import { REDACTED } from "../../packages/acs-baseline/src/text/scrub.js";

const SHORT: Record<string, string> = { '"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f" };
Object.assign(SHORT, { "\n": "\\n", "\r": "\\r", "\t": "\\t" });
const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(4, "0");

/** One UTF-16 unit of `c` as a JSON writer may spell it, by `choice`: as is (where JSON allows), short, \u, \U-hex. */
function spelled(c: string, choice: number): string {
  const plain = c !== '"' && c !== "\\" && c >= " ";
  if (choice === 0 && plain) return c;
  if (choice === 1 && SHORT[c] !== undefined) return SHORT[c];
  return choice === 3 ? `\\u${hex(c).toUpperCase()}` : `\\u${hex(c)}`;
}
/** `text` JSON-escaped with the escape of each unit chosen by `choices`. */
const escaped = (text: string, choices: number[]): string =>
  text
    .split("")
    .map((c, i) => spelled(c, choices[i % choices.length] ?? 0))
    .join("");

const echo = fc
  .string({ unit: "binary", minLength: 4, maxLength: 40 })
  .filter((s) => s.trim().length >= 4 && !s.includes("\u0000"));
const choices = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 64 });
const around = fc.string({ maxLength: 30 });
/** A decoded message with the redaction marks cut out (so they cannot be read as part of an echo). */
const unmarked = (message: string): string => message.split(REDACTED).join("\u0000");

describe("withoutEchoes", () => {
  it("finds an echo written with any mix of JSON escapes, in a body or quoted in another JSON string", () => {
    fc.assert(
      fc.property(echo, choices, around, around, fc.boolean(), (content, pick, before, after, twice) => {
        const message = `${JSON.stringify(before).slice(1, -1)}${escaped(content, pick)}${JSON.stringify(after).slice(1, -1)}`;
        const inner = `{"error":{"code":"BadRequest","message":"${message}"}}`;
        const body = twice ? JSON.stringify({ error: { message: inner } }) : inner;
        const out = withoutEchoes(body, [content]);
        const parsed = JSON.parse(twice ? (JSON.parse(out) as { error: { message: string } }).error.message : out) as {
          error: { message: string };
        };
        expect(unmarked(parsed.error.message)).not.toContain(content);
        expect(out).toContain(REDACTED);
      }),
      { numRuns: 400 },
    );
  });

  it("leaves text that holds no echo as it was", () => {
    fc.assert(
      fc.property(echo, fc.string({ unit: "binary", maxLength: 80 }), (content, text) => {
        const head = content.slice(0, 12);
        fc.pre(!/[&<>"']/.test(content) && !text.includes("\\") && !text.includes(head));
        const body = JSON.stringify({ error: { message: text } });
        expect(withoutEchoes(body, [content])).toBe(body);
        expect(withoutEchoes(text, [content])).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
