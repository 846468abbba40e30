// Adversarial review B, finding 11 (clientSecret): an ACS access key pasted as the Entra clientSecret is refused in
// every shape it is likely to be pasted in (base64 with or without padding, base64url, hex, quoted, with an
// `accesskey=` prefix, with invisible characters around it), and real Entra client secrets are still accepted.
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { assertNotAccessKey } from "../../packages/acs-baseline/src/guard/keyCredential.js";

const ENDPOINT = "https://contoso.communication.azure.com";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "0b8c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d";

/** Every shape of one 64-byte key. */
function shapes(bytes: Uint8Array): [string, string][] {
  const b64 = Buffer.from(bytes).toString("base64");
  const url = Buffer.from(bytes).toString("base64url");
  const hex = Buffer.from(bytes).toString("hex");
  return [
    ["base64", b64],
    ["base64 without padding", b64.replace(/=+$/, "")],
    ["base64url", `${url}==`],
    ["base64url without padding", url],
    ["hex", hex],
    ["HEX", hex.toUpperCase()],
    ["a trailing zero-width space", `${b64}\u200b`],
    ["a leading BOM", `\ufeff${b64}`],
    ["a word joiner and NBSP", `\u2060${b64}\u00a0`],
    ["white space around", ` ${b64}\n`],
    ["double quotes", `"${b64}"`],
    ["single quotes", `'${url}'`],
    ["quotes and white space", ` "${hex}" `],
    ["accesskey= prefix", `accesskey=${b64}`],
    ["AccessKey= prefix, unpadded", `AccessKey=${b64.replace(/=+$/, "")}`],
    ["ACCESSKEY = prefix, quoted", `ACCESSKEY = "${url}"`],
    ["quoted accesskey= prefix", `"accesskey=${b64}"`],
    ["URL-encoded padding", b64.replace(/=/g, "%3D")],
  ];
}

function refusalCode(clientSecret: unknown): string | undefined {
  try {
    assertNotAccessKey(clientSecret);
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

/** Realistic Entra client secrets: 40 characters, `xxx8Q~` then letters, digits, `~ . _ -`. */
const ENTRA_SECRETS = [
  "Abc8Q~hQ0bW.rT3_zK-9mN~pLx2yVuFtE1sDaZcQ",
  "q7X8Q~Vx.gk1L3m_J9oZ-uTrP0sYw~eHaBcDfG2n",
  "r2D7Q~Kp9sT_vW.xY-zA1bC~dE3fG4hI5jK6lM7n",
  "hVz8Q~b3xH0m5zv-~N9u7.LqQ_k2T4yFgWm1sRpa",
  "Secret_with-dots.and~tildes1234567890AbC",
];

describe("clientSecret: an ACS access key is refused in every shape", () => {
  it.each(shapes(randomBytes(64)))("%s", (_n, value) => {
    expect(refusalCode(value)).toBe("KEY_CREDENTIAL_REFUSED");
  });

  it("through the factory: refused, and the message does not echo the value", () => {
    const key = randomBytes(64).toString("base64url");
    let error: Error | undefined;
    try {
      new AcsClientFactory({
        endpoint: ENDPOINT,
        tenantId: TENANT,
        clientId: CLIENT,
        clientSecret: `"accesskey=${key}"`,
      });
    } catch (e) {
      error = e as Error;
    }
    expect((error as { code?: string } | undefined)?.code).toBe("KEY_CREDENTIAL_REFUSED");
    expect(`${error?.message} ${JSON.stringify(error)}`).not.toContain(key.slice(0, 20));
  });

  it("property: every shape of a random 64-byte key is refused", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.nat(), (bytes, pick) => {
        const all = shapes(bytes);
        const [, value] = all[pick % all.length];
        return refusalCode(value) === "KEY_CREDENTIAL_REFUSED";
      }),
      { numRuns: 500 },
    );
  });

  it.each(ENTRA_SECRETS)("accepts the Entra client secret %s", (secret) => {
    expect(refusalCode(secret)).toBeUndefined();
    const factory = new AcsClientFactory({
      endpoint: ENDPOINT,
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: secret,
    });
    expect(factory.credentialType).toBe("secret");
    void factory.close();
  });

  it("property: Entra-like secrets (3 characters, a digit, Q~, 34 characters of [A-Za-z0-9~._-]) are accepted", () => {
    const chars = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-");
    const secret = fc
      .tuple(
        fc.string({ unit: chars, minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: 9 }),
        fc.string({ unit: chars, minLength: 34, maxLength: 34 }),
      )
      .map(([a, d, b]) => `${a}${d}Q~${b}`);
    fc.assert(
      fc.property(secret, (s) => refusalCode(s) === undefined),
      { numRuns: 1000 },
    );
  });

  it("other key-like values that are not 64 bytes are not refused as an access key", () => {
    expect(refusalCode(randomBytes(32).toString("base64"))).toBeUndefined();
    expect(refusalCode(randomBytes(63).toString("hex"))).toBeUndefined();
    expect(refusalCode(randomBytes(65).toString("base64url"))).toBeUndefined();
    expect(refusalCode(undefined)).toBeUndefined();
    expect(refusalCode(42)).toBeUndefined();
  });
});
