// The attack: Node's base64 decoder skips white space, so an access key written in chunks split by spaces or tabs
// (`accesskey=AbC… dEf… gH==`) still signs requests: the ACS SDKs' parser hands the key over with its spaces, and the
// HMAC key is the same bytes. The scan and `no-key-auth` read only the first chunk, found it too short for a key and
// reported a template warning (not an error). A key split this way is now an error in both, masked (no chunk shown),
// while prose after `accesskey=` stays a template.
import { createHmac, randomBytes } from "node:crypto";
import { parseClientArguments } from "@azure/communication-common";
import { Linter } from "eslint";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findConnectionStringsInAnySpelling } from "../../packages/acs-baseline/src/text/index.js";
import { looksLikeKey } from "../../packages/acs-baseline/src/text/connectionString.js";
import { scanText } from "../../packages/cli/src/scan/scan.js";
import { randomAccessKey } from "../support/randomKey.js";
import plugin from "../../packages/eslint-plugin/src/index.js";

const HOST = "https://contoso.communication.azure.com/";
const linter = new Linter({ configType: "flat" });
const lint = (code: string) =>
  linter.verify(code, [plugin.configs.recommended], { filename: "app.ts" }).filter((m) => m.ruleId !== null);

/** `key` cut into chunks of the given sizes (repeated until the key is used up), joined by the separators. */
function split(key: string, sizes: number[], separators: string[]): string {
  const chunks: string[] = [];
  for (let at = 0, i = 0; at < key.length; i++) {
    chunks.push(key.slice(at, at + sizes[i % sizes.length]));
    at += sizes[i % sizes.length];
  }
  return chunks.map((c, i) => (i === 0 ? c : `${separators[i % separators.length]}${c}`)).join("");
}

/** The chunks of `key` at least 6 long: none of them may be printed. */
const visibleChunks = (written: string) => written.split(/[ \t]+/).filter((c) => c.length >= 6);

const keyCase = fc
  .record({
    bytes: fc.constantFrom(32, 64),
    padded: fc.boolean(),
    sizes: fc.array(fc.integer({ min: 1, max: 39 }), { minLength: 2, maxLength: 12 }),
    separators: fc.array(fc.constantFrom(" ", "  ", "\t", " \t", "\u00a0", "\u3000", "\v", "\f"), {
      minLength: 1,
      maxLength: 3,
    }),
    seed: fc.integer(),
  })
  .map((r) => {
    let key = randomBytes(r.bytes).toString("base64");
    // Digits and both cases are what a key has; a random one lacks one of them only rarely.
    if (!/\d/.test(key) || !/[A-Z]/.test(key) || !/[a-z]/.test(key)) key = `Ab1${key.slice(3)}`;
    if (!r.padded) key = key.replace(/=+$/, "");
    return { key, written: split(key, r.sizes, r.separators) };
  })
  // The mix a random key has (looksLikeKey's bound; the next test shows nearly every random key meets it).
  .filter(({ key }) => looksLikeKey(key.replace(/=+$/, "").padEnd(key.length, "=")));

describe("an access key split by white space", () => {
  it("still signs: upstream's parser hands it over with its spaces, and the HMAC key is the same bytes", () => {
    const key = randomAccessKey();
    const written = split(key, [11, 11, 11, 11, 11, 11, 11], [" ", "\t"]);
    const { credential } = parseClientArguments(`endpoint=${HOST};accesskey=${written}`, {});
    const parsed = (credential as { key: string }).key;
    expect(parsed).toBe(written);
    const sign = (k: string) => createHmac("sha256", Buffer.from(k, "base64")).update("GET\n/sms").digest("base64");
    expect(sign(parsed)).toBe(sign(key));
  });

  it("nearly every random key has the mix of digits and capitals the rule asks for (≥ 99 % of 10,000)", () => {
    let found = 0;
    for (let i = 0; i < 10_000; i++) {
      const key = randomBytes(i % 2 === 0 ? 64 : 32).toString("base64");
      if (looksLikeKey(key)) found++;
    }
    expect(found).toBeGreaterThan(9_900);
  });

  it("is a connection string with a real key, covering every chunk, masked (property)", () => {
    fc.assert(
      fc.property(keyCase, fc.constantFrom("", ";", '"', "; // note", '" // note'), ({ key, written }, after) => {
        const text = `endpoint=${HOST};accesskey=${written}${after}`;
        const found = findConnectionStringsInAnySpelling(text);
        expect(found).toHaveLength(1);
        expect(found[0].placeholder).toBe(false);
        expect(found[0].index + found[0].length).toBe(text.length - after.length);
        for (const chunk of visibleChunks(written)) expect(found[0].masked).not.toContain(chunk);
        expect(key.length).toBeGreaterThan(40);
      }),
    );
  });

  it("is a connection-string error in the scan and in no-key-auth, no chunk of the key shown", () => {
    const key = randomAccessKey();
    const written = split(key, [20, 20, 20, 20], [" "]);
    const cs = `Endpoint=${HOST};AccessKey=${written}`;
    for (const [file, text] of [
      [".env", `ACS_CONNECTION_STRING=${cs}\n`],
      ["README.md", `Run it with \`${cs}\`.\n`],
      ["src/app.py", `cs = "${cs}"\n`],
    ]) {
      const found = scanText(file, text).filter((f) => f.ruleId.includes("connection-string"));
      expect(
        found.map((f) => f.ruleId),
        file,
      ).toEqual(["acs-baseline/connection-string"]);
      for (const chunk of visibleChunks(written)) expect(found[0].message).not.toContain(chunk);
    }
    const messages = lint(`export const cs = ${JSON.stringify(cs)};`);
    expect(messages.map((m) => m.messageId)).toEqual(["connectionStringLiteral"]);
    for (const chunk of visibleChunks(written)) expect(messages[0].message).not.toContain(chunk);
    const scanned = scanText("src/app.ts", `export const cs = ${JSON.stringify(cs)};`);
    expect(scanned.map((f) => f.message)).toEqual(messages.map((m) => m.message));
  });

  it("prose after accesskey= stays a template warning", () => {
    for (const prose of [
      "accesskey= is the secret used to sign the requests the client sends to the service",
      "accesskey=<your key> from the Keys blade of the Azure portal",
      "accesskey=Key1 from the Keys page of the resource in Azure portal 2",
      "accesskey=PrimaryKey copied from the portal, then 2 more settings. See docs",
      "accesskey=YOUR ACCESS KEY HERE 12345",
    ]) {
      const found = findConnectionStringsInAnySpelling(`endpoint=${HOST};${prose}`);
      expect(
        found.map((m) => m.placeholder),
        prose,
      ).toEqual([true]);
    }
  });

  it("words of any vocabulary that run past a key's length, or end in a full stop, stay a template (property)", () => {
    const word = fc.constantFrom("The", "key", "ACS", "2", "Azure", "portal", "from", "Keys", "v1", "abc", "X9y");
    fc.assert(
      fc.property(fc.array(word, { minLength: 2, maxLength: 40 }), fc.boolean(), (words, stop) => {
        const joined = words.join("");
        fc.pre(stop || joined.length > 88);
        const text = `endpoint=${HOST};accesskey=${words.join(" ")}${stop ? "." : ""}`;
        expect(findConnectionStringsInAnySpelling(text).map((m) => m.placeholder)).toEqual([true]);
      }),
    );
  });

  it("a megabyte of one-character chunks after accesskey= is read in linear time", () => {
    const text = `endpoint=${HOST};accesskey=${"a ".repeat(500_000)}`;
    const started = performance.now();
    expect(findConnectionStringsInAnySpelling(text).map((m) => m.placeholder)).toEqual([true]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
