/**
 * Secrets written percent-encoded (fast-check): any key or token shape the scrubber knows (an ACS access key, a
 * connection string, `accesskey=…`, a Bearer token, a JWT, a client secret, a SAS signature, an Entra secret), with
 * each character plain, `%XX` upper-case or `%xx` lower-case, a space also as a form's `+`, encoded once or twice
 * over, is removed by `scrubText`: nothing of it shows, even decoded. And percent-encoded text that holds no secret
 * comes out as it went in.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scrubText } from "../../packages/acs-baseline/src/text/scrub.js";
import { decodedAll } from "../support/percentDecoding.js";

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const chars = (alphabet: string, min: number, max: number) =>
  fc.array(fc.constantFrom(...alphabet.split("")), { minLength: min, maxLength: max }).map((a) => a.join(""));
/** Random material with a letter and a digit (real keys and tokens have both). */
const mixed = (alphabet: string, min: number, max: number) =>
  fc.tuple(chars(alphabet, min, max), fc.nat(9)).map(([s, d]) => `k${s}${d}`);
/** Base64 of 32 or 64 random bytes, as ACS and storage keys are. */
const key = fc
  .constantFrom(32, 64)
  .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }))
  .map((b) => Buffer.from(b).toString("base64"));

/** A secret as it is written (`text`) and the part of it that must not show (`value`). */
const secrets: fc.Arbitrary<{ text: string; value: string }> = fc.oneof(
  key.map((k) => ({ text: k, value: k })),
  fc
    .tuple(key, fc.constantFrom("accesskey=", "AccessKey = ", "endpoint=https://x.communication.azure.com/;accesskey="))
    .map(([k, p]) => ({ text: `${p}${k}`, value: k })),
  fc
    .tuple(fc.constantFrom("Bearer", "Authorization: Bearer", "SharedAccessSignature"), mixed(`${B64URL}.~`, 16, 64))
    .map(([s, t]) => ({ text: `${s} ${t}`, value: t })),
  fc.tuple(mixed(B64URL, 10, 40), mixed(B64URL, 10, 80), mixed(B64URL, 20, 86)).map(([h, p, s]) => {
    const jwt = `eyJ${h}.eyJ${p}.${s}`;
    return { text: jwt, value: jwt };
  }),
  fc
    .tuple(fc.constantFrom("client_secret=", "password: ", "sig=", "token=", "apikey="), mixed(`${B64URL}.~+/`, 8, 40))
    .map(([n, v]) => ({ text: `${n}${v}`, value: v })),
  mixed(`${B64URL}.~`, 30, 34).map((tail) => ({ text: `abc8Q~${tail}`, value: `abc8Q~${tail}` })),
);

const hex = (b: number) => b.toString(16).padStart(2, "0");
/** `text` with each character spelled by the next choice: plain, `%XX`, `%xx`, or (a space) `+`. */
function encoded(text: string, choices: number[]): string {
  return [...text]
    .map((c, i) => {
      const choice = choices[i % choices.length] ?? 0;
      if (choice === 0) return c;
      if (choice === 3 && c === " ") return "+";
      const bytes = [...new TextEncoder().encode(c)].map((b) => `%${hex(b)}`).join("");
      return choice === 2 ? bytes : bytes.toUpperCase();
    })
    .join("");
}
const choices = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 48 });
const context = fc.tuple(
  fc.constantFrom("", "error at https://gw.contoso.example/relay?q=", "failed: ", "x-ms-error-code="),
  fc.constantFrom("", "&x=1", " (request 42)", "%26next%3D1"),
);

/** Every 8-character piece of `value` (every 4 characters): none may show. */
const pieces = (value: string): string[] =>
  Array.from({ length: Math.floor((value.length - 8) / 4) + 1 }, (_, i) => value.slice(i * 4, i * 4 + 8));

describe("scrubText on secrets written percent-encoded", () => {
  it("removes any key or token shape in any mix of plain, %XX, %xx and + spellings, encoded once or twice", () => {
    fc.assert(
      fc.property(secrets, choices, fc.boolean(), context, ({ text, value }, pick, twice, [before, after]) => {
        const once = encoded(text, pick);
        const written = `${before}${twice ? encodeURIComponent(once) : once}${after}`;
        const out = scrubText(written);
        const shown = [out, decodedAll(out, false), decodedAll(out, true)].join("\n");
        for (const piece of pieces(value))
          expect({ written, out, piece, found: shown.includes(piece) }).toMatchObject({ found: false });
        expect(out).toContain("[REDACTED]");
      }),
      { numRuns: 600 },
    );
  });

  // Without `+` for a space: words joined by `+` (32 characters or more) read as a key-shaped run, written as such or
  // encoded, as they did before.
  it("leaves percent-encoded text that holds no secret as it was", () => {
    const words = fc.array(chars("abcdefghijklmnopqrstuvwxyz", 1, 9), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(words, fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 48 }), (list, pick) => {
        const text = list.join(" ");
        fc.pre(!/\b(?:bearer|basic|digest|sharedkey|pop)\b/i.test(text));
        const written = `see https://gw.contoso.example/q?m=${encoded(text, pick)}`;
        expect(scrubText(written)).toBe(written);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps what names the secret as written: accesskey%3D[REDACTED], Bearer%20[REDACTED], Bearer+[REDACTED]", () => {
    const k = Buffer.alloc(64, 7).toString("base64");
    expect(scrubText(`cs=accesskey%3D${encodeURIComponent(k)}`)).toBe("cs=accesskey%3D[REDACTED]");
    expect(scrubText("auth=Bearer%20opaqueTokenValue123")).toBe("auth=Bearer%20[REDACTED]");
    expect(scrubText("auth=Bearer+opaqueTokenValue123")).toBe("auth=Bearer+[REDACTED]");
    // Twice over, the key's run also takes in the hex digits of the escape before it (`%25` `3DBwcH…`), as it does as written.
    expect(scrubText(`x%253D${encodeURIComponent(encodeURIComponent(k))}%26y`)).toMatch(
      /^x%25(?:3D)?\[REDACTED\]%26y$/,
    );
  });
});

// Thirteenth review (/tmp/review-r3/pctSecrets2.mjs): the token pattern wanted a word boundary before `eyJ`, so a token
// glued to a word (`tokeneyJ…`, or `0eyJ…` once `Bearer%u0020%65%79%4a…` is decoded) was left whole.
it("redacts a JSON Web Token glued to a word, plain and percent-encoded", () => {
  const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3gifQ.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWc";
  for (const text of [`token${jwt}`, `x_${jwt}`, `0${jwt}`, `id=abc${encodeURIComponent(jwt).replace(/e/g, "%65")}`])
    expect(scrubText(text)).not.toContain(jwt.slice(20, 40));
});
