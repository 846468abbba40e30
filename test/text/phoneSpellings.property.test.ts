// Review finding: common phone-number spellings were not masked, neither in the audit log's `http.path` (scrubPath)
// nor in free text (scrubText): `(425)555-0123`, `425.555.0123`, `1-425-555-0123`, Unicode dashes and hyphens
// (U+2010–U+2015, U+2212), no-break and thin spaces, a middle dot, commas and `+` between the groups, full-width
// digits with ASCII hyphens; percent-encoded too. Dates, GUIDs, versions, IP addresses and the like must stay as
// they are.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scrubPath, scrubText } from "../../packages/acs-baseline/src/text/scrub.js";

/** `text` percent-decoded as far as it goes, `\u002B` as `+`, NFKC-normalised (full-width digits as ASCII). */
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
  return out.replace(/\\u002[Bb]/g, "+").normalize("NFKC");
}

/** The digits a reader could recover from `text`. */
const digitsIn = (text: string): string => decoded(text).replace(/\D/g, "");

const UNICODE_SEPARATORS = [
  "\u2010",
  "\u2011",
  "\u2012",
  "\u2013",
  "\u2014",
  "\u2015",
  "\u2212",
  "\u00A0",
  "\u2009",
  "\u202F",
  "\u00B7",
];
/** Separators of an E.164 number between two digit groups. */
const e164Separator = fc.constantFrom("", " ", "-", ".", "/", "_", ",", "+", ...UNICODE_SEPARATORS);
/** Separators of a national format. */
const nationalSeparator = fc.constantFrom(" ", "-", ".", ...UNICODE_SEPARATORS);

const groups = fc.record({
  area: fc.stringMatching(/^[2-9]\d\d$/),
  exchange: fc.stringMatching(/^[2-9]\d\d$/),
  line: fc.stringMatching(/^\d{4}$/),
});

/** `+1 425 555 0123` in any separators, the area code in parentheses or not. */
const e164 = fc
  .tuple(groups, fc.array(e164Separator, { minLength: 3, maxLength: 3 }), fc.boolean())
  .map(([g, [a, b, c], parens]) => ({
    ...g,
    text: parens
      ? `+1${a === "," || a === "+" ? " " : a}(${g.area})${b === "," || b === "+" ? "" : b}${g.exchange}${c}${g.line}`
      : `+1${a}${g.area}${b}${g.exchange}${c}${g.line}`,
  }));

/** `(425)555-0123`, `425.555.0123`, `1-425-555-0123`, `1 (425) 555–0123`, … */
const national = fc
  .tuple(groups, fc.array(nationalSeparator, { minLength: 3, maxLength: 3 }), fc.boolean(), fc.boolean())
  .map(([g, [a, b, c], parens, country]) => ({
    ...g,
    text: `${country ? `1${a}` : ""}${parens ? `(${g.area})${b === " " ? " " : ""}` : `${g.area}${b}`}${g.exchange}${c}${g.line}`,
  }));

const fullWidth = (text: string): string =>
  text.replace(/[0-9+]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

const phone = fc.tuple(fc.oneof(e164, national), fc.boolean()).map(([p, wide]) => ({
  ...p,
  text: wide ? fullWidth(p.text) : p.text,
  wide,
}));

/** The number is gone: the last four digits are there, masked, and no other digit of it is. */
function expectMasked(out: string, line: string): void {
  expect(decoded(out)).toContain(`***${line}`);
  expect(digitsIn(out)).toBe(line);
}

describe("phone numbers in common spellings are masked to the last four digits", () => {
  it.each([
    ["/phoneNumbers/(425)555-0123", "0123"],
    ["/phoneNumbers/425.555.0123", "0123"],
    ["/phoneNumbers/1-425-555-0124", "0124"],
    ["/phoneNumbers/%2B1%20425%E2%80%93555%E2%80%930125", "0125"],
    ["/phoneNumbers/%2B1%E2%80%91425%E2%80%91555%E2%80%910126", "0126"],
    ["/phoneNumbers/%2B1%2C425%2C555%2C0127", "0127"],
    ["/phoneNumbers/%2B1%C2%B7425%C2%B7555%C2%B70128", "0128"],
    ["/phoneNumbers/%2B1%2B425%2B555%2B0129", "0129"],
    [
      "/phoneNumbers/%EF%BC%91-%EF%BC%94%EF%BC%92%EF%BC%95-%EF%BC%95%EF%BC%95%EF%BC%95-%EF%BC%90%EF%BC%91%EF%BC%93%EF%BC%90",
      "0130",
    ],
  ])("%s in a path and in free text", (path, line) => {
    expect(scrubPath(path)).toBe(`/phoneNumbers/***${line}`);
    // Free text is not URL-decoded: digits spelled as percent-encoded UTF-8 (`%EF%BC%91`) are for scrubPath only.
    if (!path.includes("%EF")) expectMasked(scrubText(`GET ${path} failed`), line);
  });

  it("property: in free text, as written and percent-encoded", () => {
    fc.assert(
      fc.property(phone, fc.boolean(), (p, encode) => {
        const text = encode && !p.wide ? encodeURIComponent(p.text) : p.text;
        expectMasked(scrubText(`could not find ${text}: not found`), p.line);
      }),
      { numRuns: 1000 },
    );
  });

  // The SDK percent-encodes a path segment (`+` as `%2B`); a raw `+` in a path makes a key-shaped run of it.
  it("property: in a URL path, percent-encoded 1–3 times", () => {
    fc.assert(
      fc.property(phone, fc.integer({ min: 1, max: 3 }), (p, times) => {
        let segment = p.text.replace(/\//g, "%2F");
        for (let i = 0; i < times; i++) segment = encodeURIComponent(segment);
        const out = scrubPath(`/phoneNumbers/${segment}/capabilities`);
        expectMasked(out, p.line);
        expect(out.endsWith("/capabilities")).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("a list of numbers stays a list: each keeps its own last four digits", () => {
    expect(scrubText("to +14255550123, +14255550124")).toBe("to ***0123, ***0124");
    expect(scrubText("to +14255550123,+14255550124")).toBe("to ***0123,***0124");
    expect(scrubText("call 1 (425) 555-0123 or 425.555.0124")).toBe("call ***0123 or ***0124");
  });
});

const pad = (n: number, width: number): string => String(n).padStart(width, "0");
const date = fc.date({
  min: new Date("1990-01-01T00:00:00Z"),
  max: new Date("2099-12-31T23:59:59Z"),
  noInvalidDate: true,
});
/** Text an audit record or a refusal holds that is not a phone number. */
const notAPhoneNumber = fc.oneof(
  date.map((d) => d.toISOString()),
  date.map((d) => d.toISOString().slice(0, 10)),
  date.map((d) => d.toISOString().slice(0, 19).replace("T", " ")),
  date.map((d) => `api-version=${d.toISOString().slice(0, 10)}`),
  date.map((d) => `api-version=${d.toISOString().slice(0, 10)}-preview`),
  fc.uuid(),
  fc.uuid().map((u) => `/identities/8:acs:${u}_${u.slice(0, 8)}`),
  fc
    .tuple(fc.nat(99), fc.nat(999), fc.nat(99_999), fc.option(fc.nat(99_999), { nil: undefined }))
    .map(([a, b, c, d]) => [a, b, c, d].filter((x) => x !== undefined).join(".")),
  fc
    .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255), fc.option(fc.nat(65_535), { nil: undefined }))
    .map(([a, b, c, d, port]) => `${a}.${b}.${c}.${d}${port === undefined ? "" : `:${port}`}`),
  fc.nat(9_999_999).map((n) => `seq ${n}`),
  fc.nat(9_999_999).map((n) => `${n} bytes`),
  fc.nat(Number.MAX_SAFE_INTEGER).map((n) => `${n.toLocaleString("en-US")} bytes`),
  fc.tuple(fc.nat(86_399_999), fc.nat(999)).map(([ms, us]) => `took ${ms}.${pad(us, 3)} ms`),
  fc
    .tuple(fc.nat(23), fc.nat(59), fc.nat(59))
    .map(([h, m, s]) => `PT${h}H${m}M${s}S ${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`),
);

describe("text that is not a phone number stays as it is", () => {
  it("property: dates, times, GUIDs, versions, IP addresses, api-versions, sequence numbers, durations, byte counts", () => {
    fc.assert(
      fc.property(
        fc.array(notAPhoneNumber, { minLength: 1, maxLength: 4 }),
        fc.constantFrom(" ", ", ", "; "),
        (parts, join) => {
          const text = parts.join(join);
          expect(scrubText(text)).toBe(text);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("property: the same as path segments", () => {
    fc.assert(
      fc.property(notAPhoneNumber, (value) => {
        const path = `/items/${encodeURIComponent(value)}/x`;
        expect(scrubPath(path)).toBe(path);
      }),
      { numRuns: 1000 },
    );
  });
});
