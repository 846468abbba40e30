// Adversarial review B, finding 1: refusal messages are built from caller-supplied text (a property NAME in the
// option walk's path, an allowedHosts entry, a client class name). None of them may carry an access key into the
// thrown message, its stack or JSON.stringify of the error. And a connection string that is only a property NAME is
// refused like one in a value.
import { randomBytes } from "node:crypto";
import type { TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { findConnectionStringOption } from "../../packages/acs-baseline/src/guard/optionStrings.js";

const ACCESS_KEY = randomBytes(64).toString("base64");
const HEX_KEY = Buffer.from(ACCESS_KEY, "base64").toString("hex");
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${ACCESS_KEY}`;
const ENDPOINT = "https://contoso.communication.azure.com";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "0b8c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d";
const credential: TokenCredential = {
  getToken: () => Promise.resolve({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** The error `make` throws (it must throw). */
function thrown(make: () => unknown): Error & { code?: string } {
  try {
    const made = make() as { close?: () => Promise<void> } | undefined;
    void made?.close?.();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error("expected a refusal");
}

/** No 16-character piece of any key shape appears in the error's message, stack or JSON. */
function expectNoKey(error: Error, ...keys: string[]): void {
  const texts = [error.message, error.stack ?? "", JSON.stringify(error), String(error)];
  for (const key of keys) {
    for (let i = 0; i + 16 <= key.length; i += 8) {
      for (const text of texts) expect(text).not.toContain(key.slice(i, i + 16));
    }
  }
}

describe("refusal messages never carry caller text that holds a key", () => {
  it("a property NAME holding `…;accesskey=<key>` (value a connection string): refused, the key is not in the error", () => {
    const error = thrown(
      () =>
        new AcsClientFactory({ endpoint: ENDPOINT, credential, clientOptions: { [`k;accesskey=${ACCESS_KEY}`]: CS } }),
    );
    expect(error.code).toBe("CONNECTION_STRING_REFUSED");
    expectNoKey(error, ACCESS_KEY);
  });

  it.each([
    ["a base64 access key", ACCESS_KEY],
    ["a hex access key", HEX_KEY],
    ["a connection string", CS],
    ["a long unusual name", `x ${"y".repeat(300)} ${ACCESS_KEY}`],
  ])("a property NAME that is %s, above a connection string: the path names neither", (_n, name) => {
    const error = thrown(
      () =>
        new AcsClientFactory({
          endpoint: ENDPOINT,
          credential,
          clientOptions: { nested: { [name]: { cs: CS } } } as never,
        }),
    );
    expect(error.code).toBe("CONNECTION_STRING_REFUSED");
    expectNoKey(error, ACCESS_KEY, HEX_KEY);
    expect(error.message).toContain("clientOptions.nested.");
  });

  it("a Symbol whose description holds the key: not in the error", () => {
    const error = thrown(
      () =>
        new AcsClientFactory({
          endpoint: ENDPOINT,
          credential,
          clientOptions: { [Symbol(`accesskey=${ACCESS_KEY}`)]: { cs: CS } },
        }),
    );
    expect(error.code).toBe("CONNECTION_STRING_REFUSED");
    expectNoKey(error, ACCESS_KEY);
  });

  it("ordinary property names still appear in the path", () => {
    expect(findConnectionStringOption({ clientOptions: { userAgentOptions: { userAgentPrefix: CS } } })).toBe(
      "clientOptions.userAgentOptions.userAgentPrefix",
    );
    expect(findConnectionStringOption({ a: { "my-header": { x_1: CS } } })).toBe("a.my-header.x_1");
  });

  it("a connection string only as a property NAME is refused", () => {
    const error = thrown(
      () => new AcsClientFactory({ endpoint: ENDPOINT, credential, clientOptions: { extra: { [CS]: true } } as never }),
    );
    expect(error.code).toBe("CONNECTION_STRING_REFUSED");
    expectNoKey(error, ACCESS_KEY);
    expect(findConnectionStringOption({ [CS]: 1 })).toBeDefined();
    expect(findConnectionStringOption({ [encodeURIComponent(CS)]: 1 })).toBeDefined();
    expect(
      findConnectionStringOption({ a: Object.defineProperty({}, CS, { enumerable: false, value: 1 }) }),
    ).toBeDefined();
  });

  it("an allowedHosts entry holding the key: ENDPOINT_NOT_ALLOWED without the key", () => {
    const error = thrown(
      () =>
        new AcsClientFactory({
          endpoint: "https://other.example.com",
          credential,
          allowedHosts: ["*.communication.azure.com", ACCESS_KEY, HEX_KEY],
        }),
    );
    expect(error.code).toBe("ENDPOINT_NOT_ALLOWED");
    expectNoKey(error, ACCESS_KEY, HEX_KEY);
    expect(error.message).toContain('"*.communication.azure.com"');
  });

  it("an allowedAuthorityHosts entry holding the key: AUTHORITY_NOT_ALLOWED without the key", () => {
    const error = thrown(
      () =>
        new AcsClientFactory({
          endpoint: ENDPOINT,
          tenantId: TENANT,
          clientId: CLIENT,
          clientSecret: "abc8Q~0123456789abcdefghijklmnopqrstuvwx",
          authorityHost: "https://login.example.com",
          allowedAuthorityHosts: ["adfs.contoso.com", `accesskey=${ACCESS_KEY}`],
        }),
    );
    expect(error.code).toBe("AUTHORITY_NOT_ALLOWED");
    expectNoKey(error, ACCESS_KEY);
    expect(error.message).toContain('"adfs.contoso.com"');
  });

  it("a client class whose name is the key: KEY_AUTH_BLOCKED without the key", () => {
    const factory = new AcsClientFactory({ endpoint: ENDPOINT, credential });
    const Named = class {};
    Object.defineProperty(Named, "name", { value: ACCESS_KEY });
    const error = thrown(() => factory.createClient(Named));
    expect(error.code).toBe("KEY_AUTH_BLOCKED");
    expectNoKey(error, ACCESS_KEY);
    void factory.close();
  });
});

describe("TLS option names", () => {
  it("an unusual tlsOptions member name (a key in it) is not repeated in TLS_VERIFICATION_DISABLED", () => {
    const key = Buffer.alloc(64, 9).toString("base64");
    let message = "";
    try {
      new AcsClientFactory({
        endpoint: "https://contoso.communication.azure.com",
        tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        clientId: "0b2e5c7a-1f0e-4e8f-9a55-1c2b3d4e5f60",
        clientSecret: "abc8Q~abcdefghijklmnopqrstuvwxyz0123456",
        clientOptions: { tlsOptions: { [`x${key}`]: 1 } },
      });
    } catch (e) {
      message = `${(e as Error).message} ${JSON.stringify(e)}`;
    }
    expect(message).toMatch(/unusual name/);
    expect(message).not.toContain(key.slice(0, 20));
  });
});
