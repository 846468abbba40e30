// Adversarial review B (getter TOCTOU): options whose getters (or Proxy traps) answer differently on every read.
// The factory, createClient and checkPosture read every option once and check and use only that copy, so a getter
// that shows the checks a harmless value and the credential an access key (or the transport check no httpClient and
// the client a custom one) gets nowhere.
import { randomBytes } from "node:crypto";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { AcsClientFactory, checkPosture } from "../../packages/acs-baseline/src/index.js";
import { SmsClient } from "@azure/communication-sms";

const ACCESS_KEY = randomBytes(64).toString("base64");
const ENDPOINT = "https://contoso.communication.azure.com";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "0b8c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d";
const RESOURCE_ID =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/contoso";
const customHttpClient: HttpClient = { sendRequest: () => Promise.reject(new Error("custom transport used")) };

/** A getter that counts its reads and answers `first` on the first one, `later` after. */
function flipping<T>(first: T, later: T): { reads: () => number; descriptor: PropertyDescriptor } {
  let reads = 0;
  return {
    reads: () => reads,
    descriptor: { enumerable: true, configurable: true, get: () => (reads++ === 0 ? first : later) },
  };
}

function tryNew(options: unknown): string {
  try {
    const f = new AcsClientFactory(options as never);
    void f.close();
    return `ACCEPTED as ${f.credentialType}`;
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).name;
  }
}

describe("options are read once", () => {
  it("clientSecret: a getter harmless on the first read and the access key after is read once; the key never reaches the credential", () => {
    const secret = flipping("abc8Q~harmless-secret-value-0123456789ab", ACCESS_KEY);
    const options = Object.defineProperty(
      { endpoint: ENDPOINT, tenantId: TENANT, clientId: CLIENT },
      "clientSecret",
      secret.descriptor,
    );
    expect(tryNew(options)).toBe("ACCEPTED as secret");
    expect(secret.reads()).toBe(1);
  });

  it("clientSecret: harmless on the first two reads and the access key from the third (the review's case) never reaches the credential", () => {
    let reads = 0;
    const options = Object.defineProperty({ endpoint: ENDPOINT, tenantId: TENANT, clientId: CLIENT }, "clientSecret", {
      enumerable: true,
      get: () => (++reads <= 2 ? "abc8Q~harmless-secret-value-0123456789ab" : ACCESS_KEY),
    });
    expect(tryNew(options)).toBe("ACCEPTED as secret");
    expect(reads).toBe(1);
  });

  it("clientSecret: the same getter returning the key on the first read is refused", () => {
    const secret = flipping(ACCESS_KEY, "abc8Q~harmless-secret-value-0123456789ab");
    const options = Object.defineProperty(
      { endpoint: ENDPOINT, tenantId: TENANT, clientId: CLIENT },
      "clientSecret",
      secret.descriptor,
    );
    expect(tryNew(options)).toBe("KEY_CREDENTIAL_REFUSED");
    expect(secret.reads()).toBe(1);
  });

  it("clientSecret as a getter on a class prototype is read once too", () => {
    let reads = 0;
    class Options {
      endpoint = ENDPOINT;
      tenantId = TENANT;
      clientId = CLIENT;
      get clientSecret(): string {
        return reads++ === 0 ? "abc8Q~harmless-secret-value-0123456789ab" : ACCESS_KEY;
      }
    }
    expect(tryNew(new Options())).toBe("ACCEPTED as secret");
    expect(reads).toBe(1);
  });

  it("certificate.pem and certificate.password getters are read once", () => {
    const pem = flipping(
      "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----",
      "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----",
    );
    const password = flipping("pw", ACCESS_KEY);
    const certificate = Object.defineProperty(
      Object.defineProperty({}, "pem", pem.descriptor),
      "password",
      password.descriptor,
    );
    expect(tryNew({ endpoint: ENDPOINT, tenantId: TENANT, clientId: CLIENT, certificate })).toBe("CERTIFICATE_INVALID");
    expect(pem.reads()).toBe(1);
    expect(password.reads()).toBe(1);
  });

  it("clientOptions.httpClient: a getter undefined for the transport check and a custom HttpClient after is read once", () => {
    const httpClient = flipping<HttpClient | undefined>(undefined, customHttpClient);
    const clientOptions = Object.defineProperty({}, "httpClient", httpClient.descriptor);
    const factory = new AcsClientFactory({
      endpoint: ENDPOINT,
      credential: { getToken: () => Promise.resolve(null) },
      clientOptions,
    });
    factory.createSmsClient();
    void factory.close();
    expect(httpClient.reads()).toBe(1);
  });

  it("audit and posture getters are read once", () => {
    const destination = flipping<string | undefined>(undefined, "stdout");
    const resourceId = flipping(RESOURCE_ID, RESOURCE_ID);
    const audit = Object.defineProperty({}, "destination", destination.descriptor);
    const posture = Object.defineProperty({ mode: "warn" }, "resourceId", resourceId.descriptor);
    expect(tryNew({ endpoint: ENDPOINT, credential: { getToken: () => Promise.resolve(null) }, audit, posture })).toBe(
      "ACCEPTED as external",
    );
    expect(destination.reads()).toBe(1);
    expect(resourceId.reads()).toBe(1);
  });

  it("a Proxy as options: every option is looked at once", () => {
    const looks = new Map<string | symbol, number>();
    const count = (key: string | symbol) => looks.set(key, (looks.get(key) ?? 0) + 1);
    const target = {
      endpoint: ENDPOINT,
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: "abc8Q~harmless-secret-value-0123456789ab",
    };
    const proxy = new Proxy(target, {
      get: (t, k, r) => (count(k), Reflect.get(t, k, r) as unknown),
      getOwnPropertyDescriptor: (t, k) => (count(k), Reflect.getOwnPropertyDescriptor(t, k)),
    });
    expect(tryNew(proxy)).toBe("ACCEPTED as secret");
    for (const key of Object.keys(target)) expect(looks.get(key), key).toBe(1);
  });

  it("createClient: options.httpClient undefined for the check and a custom HttpClient after is read once", () => {
    const factory = new AcsClientFactory({ endpoint: ENDPOINT, credential: { getToken: () => Promise.resolve(null) } });
    const httpClient = flipping<HttpClient | undefined>(undefined, customHttpClient);
    factory.createClient(SmsClient, Object.defineProperty({}, "httpClient", httpClient.descriptor));
    void factory.close();
    expect(httpClient.reads()).toBe(1);
  });

  it("checkPosture: clientSecret is read once", async () => {
    const secret = flipping("abc8Q~harmless-secret-value-0123456789ab", ACCESS_KEY);
    const options = Object.defineProperty(
      {
        resourceId: RESOURCE_ID,
        endpoint: ENDPOINT,
        tenantId: TENANT,
        clientId: CLIENT,
        authorityHost: "https://login.example.com",
      },
      "clientSecret",
      secret.descriptor,
    );
    await expect(checkPosture(options as never)).rejects.toMatchObject({ code: "AUTHORITY_NOT_ALLOWED" });
    expect(secret.reads()).toBe(1);
  });
});
