// Review U, finding 2: a service that quotes a recipient in its own formatting put the full number into error text:
// `0033 1 23 45 67 89`, `0049 30 1234567`, `(425) 5550199`, `425 5550199`, `425-5550199`, `001 425 5550199`,
// `1.425.5550199`, `425/555/0199`. Digit groups joined by single separators, 10–15 digits, are now masked to their
// last four digits; dates, times, versions, GUIDs, amounts, years, status codes and correlation ids stay as they are.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scrubText } from "../../packages/acs-baseline/src/text/scrub.js";

/** The number is gone: `***` and its last four digits are there, and no other digit of it. */
function expectMasked(number: string): void {
  const digits = number.replace(/\D/g, "");
  const out = scrubText(`Recipient ${number} is not reachable`);
  expect(out).toBe(`Recipient ***${digits.slice(-4)} is not reachable`);
}

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^\\d{${min},${max}}$`));
const sep = fc.constantFrom(" ", "-", "\u00A0", "\u2013");

/** `00`/`011`/`0` prefixes, a country code and groups: 3–7 groups, 10–15 digits. */
const international = fc
  .tuple(
    fc.constantFrom("00", "011", "0"),
    digits(1, 3),
    fc.array(fc.tuple(sep, digits(1, 7)), { minLength: 2, maxLength: 5 }),
  )
  .map(([prefix, cc, rest]) => `${prefix}${cc}${rest.map(([s, g]) => `${s}${g}`).join("")}`)
  .filter((n) => {
    const count = n.replace(/\D/g, "").length;
    // a number ends with a group of two digits or more (`… 67 89`; `1.2.3` is a version)
    // and holds no date (`0000-0-0`, `0-0-0000`: a date is never read as part of a number)
    const dated = /(?:^|\D)(?:\d{4}\D\d{1,2}\D\d{1,2}|\d{1,2}\D\d{1,2}\D\d{4})(?!\d)/.test(n);
    return count >= 10 && count <= 15 && /\d\d$/.test(n) && !dated;
  });

/** North American: `(425) 5550199`, `425 5550199`, `1 425-5550199`, `425/555/0199`, `1.425.5550199`. */
const northAmerican = fc
  .tuple(fc.stringMatching(/^[2-9]\d\d$/), fc.stringMatching(/^[2-9]\d\d$/), digits(4, 4), sep, fc.nat(5))
  .map(
    ([area, exchange, line, s, form]) =>
      [
        `(${area}) ${exchange}${line}`,
        `${area}${s}${exchange}${line}`,
        `1 ${area}${s}${exchange}${line}`,
        `${area}/${exchange}/${line}`,
        `1.${area}.${exchange}${line}`,
        `(${area})${exchange}${line}`,
      ][form] ?? "",
  );

/** A national number with a trunk prefix: `030 1234567`. */
const trunk = fc.tuple(digits(2, 3), digits(7, 8)).map(([a, b]) => `0${a} ${b}`);

describe("digit groups joined by single separators, 10–15 digits, are masked", () => {
  it.each([
    "0033 1 23 45 67 89",
    "0049 30 1234567",
    "(425) 5550199",
    "425 5550199",
    "425-5550199",
    "001 425 5550199",
    "1.425.5550199",
    "425/555/0199",
    "1 (425) 5550199",
    "030 1234567",
    "01.23.45.67.89",
  ])("%s", expectMasked);

  it("property: international, North American and trunk-prefixed spellings", () => {
    fc.assert(fc.property(fc.oneof(international, northAmerican, trunk), expectMasked), { numRuns: 2000 });
  });
});

const date = fc.date({
  min: new Date("1990-01-01T00:00:00Z"),
  max: new Date("2099-12-31T23:59:59Z"),
  noInvalidDate: true,
});
const pad = (n: number, w: number) => String(n).padStart(w, "0");
/** Prose an error or a record holds with numbers in it that are not phone numbers. */
const notAPhoneNumber = fc.oneof(
  date.map((d) => d.toISOString()),
  date.map((d) => `on ${d.toISOString().slice(0, 10)} at ${d.toISOString().slice(11, 19)}`),
  date.map(
    (d) =>
      `on ${pad(d.getUTCDate(), 2)}.${pad(d.getUTCMonth() + 1, 2)}.${d.getUTCFullYear()} ${pad(d.getUTCHours(), 2)}.${pad(d.getUTCMinutes(), 2)}`,
  ),
  date.map(
    (d) =>
      `on ${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1, 2)}/${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}`,
  ),
  fc
    .tuple(fc.integer({ min: 1900, max: 2099 }), fc.integer({ min: 1900, max: 2099 }))
    .map(([a, b]) => `from ${a} to ${b}, in ${a}-${b}`),
  fc.array(fc.nat(99_999), { minLength: 2, maxLength: 4 }).map((v) => `version ${v.join(".")}`),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((ip) => `host ${ip.join(".")}`),
  fc.uuid(),
  fc.uuid().map((u) => `x-ms-request-id ${u}`),
  fc.tuple(fc.stringMatching(/^[A-Za-z0-9]{22}$/), fc.nat(99), fc.nat(99)).map(([b, x, y]) => `MS-CV ${b}.${x}.${y}`),
  fc.tuple(fc.nat(99_999_999), fc.nat(99)).map(([a, c]) => `EUR ${a}.${pad(c, 2)}`),
  fc.tuple(fc.nat(Number.MAX_SAFE_INTEGER)).map(([n]) => `size ${n.toLocaleString("en-US")} bytes`),
  fc.constantFrom(200, 202, 307, 400, 401, 403, 404, 429, 500, 503).map((s) => `HTTP ${s}`),
  fc.tuple(fc.nat(99_999), fc.nat(999)).map(([ms, us]) => `took ${ms}.${pad(us, 3)} ms`),
  fc.tuple(fc.nat(99), fc.nat(999), fc.nat(99_999)).map(([a, b, c]) => `build ${a}.${b}.${c}`),
);

describe("numbers that are not phone-like stay as they are", () => {
  it("property: dates, times, years, versions, IP addresses, GUIDs, amounts, status codes, correlation ids", () => {
    fc.assert(
      fc.property(
        fc.array(notAPhoneNumber, { minLength: 1, maxLength: 4 }),
        fc.constantFrom(" ", ", ", "; "),
        (parts, join) => {
          const text = parts.join(join);
          expect(scrubText(text)).toBe(text);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it.each(["seq 100 1000000 bytes", "order 123-4567890", "10.0.19041.1234", "12.345.67890", "EUR 12345678.90"])(
    "%s",
    (text) => expect(scrubText(text)).toBe(text),
  );
});
