// The attack (third review): Node's base64 decoder stops at the first character outside its alphabet, and the ACS
// SDKs' parser takes everything after `accesskey=`, so a real key followed by `.`, `)`, `&` or any other such
// character still signs with the same bytes. The scan and `no-key-auth` judged the whole value and reported a
// placeholder-template warning; the key is now judged by the base64 run the value starts with. Also: a regular
// expression with a character class after `accesskey=` is a parser, not a template.
import { createHmac } from "node:crypto";
import { parseClientArguments } from "@azure/communication-common";
import { Linter } from "eslint";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findConnectionStringsInAnySpelling } from "../../packages/acs-baseline/src/text/index.js";
import { scanText } from "../../packages/cli/src/scan/scan.js";
import { randomAccessKey } from "../support/randomKey.js";
import plugin from "../../packages/eslint-plugin/src/index.js";

const KEY = randomAccessKey();
const HOST = "https://contoso.communication.azure.com/";
const ENDINGS = [...".)]},&|>!~-_:$%@^?*#"];
const linter = new Linter({ configType: "flat" });

describe("a real key followed by a character outside base64", () => {
  it("still signs with the key's bytes through upstream's parser", () => {
    for (const end of ENDINGS) {
      const { credential } = parseClientArguments(`endpoint=${HOST};accesskey=${KEY}${end}`, {});
      const parsed = (credential as { key: string }).key;
      const sign = (k: string) => createHmac("sha256", Buffer.from(k, "base64")).update("x").digest("base64");
      expect(sign(parsed), end).toBe(sign(KEY));
    }
  });

  it("is a connection-string error in the scan and the rule, the key masked", () => {
    for (const end of ENDINGS) {
      const cs = `Endpoint=${HOST};AccessKey=${KEY}${end}`;
      for (const [file, text] of [
        ["README.md", `Use ${cs} here\n`],
        [".env", `ACS=${cs}\n`],
      ]) {
        const found = scanText(file, text).filter((f) => f.ruleId.includes("connection-string"));
        expect(
          found.map((f) => f.ruleId),
          `${file} ${end}`,
        ).toEqual(["acs-baseline/connection-string"]);
        expect(found[0].message).not.toContain(KEY.slice(0, 20));
      }
      const messages = linter
        .verify(`export const cs = ${JSON.stringify(cs)};`, [plugin.configs.recommended], { filename: "a.ts" })
        .map((m) => m.messageId);
      expect(messages, end).toEqual(["connectionStringLiteral"]);
    }
  });

  it("placeholders stay placeholders whatever follows them (property)", () => {
    const placeholder = fc.constantFrom("<key>", "${ACS_KEY}", "{{key}}", "%KEY%", "your-access-key", "xxxxxxxx");
    fc.assert(
      fc.property(placeholder, fc.constantFrom(...ENDINGS, ""), (key, end) => {
        const found = findConnectionStringsInAnySpelling(`endpoint=${HOST};accesskey=${key}${end}`);
        expect(found.every((m) => m.placeholder)).toBe(true);
      }),
    );
  });
});

describe("a real key cut by characters Node's decoder skips", () => {
  it("is an error whatever cuts it: a regex-like class, full stops, commas, zero-width spaces", () => {
    const cuts = [
      `[${KEY.slice(0, 40)}]{${KEY.slice(40)}}`,
      KEY.match(/.{1,22}/g)!.join("."),
      KEY.match(/.{1,22}/g)!.join(","),
      KEY.match(/.{1,22}/g)!.join("\u200b"),
      KEY.match(/.{1,22}/g)!.join("\u00a0"),
    ];
    for (const value of cuts) {
      const text = `ACS=endpoint=${HOST};accesskey=${value}\n`;
      const found = scanText(".env", text).filter((f) => f.ruleId.includes("connection-string"));
      expect(
        found.map((f) => f.ruleId),
        JSON.stringify(value.slice(0, 30)),
      ).toEqual(["acs-baseline/connection-string"]);
      expect(JSON.stringify(found)).not.toContain(KEY.slice(0, 20));
    }
  });

  it("prose after accesskey= written like a key's length stays a template (it lacks a random key's capitals)", () => {
    const found = findConnectionStringsInAnySpelling(
      `endpoint=${HOST};accesskey=Key1 from Settings and Keys in the Azure portal page`,
    );
    expect(found.map((m) => m.placeholder)).toEqual([true]);
  });
});

describe("a key as serialisers escape it", () => {
  it("Java's Properties.store (\\= and \\:) and .NET System.Text.Json (+ as \\u002B) are connection-string errors", () => {
    const key = `${KEY.slice(0, 10)}+${KEY.slice(11)}`;
    const properties = `acs.connection-string=endpoint\\=https\\://contoso.communication.azure.com/;accesskey\\=${key.replace(/=/g, "\\=")}\n`;
    const json = `{"Acs":"endpoint=https://contoso.communication.azure.com/;accesskey=${key.replace(/\+/g, "\\u002B")}"}\n`;
    for (const [file, text] of [
      ["src/main/resources/application.properties", properties],
      ["appsettings.json", json],
    ]) {
      const found = scanText(file, text).filter((f) => f.ruleId === "acs-baseline/connection-string");
      expect(found.length, file).toBe(1);
      expect(JSON.stringify(found)).not.toContain(KEY.slice(12, 30));
    }
  });
});

describe("a regular expression after accesskey=", () => {
  it.each([
    ["a character class", String.raw`/endpoint=https:\/\/[A-Za-z0-9.-]+\/;accesskey=[A-Za-z0-9+\/=]+/`],
    ["a group", String.raw`/endpoint=(.*);accesskey=(.*)/i`],
  ])("%s is a parser, not a template (no finding)", (_name, pattern) => {
    expect(scanText("helpers.md", `Match it with \`${pattern}\`.\n`)).toEqual([]);
  });
});
