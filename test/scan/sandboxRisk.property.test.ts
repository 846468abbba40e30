// Which source files go to the parser sandbox is decided from the text alone (so every thread and path routes a file
// the same way): a parsed text longer than MAX_IN_PROCESS_CHARS or with more than MAX_IN_PROCESS_ANGLES `<`.
import fc from "fast-check";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { workerCodeOutcome } from "../../packages/cli/src/scan/code/codeOutcome.js";
import {
  MAX_IN_PROCESS_ANGLES,
  MAX_IN_PROCESS_CHARS,
  needsSandbox,
} from "../../packages/cli/src/scan/code/sandboxRisk.js";
import { needsParse } from "../../packages/cli/src/scan/code/sourceFindings.js";
import { HOSTILE_SOURCES } from "../support/hostileSources.js";
import { tempDir } from "../support/tempDir.js";

const ACS = `import "@azure/communication-sms";\n`;

/** The reference: the definition, written the slow and obvious way. */
const reference = (text: string): boolean =>
  needsParse(text) && (text.length > MAX_IN_PROCESS_CHARS || text.split("<").length - 1 > MAX_IN_PROCESS_ANGLES);

describe("needsSandbox", () => {
  it("matches its definition on texts around both limits", () => {
    const piece = fc.constantFrom("<", "a", ";", "{}", "communication", "\\u0041", "\n", "é");
    const text = fc
      .tuple(
        fc.array(piece, { maxLength: 40 }),
        fc.integer({ min: 0, max: 12_000 }),
        fc.integer({ min: 0, max: 1_200 }),
      )
      .map(([pieces, filler, angles]) => pieces.join("") + "x".repeat(filler) + "<".repeat(angles));
    fc.assert(
      fc.property(text, (t) => needsSandbox(t) === reference(t)),
      { numRuns: 300 },
    );
  });

  it("draws the lines exactly at the limits", () => {
    const pad = (n: number) => ACS + "x".repeat(n - ACS.length);
    expect(needsSandbox(pad(MAX_IN_PROCESS_CHARS))).toBe(false);
    expect(needsSandbox(pad(MAX_IN_PROCESS_CHARS + 1))).toBe(true);
    expect(needsSandbox("x".repeat(MAX_IN_PROCESS_CHARS * 10))).toBe(false); // never parsed: nothing to crash
    expect(needsSandbox(ACS + "<".repeat(MAX_IN_PROCESS_ANGLES))).toBe(false);
    expect(needsSandbox(ACS + "<".repeat(MAX_IN_PROCESS_ANGLES + 1))).toBe(true);
    for (const hostile of HOSTILE_SOURCES) expect(needsSandbox(hostile.text), hostile.name).toBe(true);
  });

  it("keeps such files off worker threads", () => {
    const dir = tempDir("acs-sandbox-risk-");
    for (const hostile of HOSTILE_SOURCES) {
      writeFileSync(join(dir, hostile.name), hostile.text);
      const file = { absolute: join(dir, hostile.name), display: hostile.name, ext: hostile.name.slice(-3) };
      expect(workerCodeOutcome(file, 2 * 1024 * 1024), hostile.name).toBe("deep");
    }
  });
});
