// assertTokenCredential: only objects with a getToken function pass; key, named-key, SAS, { key } and anything
// else are refused with KEY_CREDENTIAL_REFUSED, naming the kind of credential and never the key.
import { randomBytes } from "node:crypto";
import { AzureKeyCredential, AzureNamedKeyCredential, AzureSASCredential } from "@azure/core-auth";
import { ClientSecretCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { BaselineViolationError } from "../../packages/acs-baseline/src/errors.js";
import { assertTokenCredential, isTokenCredential } from "../../packages/acs-baseline/src/guard/keyCredential.js";

const KEY = randomBytes(32).toString("base64");

describe("key credential guard", () => {
  it("accepts TokenCredentials", () => {
    expect(isTokenCredential(new ClientSecretCredential("72f988bf-86f1-41af-91ab-2d7cd011db47", "c", "s"))).toBe(true);
    expect(isTokenCredential({ getToken: () => Promise.resolve(null) })).toBe(true);
    expect(() => assertTokenCredential({ getToken: () => Promise.resolve(null) })).not.toThrow();
  });

  it.each([
    ["AzureKeyCredential", () => new AzureKeyCredential(KEY), "AzureKeyCredential"],
    ["AzureNamedKeyCredential", () => new AzureNamedKeyCredential("acct", KEY), "AzureNamedKeyCredential"],
    ["AzureSASCredential", () => new AzureSASCredential(`sv=2020&sig=${KEY}`), "AzureSASCredential"],
    ["{ key }", () => ({ key: KEY }), "{ key }"],
    ["{ signature }", () => ({ signature: KEY }), "AzureSASCredential"],
    ["getToken that is not a function", () => ({ getToken: KEY }), "without getToken"],
    ["a string", () => KEY, "a string"],
    ["null", () => null, "null"],
    ["a number", () => 42, "a number"],
  ])("refuses %s", (_name, make, described) => {
    let error: unknown;
    try {
      assertTokenCredential(make());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BaselineViolationError);
    const e = error as BaselineViolationError;
    expect(e.code).toBe("KEY_CREDENTIAL_REFUSED");
    expect(e.control).toBe("IM-1");
    expect(e.message).toContain(described);
    for (const text of [e.message, e.stack ?? "", JSON.stringify(e)]) expect(text).not.toContain(KEY.slice(0, 12));
  });
});
