// anchorLinesOf reads what an attacker may have appended to the anchor: whatever the bytes and however they are
// chunked, every line comes out whole or as the overlong marker, the lines after an overlong one are still read, and
// nothing past the total limit is read.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ANCHOR_OVERLONG,
  ANCHOR_TOO_LARGE,
  anchorLinesOf,
} from "../../../packages/acs-baseline/src/audit/verify/lineReader.js";

async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (const c of [...cuts.map((x) => x % (bytes.length + 1))].sort((a, b) => a - b)) {
    if (c > at) yield bytes.subarray(at, c);
    at = Math.max(at, c);
  }
  await Promise.resolve();
  if (at < bytes.length) yield bytes.subarray(at);
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(l);
  return out;
}

const MAX = 16;

describe("anchorLinesOf", () => {
  it("any lines, any chunking: whole lines, or the overlong marker for lines over the limit", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ maxLength: 30 }).map((s) => s.replace(/\n/g, "")),
          { maxLength: 20 },
        ),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.boolean(),
        async (lines, cuts, finalNewline) => {
          const text = lines.join("\n") + (finalNewline && lines.length > 0 ? "\n" : "");
          const got = await collect(anchorLinesOf(chunked(Buffer.from(text, "utf8"), cuts), MAX, 1 << 20));
          const parts = text === "" ? [] : text.split("\n");
          if (text.endsWith("\n")) parts.pop(); // nothing after the last newline is no line
          const expected = parts.map((l) => (Buffer.byteLength(l) > MAX ? ANCHOR_OVERLONG : l));
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("stops at the total limit with the too-large marker", async () => {
    const bytes = Buffer.from("a\n".repeat(100));
    const got = await collect(anchorLinesOf(chunked(bytes, [10, 20, 30, 150]), MAX, 50));
    expect(got.at(-1)).toBe(ANCHOR_TOO_LARGE);
    expect(got.length).toBeLessThan(30);
  });
});
