// Review finding (r1): after a `+`, phone numbers written with separators the scrubber did not know were left whole:
// full-width `（）．／－`, `﹣`, `⁃`, `ー`, a soft hyphen, bidi marks, U+180E, `․`, `‧`, `・`, `･`, `[ ] { } | ; '`
// (also percent-encoded), JSON escapes (`\n`), combining marks between the digits, superscript digits; and a bare
// number glued to a word (`x14255550123`). Every one must be masked to its last four digits, and dates, versions, IP
// addresses, GUIDs, short hex hashes and identifiers must stay as they are.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scrubPath, scrubText } from "../../packages/acs-baseline/src/text/scrub.js";
import { maskPhoneNumbersInPath } from "../../packages/emulator/src/requestLog.js";

/** `text` percent-decoded as far as it goes, JSON `\uXXXX` escapes dropped, NFKC-normalised. */
function decoded(text: string): string {
  let out = text;
  for (let i = 0; i < 5; i++) {
    try {
      const next = decodeURIComponent(out);
      if (next === out) break;
      out = next;
    } catch {
      break;
    }
  }
  return out.replace(/\\u[0-9A-Fa-f]{4}/g, "").normalize("NFKC");
}

/** The number is gone: its last four digits are there, masked, and no other digit of it is. */
function expectMasked(out: string, line: string): void {
  expect(decoded(out)).toContain(`***${line}`);
  expect(decoded(out).replace(/\D/g, "")).toBe(line);
}

/** The separators of the finding, and the ones masked before (so that mixes of both are tried). */
const NEW_SEPARATORS = [
  "\uFF08",
  "\uFF09",
  "\uFF0E",
  "\uFF0F",
  "\uFF0D",
  "\uFE63",
  "\u2043",
  "\u30FC",
  "\u00AD",
  "\u200E",
  "\u200F",
  "\u180E",
  "\u2024",
  "\u2027",
  "\u30FB",
  "\uFF65",
  "[",
  "]",
  "{",
  "}",
  "|",
  ";",
  "'",
  "\u0301",
  "\u20E3",
];
const OLD_SEPARATORS = [" ", "-", ".", "/", "(", ")", "_", "\u2013", "\u00A0", "\u00B7", "\u200B"];
const separator = fc.constantFrom(...NEW_SEPARATORS, ...OLD_SEPARATORS);
/** A run of 1–3 separators, at least one of them new. */
const separatorRun = fc
  .tuple(fc.constantFrom(...NEW_SEPARATORS), fc.array(separator, { maxLength: 2 }), fc.nat(2))
  .map(([first, rest, at]) => [...rest.slice(0, at), first, ...rest.slice(at)].join(""));

/** An E.164 number (8–15 digits) split into 2–5 groups joined by separator runs; `line` its last four digits. */
const e164 = fc
  .tuple(
    fc.stringMatching(/^[1-9]\d{7,14}$/),
    fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    fc.array(separatorRun, { minLength: 4, maxLength: 4 }),
    fc.option(separatorRun, { nil: "" }),
  )
  .map(([digits, cuts, runs, lead]) => {
    const at = [...new Set(cuts.map((c) => 1 + (c % (digits.length - 1))))].sort((a, b) => a - b);
    const groups = [0, ...at].map((start, i) => digits.slice(start, at[i] ?? digits.length));
    return { line: digits.slice(-4), text: `+${lead}${groups.map((g, i) => (i ? runs[i - 1] : "") + g).join("")}` };
  });

const SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹";
/** How a number is written: as is, percent-encoded, JSON-escaped, every separator as `\uXXXX`, digits superscript. */
const spelling = fc.constantFrom("plain", "encoded", "json", "unicodeEscapes", "superscript");
const spelled = (text: string, how: string): string => {
  if (how === "encoded") return encodeURIComponent(text);
  if (how === "json") return JSON.stringify(text).slice(1, -1);
  if (how === "superscript") return text.replace(/\d/g, (d) => SUPERSCRIPT[Number(d)] ?? d);
  if (how !== "unicodeEscapes") return text;
  return text.replace(/[^\d+]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
};

describe("a phone number after a `+` with any separators is masked to its last four digits", () => {
  it.each([
    ["+1\uFF08425\uFF09555\uFF0D0123", "0123"],
    ["+1\uFF0E425\uFF0E555\uFF0E0123", "0123"],
    ["+1\uFF0F425\uFF0F555\uFF0F0123", "0123"],
    ["+1\uFE63425\uFE63555\uFE630123", "0123"],
    ["+1\u2043425\u2043555\u20430123", "0123"],
    ["+1\u30FC425\u30FC555\u30FC0123", "0123"],
    ["+1\u00AD425\u00AD555\u00AD0123", "0123"],
    ["+1\u200E425\u200F555\u200E0123", "0123"],
    ["+1\u180E425\u180E555\u180E0123", "0123"],
    ["+1\u2024425\u2024555\u20240123", "0123"],
    ["+1\u2027425\u2027555\u20270123", "0123"],
    ["+1\u30FB425\u30FB555\u30FB0123", "0123"],
    ["+1\uFF65425\uFF65555\uFF650123", "0123"],
    ["+1|425|555|0199", "0199"],
    ["+1 [425] 555 0166", "0166"],
    ["+1 {425} 555 0123", "0123"],
    ["+1 425;555;0123", "0123"],
    ["+1'425'555'0123", "0123"],
    ["%2B1%7C425%7C555%7C0199", "0199"],
    ["%2B1%20%5B425%5D%20555%200166", "0166"],
    ["%2B1%EF%BC%88425%EF%BC%89555%EF%BC%8D0123", "0123"],
    ["+1\\n425\\n555\\n0123", "0123"],
    ["+1\\u0020425\\u0020555\\u00200123", "0123"],
    ["+\u03011\u03014\u03012\u03015\u03015\u03015\u03015\u03010\u03011\u03012\u03013", "0123"],
    ["+¹⁴²⁵⁵⁵⁵⁰¹²³", "0123"],
    [
      "+1\u0301\u20E3 4\u03012\u03015\u0301 5\u03015\u03015\u0301 4\u03015\u03016\u0301 7\u03018\u03019\u03010\u0301",
      "7890",
    ],
  ])("%s", (text, line) => {
    expectMasked(scrubText(`Invalid number ${text} given`), line);
  });

  it("property: any E.164 number, any mix of separators, in any spelling", () => {
    fc.assert(
      fc.property(e164, spelling, (p, how) => {
        expectMasked(scrubText(`could not find ${spelled(p.text, how)}: not found`), p.line);
      }),
      { numRuns: 2000 },
    );
  });

  it("property: in a URL path, percent-encoded (the runtime's records and the emulator's log alike)", () => {
    fc.assert(
      fc.property(e164, (p) => {
        const path = `/phoneNumbers/${encodeURIComponent(p.text)}/capabilities`;
        for (const out of [scrubPath(path), maskPhoneNumbersInPath(path)]) {
          expectMasked(out, p.line);
          expect(out.endsWith("/capabilities")).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("a list stays a list: each number keeps its own last four digits", () => {
    expect(scrubText("to +1|425|555|0123, +1|425|555|0124")).toBe("to ***0123, ***0124");
    expect(scrubText("to +1 [425] 555 0123;+1 [425] 555 0124")).toBe("to ***0123;***0124");
  });
});

describe("a bare number glued to a word", () => {
  it.each([
    ["x14255550123", "x***0123"],
    ["user_14255550123", "user_***0123"],
    ["user_14255550123_backup", "user_***0123_backup"],
    ["to phone4255550123.", "to phone***0123."],
    ["número442079460958", "número***0958"],
  ])("%s is masked", (text, expected) => {
    expect(scrubText(text)).toBe(expected);
  });

  it.each([
    "deadbeef14255550123",
    "a14255550123",
    "resource_aaaaaaa000001000800000",
    "0x14255550123",
    "x14255550123y",
    "ts1733600000",
    "ts1733600000123",
    "backup_20261207170409",
    "rg_20261207",
    "build_202612071704",
    "acs1",
  ])("%s stays as it is (a hex token, a hex literal, a longer word, a Unix time, a date stamp)", (text) => {
    expect(scrubText(`id ${text} ok`)).toBe(`id ${text} ok`);
  });
});

const date = fc.date({
  min: new Date("1990-01-01T00:00:00Z"),
  max: new Date("2099-12-31T23:59:59Z"),
  noInvalidDate: true,
});
const unixTime = fc.date({
  min: new Date("2002-01-01T00:00:00Z"),
  max: new Date("2033-05-18T00:00:00Z"),
  noInvalidDate: true,
});
const hex = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${min},${max}}$`));
const stamp = (d: Date): string => d.toISOString().replace(/\D/g, "").slice(0, 14);
/** Text that is not a phone number, some of it glued to words. */
const notAPhoneNumber = fc.oneof(
  date.map((d) => d.toISOString()),
  date.map((d) => `backup_${stamp(d)}`),
  date.map((d) => `v${stamp(d).slice(0, 10)}`),
  // A Unix time in seconds or milliseconds, 2002–2033 (10 and 13 digits from `1`).
  unixTime.map((d) => `ts${Math.floor(d.getTime() / 1000)}`),
  unixTime.map((d) => `ts${d.getTime()}`),
  fc.uuid(),
  fc.uuid().map((u) => `/identities/8:acs:${u}_${u.slice(0, 8)}`),
  fc.uuid().map((u) => `resource_${u.replace(/-/g, "")}`.slice(0, 31)),
  hex(1, 8).chain((h) => fc.stringMatching(/^\d{10,15}$/).map((d) => `resource_${h.replace(/\d/g, "a")}${d}`)),
  hex(7, 31).filter((h) => /[a-f]/.test(h) && !/^\d{8}/.test(h)),
  hex(7, 24).map((h) => `commit ${h}f`),
  hex(4, 16).map((h) => `0x${h}`),
  fc.tuple(fc.nat(99), fc.nat(999), fc.nat(99_999)).map((v) => `v${v.join(".")}`),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((v) => v.join(".")),
  fc.nat(9_999_999).map((n) => `seq ${n}`),
);

describe("text that is not a phone number stays as it is", () => {
  it("property: dates, date stamps, Unix times, GUIDs, hex hashes and literals, versions, IP addresses, counts", () => {
    fc.assert(
      fc.property(
        fc.array(notAPhoneNumber, { minLength: 1, maxLength: 4 }),
        fc.constantFrom(" ", ", ", " | "),
        (parts, join) => {
          const text = parts.join(join);
          expect(scrubText(text)).toBe(text);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
