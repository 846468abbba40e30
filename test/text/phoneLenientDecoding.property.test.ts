// A phone number in a URL path is masked however it is spelt around it: a malformed escape next to a percent-encoded
// number (`…%39%39%ZZ`, a trailing lone `%`) no longer stops the decoding; `~`, `*` and `:` between the groups, digits
// of other scripts (Arabic-Indic `١٤٢٥…`) and a leading `_` are numbers too. Both the runtime's scrubPath (audit
// records, error URLs) and the emulator's request log, which holds a copy of the rule.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scrubPath, scrubText } from "../../packages/acs-baseline/src/text/scrub.js";
import { maskPhoneNumbersInPath } from "../../packages/emulator/src/requestLog.js";

/** Every character percent-encoded (`+1` → `%2B%31`). */
const encodeAll = (s: string) =>
  [...Buffer.from(s, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
/** `s` with its ASCII digits written in the script whose zero is `zero`. */
const inScript = (s: string, zero: number) => s.replace(/[0-9]/g, (d) => String.fromCodePoint(zero + Number(d)));

const MASKERS = [
  ["scrubPath", scrubPath],
  ["the emulator's request log", maskPhoneNumbersInPath],
] as const;

/** No run of 5+ decimal digits (of any script, after percent-decoding) is left in `out`. */
function expectNoNumber(out: string): void {
  let text = out;
  for (let i = 0; i < 6; i++)
    text = text.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  expect(text.normalize("NFKC")).not.toMatch(/\p{Nd}{5}/u);
  expect(out).not.toMatch(/\p{Cc}/u);
}

describe.each(MASKERS)("%s", (_, mask) => {
  it.each([
    [`/phoneNumbers/${encodeAll("+14255550199")}%ZZ`, "/phoneNumbers/***0199%ZZ"],
    [`/phoneNumbers/${encodeAll("+14255550199")}%`, "/phoneNumbers/***0199%"],
    [`/phoneNumbers/%ZZ${encodeAll("+14255550199")}/capabilities`, "/phoneNumbers/%ZZ***0199/capabilities"],
    [`/phoneNumbers/%FF%2B14255550199`, "/phoneNumbers/%FF***0199"],
    [`/phoneNumbers/%252B14255550199%25`, "/phoneNumbers/***0199%"],
    ["/phoneNumbers/+1~425~555~0199", "/phoneNumbers/***0199"],
    ["/phoneNumbers/+1*425*555*0199", "/phoneNumbers/***0199"],
    ["/phoneNumbers/+1:425:555:0199", "/phoneNumbers/***0199"],
    ["/phoneNumbers/%2B1%3A425%3A555%3A0199", "/phoneNumbers/***0199"],
    ["/phoneNumbers/%2B1%7E425%7E555%7E0199", "/phoneNumbers/***0199"],
    ["/phoneNumbers/_14255550199", "/phoneNumbers/_***0199"],
    [`/phoneNumbers/${encodeURIComponent("١٤٢٥٥٥٥٠١٩٩")}`, "/phoneNumbers/***٠١٩٩"],
    [`/phoneNumbers/${encodeURIComponent("+١٤٢٥٥٥٥٠١٩٩")}`, "/phoneNumbers/***٠١٩٩"],
    ["/phoneNumbers/%0Ax%2B14255550199", "/phoneNumbers/%0Ax***0199"],
  ])("%s → %s", (path, expected) => {
    expect(mask(path)).toBe(expected);
  });

  it.each([
    "/items/2026-12-07/x",
    "/items/192.168.100.200/x",
    "/items/1.2.3.4/x",
    "/items/10:20:30:40/x",
    "/identities/8:acs:72f988bf-86f1-41af-91ab-2d7cd011db47_0000001a-2b3c",
    "/subscriptions/72f988bf-86f1-41af-91ab-2d7cd011db47/resourceGroups/rg_20261207/providers/x",
    "/rooms/99563479815209201",
    "/at/2026-12-07T17:04:05+01:00",
    "/at/17:04:05+01:00:00",
    "/v/1.2.3~rc1",
    "/broken/%ZZ%",
  ])("leaves %s alone", (path) => {
    expect(mask(path)).toBe(path);
  });

  it("property: a number percent-encoded 1–4 times beside malformed escapes, in any script or separator, is masked", () => {
    const sep = fc.constantFrom("", "~", "*", ":", "-", " ", ".");
    const junk = fc.constantFrom("", "%", "%ZZ", "%G1", "%FF", "%C3", "x%");
    const zero = fc.constantFrom(0x30, 0x660, 0x6f0, 0x966, 0xff10, 0x9e6);
    fc.assert(
      fc.property(
        fc.stringMatching(/^[2-9]\d\d[2-9]\d\d\d{4}$/),
        sep,
        zero,
        fc.integer({ min: 1, max: 4 }),
        junk,
        junk,
        (digits, s, z, times, before, after) => {
          let segment = inScript(`+1${s}${digits.slice(0, 3)}${s}${digits.slice(3, 6)}${s}${digits.slice(6)}`, z);
          for (let i = 0; i < times; i++) segment = i === 0 ? encodeAll(segment) : encodeURIComponent(segment);
          const out = mask(`/phoneNumbers/${before}${segment}${after}/capabilities`);
          expectNoNumber(out);
          expect(out).toContain(`***${inScript(digits.slice(-4), z === 0xff10 ? 0x30 : z)}`);
          expect(out.endsWith("/capabilities")).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

it("scrubText masks Arabic-Indic and Devanagari numbers in free text, and keeps last four digits whole", () => {
  expect(scrubText("call +١ ٤٢٥ ٥٥٥ ٠١٩٩ now")).toBe("call ***٠١٩٩ now");
  expect(scrubText("call ९१४२५५५५०१९९ now")).toBe("call ***०१९९ now");
  expect(scrubText("sent to +1:425:555:0199.")).toBe("sent to ***0199.");
});
