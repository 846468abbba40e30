// Compile-time guarantees for TypeScript users: key-based configurations do not type-check.
import { AzureKeyCredential, AzureNamedKeyCredential, AzureSASCredential } from "@azure/core-auth";
import type { TokenCredential } from "@azure/core-auth";
import type { SmsClient } from "@azure/communication-sms";
import { RoomsClient } from "@azure/communication-rooms";
import { EmailClient } from "@azure/communication-email";
import { describe, expectTypeOf, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { AcsClientFactoryOptions } from "../../packages/acs-baseline/src/index.js";

declare const tokenCredential: TokenCredential;
const base = { endpoint: "https://contoso.communication.azure.com", tenantId: "t", clientId: "c" };

describe("AcsClientFactory types", () => {
  it("accepts Entra configurations", () => {
    expectTypeOf(
      new AcsClientFactory({ ...base, certificate: { path: "/secrets/app.pem" } }),
    ).toEqualTypeOf<AcsClientFactory>();
    expectTypeOf(
      new AcsClientFactory({ ...base, certificate: { pem: "-----BEGIN…", password: "p" } }),
    ).toEqualTypeOf<AcsClientFactory>();
    expectTypeOf(
      new AcsClientFactory({ endpoint: base.endpoint, credential: tokenCredential }),
    ).toEqualTypeOf<AcsClientFactory>();
    const factory = new AcsClientFactory({ ...base, certificate: { path: "/p" } });
    expectTypeOf(factory.createSmsClient()).toEqualTypeOf<SmsClient>();
    expectTypeOf(factory.createClient(RoomsClient)).toEqualTypeOf<RoomsClient>();
    expectTypeOf(factory.createClient(EmailClient)).toEqualTypeOf<EmailClient>();
    expectTypeOf(factory.credential).toEqualTypeOf<TokenCredential>();
    expectTypeOf(factory.credentialType).toEqualTypeOf<
      "certificate" | "workload-identity" | "secret" | "managed-identity" | "external"
    >();
  });

  it("rejects key and SAS credentials at compile time", () => {
    // @ts-expect-error an AzureKeyCredential is not a TokenCredential
    new AcsClientFactory({ endpoint: base.endpoint, credential: new AzureKeyCredential("key") });
    // @ts-expect-error an AzureNamedKeyCredential is not a TokenCredential
    new AcsClientFactory({ endpoint: base.endpoint, credential: new AzureNamedKeyCredential("name", "key") });
    // @ts-expect-error an AzureSASCredential is not a TokenCredential
    new AcsClientFactory({ endpoint: base.endpoint, credential: new AzureSASCredential("sig") });
    // @ts-expect-error a { key } object is not a TokenCredential
    new AcsClientFactory({ endpoint: base.endpoint, credential: { key: "k" } });
    expectTypeOf<AzureKeyCredential>().not.toMatchTypeOf<AcsClientFactoryOptions["credential"]>();
  });

  it("rejects connection-string-only configurations at compile time", () => {
    // @ts-expect-error a connection string is not an options object
    new AcsClientFactory("endpoint=https://contoso.communication.azure.com/;accesskey=a2V5");
    // @ts-expect-error there is no connectionString option, and endpoint is required
    new AcsClientFactory({ connectionString: "endpoint=https://contoso.communication.azure.com/;accesskey=a2V5" });
    // @ts-expect-error accessKey is not an option
    new AcsClientFactory({ ...base, accessKey: "a2V5" });
  });

  it("createClient only takes classes constructed with a TokenCredential", () => {
    const factory = new AcsClientFactory({ ...base, certificate: { path: "/p" } });
    class KeyOnlyClient {
      constructor(_endpoint: string, _credential: AzureKeyCredential) {}
    }
    // @ts-expect-error the class needs a key credential
    factory.createClient(KeyOnlyClient);
    // @ts-expect-error a connection string is not an options object for createClient
    factory.createSmsClient("endpoint=https://contoso.communication.azure.com/;accesskey=a2V5");
  });
});
