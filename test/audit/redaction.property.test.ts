// Issue 14, finding 5: redaction of long text. scrubText used to recurse without end on anything over 512
// characters, and the record holding it was silently dropped. Property-based, on inputs up to 1 MB.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_TEXT_LENGTH, scrubText } from "../../packages/acs-baseline/src/audit/record/redaction.js";

const fragment = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.string({ unit: "binary", maxLength: 32 }),
  fc.constantFrom(
    "+14255550123 ",
    "1425555012345678901234",
    "Bearer abc.def ",
    "accesskey=",
    "%2B14255550123",
    "/",
    " ",
    "=",
    "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
  ),
);
/** Text of any length up to ~1 MB: a fragment repeated. */
const longText = fc
  .tuple(fc.array(fragment, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 20_000 }))
  .map(([parts, times]) => {
    const unit = parts.join("");
    return unit.length === 0 ? "" : unit.repeat(Math.max(1, Math.min(times, Math.floor((1 << 20) / unit.length))));
  });

describe("scrubText on long input", () => {
  it("terminates, never throws and never returns more than MAX_TEXT_LENGTH characters (inputs up to 1 MB)", () => {
    fc.assert(
      fc.property(longText, (text) => {
        const out = scrubText(text);
        expect(out.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
        if (text.length > 0) expect(out.length).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  });

  it("every length around the cut (500–3000 characters) gives a bounded result", () => {
    for (let n = 500; n <= 3000; n += 1) {
      const out = scrubText("r".repeat(n));
      expect(out.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
      expect(out.startsWith("rrrr")).toBe(true);
    }
  });

  it("a cut never leaves a phone-number-shaped tail: digit runs longer than a phone number, cut at the boundary", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MAX_TEXT_LENGTH - 40, max: MAX_TEXT_LENGTH }),
        fc.stringMatching(/^[1-9]\d{20,40}$/),
        (pad, digits) => {
          const out = scrubText(`${"a".repeat(pad)} ${digits}`);
          expect(out.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
          // a run of 16+ digits is not a phone number; cut to 8-15 it would look like one, so it must be masked
          expect(out).not.toMatch(/(?<!\d)\d{8,15}(?!\d)/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("secrets planted in long text never come out", () => {
    const key = Buffer.alloc(64, 7).toString("base64");
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 * MAX_TEXT_LENGTH }),
        fc.constantFrom(key, `Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl`, "+14255550123", "%2B14255550123"),
        (at, secret) => {
          const text = `${"word ".repeat(at / 5 + 1).slice(0, at)}${secret} tail`;
          const out = scrubText(text);
          expect(out).not.toContain(secret.replace(/^Bearer /, ""));
          expect(out).not.toContain("4255550123");
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("scrubText length bound", () => {
  it("cuts any text longer than MAX_TEXT_LENGTH to at most MAX_TEXT_LENGTH characters, ending with an ellipsis", () => {
    fc.assert(
      fc.property(fc.string({ minLength: MAX_TEXT_LENGTH + 1, maxLength: MAX_TEXT_LENGTH * 6 }), (text) => {
        const out = scrubText(text);
        expect(out.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
        // Without the ellipsis, the text fit once redacted: nothing was cut, something was replaced.
        if (!out.endsWith("…")) {
          expect(text.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH * 4);
          expect(out).toMatch(/\[REDACTED\]|\*\*\*/);
        }
      }),
      { numRuns: 200 },
    );
    expect(scrubText("a".repeat(2000))).toHaveLength(MAX_TEXT_LENGTH);
    // Redaction shortened it below the bound: the ellipsis stays, so a reader knows the text was cut.
    const cutThenRedacted = scrubText(`endpoint=https://a.communication.azure.com/;accesskey=${"Zm9v".repeat(600)}`);
    expect(cutThenRedacted.length).toBeLessThan(MAX_TEXT_LENGTH);
    expect(cutThenRedacted.endsWith("…")).toBe(true);
    expect(cutThenRedacted).not.toContain("Zm9vZm9v");
    // Whatever text is cut at the input bound, the result ends with the ellipsis.
    fc.assert(
      fc.property(fc.string({ minLength: MAX_TEXT_LENGTH * 4 + 1, maxLength: MAX_TEXT_LENGTH * 5 }), (text) => {
        expect(scrubText(text).endsWith("…")).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
  it("the ellipsis survives a key run cut at the input bound", () => {
    fc.assert(
      fc.property(fc.nat(MAX_TEXT_LENGTH * 4), fc.stringMatching(/^[A-Za-z0-9+/]{2100,2300}$/), (lead, run) => {
        const out = scrubText(`${" ".repeat(lead)}${run}`);
        expect(out.endsWith("…")).toBe(true);
        expect(out.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
      }),
      { numRuns: 100 },
    );
  });
});

describe("a refusal's own words", () => {
  it("keep an ellipsis standing for a key (`accesskey=…).`), and still redact any value after the name", () => {
    const message = "refused (endpoint=…;accesskey=…). Connection strings carry an access key.";
    expect(scrubText(message)).toBe(message);
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9+/]{8,40}$/), fc.constantFrom("", ".", ")", "…"), (secret, tail) => {
        const out = scrubText(`accesskey=…${secret}${tail} and accesskey=${secret}…`);
        expect(out).not.toContain(secret);
      }),
    );
  });
});
