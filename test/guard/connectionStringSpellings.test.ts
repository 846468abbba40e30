// Connection strings spelled the ways the option walk's detector did not read: whatever the ACS SDKs' own parser
// (`/endpoint=(.*);accesskey=(.*)/i` in @azure/communication-common, any text on the line, a `;`, a space or a quote
// inside the endpoint, any prefix before `endpoint=`) takes as a working connection string, quoted values as .env
// files write them, and Unicode look-alikes (full-width letters, zero-width characters, soft hyphens) of the same
// text. Each is refused where the factory reads options (CONNECTION_STRING_REFUSED), secret-free; upstream's parser
// is the oracle of the property test.
import { randomBytes } from "node:crypto";
import { parseClientArguments } from "@azure/communication-common";
import type { TokenCredential } from "@azure/core-auth";
import fc from "fast-check";
import { SmsClient } from "@azure/communication-sms";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";

const ACCESS_KEY = randomBytes(64).toString("base64");
const HOST = "https://contoso.communication.azure.com";
const credential: TokenCredential = {
  getToken: () => Promise.resolve({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** Whether upstream's own parser builds a key-credential client from `text` (endpoint and key accepted). */
function upstreamAccepts(text: string): boolean {
  try {
    const { credential: parsed } = parseClientArguments(text, {});
    return typeof (parsed as { key?: unknown }).key === "string";
  } catch {
    return false;
  }
}

function refusal(value: unknown): unknown {
  try {
    new AcsClientFactory({
      endpoint: HOST,
      credential,
      clientOptions: { userAgentOptions: { userAgentPrefix: value } } as never,
    });
  } catch (error) {
    return error;
  }
  return undefined;
}

const SPELLINGS: [string, string, boolean][] = [
  // name, text, whether upstream's parser accepts it as a working connection string
  ["a fragment holding ';'", `endpoint=${HOST}/#;x;accesskey=${ACCESS_KEY}`, true],
  ["a query holding ';'", `endpoint=${HOST}/?a;b;accesskey=${ACCESS_KEY}`, true],
  ["a query holding a space", `endpoint=${HOST}/?a b;accesskey=${ACCESS_KEY}`, true],
  ["a query holding a quote", `endpoint=${HOST}/?a"b;accesskey=${ACCESS_KEY}`, true],
  ["a prefix glued to endpoint=", `myendpoint=${HOST}/;accesskey=${ACCESS_KEY}`, true],
  ["an underscore before endpoint=", `ACS_ENDPOINT=${HOST}/;accesskey=${ACCESS_KEY}`, true],
  ["quoted values (.env style)", `Endpoint="${HOST}/";AccessKey="${ACCESS_KEY}"`, false],
  ["single-quoted values", `endpoint='${HOST}/';accesskey='${ACCESS_KEY}'`, false],
  ["full-width letters", `ｅｎｄｐｏｉｎｔ＝${HOST}/；ａｃｃｅｓｓｋｅｙ＝${ACCESS_KEY}`, false],
  ["zero-width spaces", `end\u200bpoint=${HOST}/;access\u200bkey=${ACCESS_KEY}`, false],
  ["a soft hyphen and a BOM", `\ufeffendpoint=${HOST}/;access\u00adkey=${ACCESS_KEY}`, false],
  [
    "base64 (a Kubernetes Secret's data)",
    Buffer.from(`endpoint=${HOST}/;accesskey=${ACCESS_KEY}`).toString("base64"),
    false,
  ],
  [
    "base64url inside other text",
    `cs: ${Buffer.from(`Endpoint=${HOST}/;AccessKey=${ACCESS_KEY}`).toString("base64url")} # prod`,
    false,
  ],
];

describe("connection string spellings", () => {
  it.each(SPELLINGS)("%s is refused with CONNECTION_STRING_REFUSED, secret-free", (_name, text, upstream) => {
    expect(upstreamAccepts(text)).toBe(upstream);
    const error = refusal(text);
    expect(error).toMatchObject({ code: "CONNECTION_STRING_REFUSED" });
    expect(JSON.stringify(error) + String((error as Error).stack)).not.toContain(ACCESS_KEY.slice(0, 20));
  });

  it.each(SPELLINGS)("%s in createClient options is refused before the client is built", async (_name, text) => {
    const factory = new AcsClientFactory({ endpoint: HOST, credential });
    expect(() => factory.createClient(SmsClient, { userAgentOptions: { userAgentPrefix: text } })).toThrow(
      expect.objectContaining({ code: "CONNECTION_STRING_REFUSED" }),
    );
    await factory.close();
  });

  it("property: every text upstream's parser takes as a connection string is refused", () => {
    const piece = fc.string({ unit: fc.constantFrom("a", "Z", "0", ";", " ", '"', "'", "=", "#", "?", "/", "&") });
    fc.assert(
      fc.property(piece, piece, piece, fc.boolean(), (before, inside, after, hash) => {
        const text = `${before}endpoint=${HOST}/${hash ? "#" : "?"}${inside};accesskey=${ACCESS_KEY}${after}`;
        fc.pre(!/[\n\r]/.test(text) && upstreamAccepts(text));
        expect(refusal(text)).toMatchObject({ code: "CONNECTION_STRING_REFUSED" });
      }),
      { numRuns: 300 },
    );
  });

  it("hostile option text (a megabyte of white space after ';' and 'endpoint', look-alikes) is read in linear time", () => {
    for (const text of [
      `endpoint=${";".padEnd(1 << 20, " ")}x`,
      `${"endpoint ".repeat(1 << 17)}; accesskey`,
      `${"; \u200b".repeat(1 << 17)}accesskey`,
      `${"QUFB".repeat(1 << 18)} ${"A".repeat(100)} `.repeat(4),
    ]) {
      const started = performance.now();
      expect(refusal(text)).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });

  it("hostile option text: a megabyte of `endpoint=;accesskey=` pairs is refused in linear time (was quadratic: minutes)", () => {
    // Every pair is an `other pair` of the one before, so an unbounded chain walked the rest of the text from each start.
    for (const text of ["endpoint=;accesskey=".repeat(1 << 16), "accesskey=x;endpoint=;".repeat(1 << 16)]) {
      const started = performance.now();
      expect(refusal(text)).toBeDefined();
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });

  it("control: text that only mentions the words is not refused", () => {
    for (const text of [
      "endpoint and accesskey are documented in the portal",
      `endpoint=${HOST}/`,
      "accesskey rotation is monthly; endpoint is fixed",
      `endpoint=${HOST}/\naccesskey-docs`,
    ]) {
      const error = refusal(text);
      if (error !== undefined) throw error as Error;
    }
  });
});
