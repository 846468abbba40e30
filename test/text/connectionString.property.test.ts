import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  findConnectionStrings,
  holdsConnectionString,
  isConnectionStringShaped,
  maskConnectionString,
} from "../../packages/acs-baseline/src/text/connectionString.js";

/** Randomly upper/lower-cases each letter of `word`. */
const anyCase = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((flags) => [...word].map((ch, i) => (flags[i] ? ch.toUpperCase() : ch.toLowerCase())).join(""));
const spacing = fc.constantFrom("", " ", "  ", "\t");
const base64Key = fc
  .string({
    unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
    minLength: 16,
    maxLength: 88,
  })
  .map((s) => `${s}==`);
const host = fc.domain().map((d) => `https://${d}/`);
const otherPair = fc
  .tuple(fc.constantFrom("foo", "region", "x-ms-a"), fc.string({ unit: fc.constantFrom(..."abc123"), maxLength: 8 }))
  .map(([k, v]) => `${k}=${v}`);

const connectionString = fc
  .record({
    endpointKey: anyCase("endpoint"),
    accessKeyKey: anyCase("accesskey"),
    endpoint: host,
    key: base64Key,
    s1: spacing,
    s2: spacing,
    s3: spacing,
    between: fc.array(otherPair, { maxLength: 2 }),
    keyFirst: fc.boolean(),
    trailing: fc.constantFrom("", ";", " ; "),
  })
  .map((r) => {
    const endpointPair = `${r.endpointKey}${r.s1}=${r.s2}${r.endpoint}`;
    const keyPair = `${r.accessKeyKey}${r.s1}=${r.s2}${r.key}`;
    const [first, second] = r.keyFirst ? [keyPair, endpointPair] : [endpointPair, keyPair];
    return { text: [first, ...r.between, second].join(`${r.s3};${r.s3}`) + r.trailing, key: r.key };
  });

describe("connection-string detector (properties)", () => {
  it("detects every ACS connection string: any case, order, spacing, pairs between", () => {
    fc.assert(
      fc.property(connectionString, ({ text }) => {
        expect(isConnectionStringShaped(text)).toBe(true);
        expect(findConnectionStrings(text)).toHaveLength(1);
      }),
    );
  });

  it("detects it embedded in surrounding text and quotes", () => {
    fc.assert(
      fc.property(
        connectionString,
        fc.constantFrom(['const s = "', '";'], ["ACS=", "\n"], ["`", "`"], ["'", "'"]),
        ({ text }, [pre, post]) => {
          expect(isConnectionStringShaped(`${pre}${text}${post}`)).toBe(true);
        },
      ),
    );
  });

  it("never leaks the access key through masking", () => {
    fc.assert(
      fc.property(connectionString, fc.string(), ({ text, key }, noise) => {
        const document = `${noise}\n${text}\n${noise}`;
        fc.pre(!noise.includes(key));
        for (const match of findConnectionStrings(document)) expect(match.masked).not.toContain(key);
        expect(maskConnectionString(text)).not.toContain(key);
      }),
    );
  });

  it("never flags text without an accesskey pair", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        fc.pre(!/accesskey/i.test(text));
        expect(isConnectionStringShaped(text)).toBe(false);
        expect(findConnectionStrings(text)).toEqual([]);
      }),
    );
  });

  it("answers for long adversarial inputs (no catastrophic backtracking)", () => {
    const long = `endpoint=${"a".repeat(50_000)};${"x=y;".repeat(20_000)}accesskey`;
    expect(isConnectionStringShaped(long)).toBe(false);
    // Up to 16 other pairs between the keys are a connection string's shape; more are what the ACS SDKs' parser takes
    // (one line, endpoint first), which the runtime's holdsConnectionString still refuses.
    expect(isConnectionStringShaped(`endpoint=https://h/;${"x=y;".repeat(16)}accesskey=k`)).toBe(true);
    expect(isConnectionStringShaped(`${long}=k`)).toBe(false);
    expect(holdsConnectionString(`${long}=k`)).toBe(true);
  });
});
