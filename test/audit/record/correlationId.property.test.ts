// Issue 26: a request record's correlation id (an ACS MS-CV) skips the scrubber when its shape proves the scrubber
// would leave it unchanged. Property: the fast path's JSON equals JSON.stringify(scrubText(v)) for arbitrary text and
// for text built in and around the fast path's shape (phone-number digit runs, `+` and digits, key-like runs, `eyJ`).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlainCorrelationVector } from "../../../packages/acs-baseline/src/audit/record/correlationId.js";
import { scrubText } from "../../../packages/acs-baseline/src/audit/record/redaction.js";
import { idJson } from "../../../packages/acs-baseline/src/audit/record/serializeRecord.js";

const slow = (v: string): string => JSON.stringify(scrubText(v));

/** Pieces a base is built from: base64 characters (digits, `+` and `/` weighted up) and what the scrubber looks for. */
const basePiece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") },
  { weight: 6, arbitrary: fc.constantFrom(..."0123456789") },
  { weight: 3, arbitrary: fc.constantFrom("+", "/") },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "+1",
      "+14",
      "+1/4",
      "/1/2",
      "+1+4+2+5",
      "4255550123",
      "425/555/0199",
      "01/23/45/67/89",
      "1234567",
      "12345678",
      "/1234567",
      "eyJ",
      "eyJhbGci",
      "0+1",
      "99/",
      "Q~",
      "accesskey",
      "+1+4+2+5+5+5+0",
      "+1/425/555/0123",
      "PoP+",
      "bearer+",
      "Basic+",
      "DIGEST+",
      "SharedKey+",
      "sharedaccesssignature+",
      "HMAC",
    ),
  },
);
/** A base of 15–23 characters (around the 16–22 the shape takes; sometimes up to 44), mostly base64 characters. */
const base = fc
  .tuple(
    fc.array(basePiece, { minLength: 1, maxLength: 44 }),
    fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 15, max: 23 }) }, fc.integer({ min: 24, max: 44 })),
  )
  .map(([parts, length]) => parts.join("").padEnd(length, "k").slice(0, length));
/** Extensions: mostly 1–5 groups of 1–3 digits; else 0–6 groups of 0–5 digits, sometimes with a stray character. */
const extensions = fc
  .oneof(
    { weight: 3, arbitrary: fc.array(fc.stringMatching(/^\d{1,3}$/), { minLength: 1, maxLength: 5 }) },
    {
      weight: 1,
      arbitrary: fc.array(
        fc.oneof(fc.stringMatching(/^\d{0,5}$/), fc.constantFrom("0", "12", "123", "4567", "x", "", "-1")),
        { minLength: 0, maxLength: 6 },
      ),
    },
  )
  .map((groups) => groups.map((g) => `.${g}`).join(""));
/** A base ending in a short digit group after `/`, then extensions that continue it as a national number. */
const nationalTail = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z]{12,20}$/),
    fc.stringMatching(/^\/\d{1,3}$/),
    fc.constantFrom(".555.0123", ".425.555.0123", ".55.0123", ".555.012", ".0.0123"),
  )
  .map(([letters, group, ext]) => `${letters}${group}`.slice(-22) + ext);
/** Values in and around the fast path's shape. */
const shaped = fc.oneof(
  { weight: 9, arbitrary: fc.tuple(base, extensions).map(([b, e]) => `${b}${e}`) },
  { weight: 1, arbitrary: nationalTail },
);
/** Real-looking MS-CVs: 16 random bytes in base64, cut to 22, and `.0`–`.999` extensions. */
const msCv = fc
  .tuple(
    fc.uint8Array({ minLength: 16, maxLength: 16 }),
    fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 5 }),
  )
  .map(([bytes, ext]) => `${Buffer.from(bytes).toString("base64").slice(0, 22)}.${ext.join(".")}`);

describe("idJson: the correlation-vector fast path", () => {
  it("equals JSON.stringify(scrubText(v)) for arbitrary strings", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" })), (v) => {
        expect(idJson(v)).toBe(slow(v));
      }),
      { numRuns: 3000 },
    );
  });

  it("equals JSON.stringify(scrubText(v)) for values built in and around the MS-CV shape", () => {
    let taken = 0;
    fc.assert(
      fc.property(shaped, (v) => {
        if (isPlainCorrelationVector(v)) taken++;
        expect(idJson(v)).toBe(slow(v));
      }),
      { numRuns: 20_000 },
    );
    // The generator reaches the fast path often (so the property is about it, not only about the slow path).
    expect(taken).toBeGreaterThan(1000);
  });

  it("takes real-looking MS-CVs (random base64 bases) and writes them exactly as scrubText would", () => {
    let taken = 0;
    fc.assert(
      fc.property(msCv, (v) => {
        if (isPlainCorrelationVector(v)) taken++;
        expect(idJson(v)).toBe(slow(v));
      }),
      { numRuns: 5000 },
    );
    expect(taken).toBeGreaterThan(4500);
  });

  // Each of these is changed by scrubText; the shape test must turn every one of them away.
  it.each([
    ["a bare phone number after /", "AbCd/12345678+xYzAbCdE.0"],
    ["+ and digits into the extensions", "AbCdEfGhIjKlMnOpQrSt+1.234.567.890"],
    ["digit groups joined by / from the start", "425/555/0199+AbCdEfGhI.0"],
    ["a JWT start", "eyJhbGciOiJIUzI1NiIsIn.12.3"],
    ["a national number across the extensions", "AbCdEfGhIjKlMnOpQr/123.456.7890"],
  ])("rejects %s (%s)", (_what, v) => {
    expect(scrubText(v)).not.toBe(v);
    expect(isPlainCorrelationVector(v)).toBe(false);
    expect(idJson(v)).toBe(slow(v));
  });

  it("rejects an authorization scheme's name before a `+` (a form's space: `PoP+…`)", () => {
    for (const v of ["PoP+AbCdEfGhIjKlMnOpQr.0", "Ab/bearer+CdEfGhIjKlMn.0", "Ab+Basic+CdEfGhIjKlMno.0"]) {
      expect(isPlainCorrelationVector(v)).toBe(false);
      expect(idJson(v)).toBe(slow(v));
    }
  });

  it.each([
    "WqckibhS6UO2M6ObEqmrZw.0",
    "WMeHaE0XCE+xz6+5JXJoBg.0",
    "Z7RiSWwJXk+vQqDJEGpX+Q.0",
    "aOneA3UeZUi35tksnuLd7Q.1.2",
  ])("takes the MS-CVs of real ACS responses as they are (%s)", (v) => {
    expect(isPlainCorrelationVector(v)).toBe(true);
    expect(idJson(v)).toBe(`"${v}"`);
    expect(slow(v)).toBe(`"${v}"`);
  });
});
