/** scrubText on long text: always terminates, never longer than MAX_TEXT_LENGTH (a long reason once recursed without end and the record was dropped). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_TEXT_LENGTH, scrubText } from "../../packages/acs-baseline/src/audit/redaction.js";

describe("scrubText length bound", () => {
  it("cuts any text longer than MAX_TEXT_LENGTH to at most MAX_TEXT_LENGTH characters, ending with an ellipsis", () => {
    fc.assert(
      fc.property(fc.string({ minLength: MAX_TEXT_LENGTH + 1, maxLength: MAX_TEXT_LENGTH * 6 }), (text) => {
        const out = scrubText(text);
        expect(out.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
        expect(out.endsWith("…")).toBe(true);
      }),
      { numRuns: 200 },
    );
    expect(scrubText("a".repeat(2000))).toHaveLength(MAX_TEXT_LENGTH);
  });
});
