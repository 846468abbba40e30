// The emulator's own request log masks the phone-number spellings the runtime's scrubber masks: Unicode dashes and
// spaces, a middle dot, commas and `+` between the groups, `(425)555-0123`, `425.555.0123`, `1-425-555-0123`, full-width
// digits; plain or percent-encoded. Before, it masked only the older spellings (the docs said so). The emulator
// imports nothing from the library, so it holds a copy of the rule; the copy must stay the runtime's, character for
// character. End to end: a real PhoneNumbersClient sends each spelling to the emulator, whose log must not hold it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PhoneNumbersClient } from "@azure/communication-phone-numbers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scrubPath } from "../../packages/acs-baseline/src/text/scrub.js";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { maskPhoneNumbersInPath } from "../../packages/emulator/src/requestLog.js";
import { useEmulator } from "../support/useEmulator.js";

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

/** The number is gone: its last four digits are there, masked, and no other digit of it is. */
function expectMasked(out: string, line: string): void {
  expect(decoded(out)).toContain(`***${line}`);
  expect(decoded(out).replace(/\D/g, "")).toBe(line);
}

const UNICODE_SEPARATORS = ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"];
const UNICODE_SPACES = ["\u00A0", "\u2009", "\u202F", "\u00B7"];
const e164Separator = fc.constantFrom("", " ", "-", ".", "/", "_", ",", "+", ...UNICODE_SEPARATORS, ...UNICODE_SPACES);
const nationalSeparator = fc.constantFrom(" ", "-", ".", ...UNICODE_SEPARATORS, ...UNICODE_SPACES);
const groups = fc.record({
  area: fc.stringMatching(/^[2-9]\d\d$/),
  exchange: fc.stringMatching(/^[2-9]\d\d$/),
  line: fc.stringMatching(/^\d{4}$/),
});
/** `+1 425 555 0123` with any separators, the area code in parentheses or not. */
const e164 = fc
  .tuple(groups, fc.array(e164Separator, { minLength: 3, maxLength: 3 }), fc.boolean())
  .map(([g, [a, b, c], parens]) => ({
    line: g.line,
    text: parens
      ? `+1${a === "," || a === "+" ? " " : a}(${g.area})${b === "," || b === "+" ? "" : b}${g.exchange}${c}${g.line}`
      : `+1${a}${g.area}${b}${g.exchange}${c}${g.line}`,
  }));
/** `(425)555-0123`, `425.555.0123`, `1-425-555-0123`, `1 (425) 555–0123`, … */
const national = fc
  .tuple(groups, fc.array(nationalSeparator, { minLength: 3, maxLength: 3 }), fc.boolean(), fc.boolean())
  .map(([g, [a, b, c], parens, country]) => ({
    line: g.line,
    text: `${country ? `1${a}` : ""}${parens ? `(${g.area})${b === " " ? " " : ""}` : `${g.area}${b}`}${g.exchange}${c}${g.line}`,
  }));
const fullWidth = (text: string): string =>
  text.replace(/[0-9+]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const phone = fc
  .tuple(fc.oneof(e164, national), fc.boolean())
  .map(([p, wide]) => ({ line: p.line, text: wide ? fullWidth(p.text) : p.text }));

/** The spellings the runtime masks and the emulator did not (docs/security.md, before). */
const SPELLINGS: readonly [string, string][] = [
  ["(425)555-0123", "0123"],
  ["425.555.0124", "0124"],
  ["1-425-555-0125", "0125"],
  ["+1 425\u2013555\u20130126", "0126"],
  ["+1\u2011425\u2011555\u20110127", "0127"],
  ["+1,425,555,0128", "0128"],
  ["+1\u00B7425\u00B7555\u00B70129", "0129"],
  ["+1+425+555+0130", "0130"],
  ["+1\u00A0425\u00A0555\u00A00131", "0131"],
  ["\uFF11-\uFF14\uFF12\uFF15-\uFF15\uFF15\uFF15-\uFF10\uFF11\uFF13\uFF12", "0132"],
];

describe("the emulator's request log masks the runtime's phone spellings", () => {
  it("holds the runtime's rule: its phoneNumbers.ts is the runtime's, character for character, below the header", () => {
    const body = (path: string) => {
      const text = readFileSync(join(__dirname, "..", "..", path), "utf8");
      return text.slice(text.indexOf("*/\n") + 3);
    };
    expect(body("packages/emulator/src/phoneNumbers.ts")).toBe(body("packages/acs-baseline/src/text/phoneNumbers.ts"));
  });

  it.each(SPELLINGS)("%s, as sent (percent-encoded once) and twice", (text, line) => {
    for (const segment of [encodeURIComponent(text), encodeURIComponent(encodeURIComponent(text))]) {
      const path = `/phoneNumbers/${segment}`;
      expect(maskPhoneNumbersInPath(path)).toBe(`/phoneNumbers/***${line}`);
      expect(maskPhoneNumbersInPath(path)).toBe(scrubPath(path));
    }
  });

  it("property: any spelling, percent-encoded 1–3 times, is masked to its last four digits", () => {
    fc.assert(
      fc.property(phone, fc.integer({ min: 1, max: 3 }), (p, times) => {
        let segment = p.text.replace(/\//g, "%2F");
        for (let i = 0; i < times; i++) segment = encodeURIComponent(segment);
        const out = maskPhoneNumbersInPath(`/phoneNumbers/${segment}/capabilities`);
        expectMasked(out, p.line);
        expect(out.endsWith("/capabilities")).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("property: the same as the runtime's scrubPath on a phone-number path", () => {
    fc.assert(
      fc.property(phone, (p) => {
        const path = `/phoneNumbers/${encodeURIComponent(p.text)}`;
        expect(maskPhoneNumbersInPath(path)).toBe(scrubPath(path));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    "/sms",
    "/identities/8:acs:72f988bf-86f1-41af-91ab-2d7cd011db47_0000001a-2b3c",
    "/chat/threads/19%3Aabc%40thread.v2/messages",
    "/rooms/99563479815209201",
    "/items/2026-12-07/x",
    "/items/192.168.100.200/x",
    "/items/1.2.3.4/x",
  ])("leaves %s as the runtime leaves it", (path) => {
    expect(maskPhoneNumbersInPath(path)).toBe(scrubPath(path));
  });
});

const env = useEmulator();

describe("end to end: the log of requests carrying each spelling holds no full number", () => {
  it.each(SPELLINGS)("getPurchasedPhoneNumber(%s)", async (text, line) => {
    const { emu, app } = env;
    const factory = new AcsClientFactory(
      emulatorFactoryOptions(emu, app, {
        clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
      }),
    );
    const from = emu.requests.length;
    await factory
      .createClient(PhoneNumbersClient)
      .getPurchasedPhoneNumber(text)
      .catch(() => undefined);
    await factory.close();
    const logged = emu.requests.slice(from).filter((r) => r.side === "acs");
    expect(logged.length).toBeGreaterThan(0);
    for (const r of logged) expectMasked(r.path, line);
  });
});
