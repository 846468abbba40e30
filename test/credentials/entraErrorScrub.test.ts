/**
 * IM-8 for what Entra answers: a token endpoint (or a proxy before it) that echoes the request in its error
 * description would put the signed client assertion, or the client secret, into the error the factory's credential
 * throws, and so into the caller's logs. The error is scrubbed as an ACS error is, keeping its class, name and code;
 * the `token.acquire` failure record names Entra's error code. A fake Entra over TLS (its own CA) answers 401
 * invalid_client, echoing what it was sent; real @azure/identity credentials and a real SmsClient.
 */
import { join } from "node:path";
import { inspect } from "node:util";
import { AuthenticationRequiredError } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACS_TOKEN_SCOPE, AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { AcsClientFactoryOptions } from "../../packages/acs-baseline/src/index.js";
import { readJsonLines } from "../support/auditRecords.js";
import type { EchoingEntra } from "../support/echoingEntra.js";
import { invalidClient, startEchoingEntra } from "../support/echoingEntra.js";
import { tempDir } from "../support/tempDir.js";
import type { WrittenCertificate } from "../support/testCertificates.js";
import { writeTestCertificate } from "../support/testCertificates.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "0b8c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d";
// Not shaped like an Entra secret (no `Q~`): only the configured value itself can find it.
const SECRET = "plain-canary-secret-value-4711-abcdef";
const dir = tempDir("acs-entra-scrub-");
let entra: EchoingEntra;
let certificate: WrittenCertificate;

beforeAll(async () => {
  certificate = await writeTestCertificate(dir, "app.pem");
  entra = await startEchoingEntra(
    TENANT,
    invalidClient(
      (form) => `client_assertion=${form.get("client_assertion") ?? ""} you sent: ${form.get("client_secret") ?? ""}`,
    ),
  );
});
afterAll(() => entra.close());

function options(audit: string, credential: Partial<AcsClientFactoryOptions>): AcsClientFactoryOptions {
  return {
    endpoint: "https://127.0.0.1:9",
    allowedHosts: ["127.0.0.1"],
    tenantId: TENANT,
    clientId: CLIENT,
    authorityHost: entra.authorityHost,
    allowedAuthorityHosts: ["127.0.0.1"],
    disableInstanceDiscovery: true,
    clientOptions: { tlsOptions: { ca: entra.caCertificatePem }, retryOptions: { maxRetries: 0 } },
    audit: { destination: audit },
    ...credential,
  };
}

/** The spellings of the secret a token request carried, as an echoing page would write them back. */
class SecretSpellings {
  constructor(private readonly secret: string) {}
  percent = (form: URLSearchParams): string => encodeURIComponent(form.get("client_secret") ?? this.secret);
  form = (form: URLSearchParams): string =>
    new URLSearchParams({ s: form.get("client_secret") ?? this.secret }).toString().slice(2);
}

/** Everything of an error a logger could print: message, stack, inspect (with causes) and JSON. */
const printed = (error: unknown) =>
  [
    String((error as Error).message),
    String((error as Error).stack),
    inspect(error, { depth: 8 }),
    JSON.stringify(error),
  ].join("\n");

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

describe("an error Entra echoes the request into", () => {
  it("certificate: the signed client assertion never reaches the caller (SDK client or credential), the error keeps its class", async () => {
    const audit = join(dir, "certificate.log");
    const factory = new AcsClientFactory(options(audit, { certificate: { path: certificate.path } }));
    const viaClient = await failure(() =>
      factory.createSmsClient().send({ from: "+14255550100", to: ["+14255550123"], message: "hi" }),
    );
    const direct = await failure(() => factory.credential.getToken(ACS_TOKEN_SCOPE));
    await factory.close();
    const assertions = entra.tokenRequests.map((form) => form.get("client_assertion") ?? "");
    expect(assertions.length).toBeGreaterThan(0);
    for (const error of [viaClient, direct]) {
      expect(error).toBeInstanceOf(AuthenticationRequiredError);
      expect((error as Error).name).toBe("AuthenticationRequiredError");
      const text = printed(error);
      expect(text).toContain("AADSTS7000215");
      for (const assertion of assertions) {
        expect(assertion.length).toBeGreaterThan(100);
        expect(text).not.toContain(assertion);
        // not even its signature (the part that makes it usable)
        expect(text).not.toContain(assertion.split(".")[2]);
      }
      expect(text).not.toMatch(/eyJ[\w-]{20,}\.eyJ/);
    }
  });

  it("client secret: the secret echoed back never reaches the caller", async () => {
    const audit = join(dir, "secret.log");
    const factory = new AcsClientFactory(options(audit, { clientSecret: SECRET }));
    const viaClient = await failure(() =>
      factory.createSmsClient().send({ from: "+14255550100", to: ["+14255550123"], message: "hi" }),
    );
    const direct = await failure(() => factory.credential.getToken(ACS_TOKEN_SCOPE));
    await factory.close();
    expect(entra.tokenRequests.some((form) => form.get("client_secret") === SECRET)).toBe(true);
    for (const error of [viaClient, direct]) {
      expect(error).toBeInstanceOf(AuthenticationRequiredError);
      const text = printed(error);
      expect(text).toContain("invalid_client");
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SECRET.slice(0, 20));
    }
  });

  // Last review (/tmp/rvAA/scrub.mjs): a legacy secret with `+ / =`, echoed percent-encoded without its name.
  it("client secret: echoed percent-encoded or form-encoded, it never reaches the caller", async () => {
    const secret = "Zm9vYmFy+c2VjcmV0/a2V5dmFsdWU=x7 q";
    const encoded = new SecretSpellings(secret);
    const echoing = await startEchoingEntra(
      TENANT,
      invalidClient((form) => `you sent ${encoded.percent(form)} (form: ${encoded.form(form)})`),
    );
    try {
      const factory = new AcsClientFactory({
        ...options(join(dir, "encoded.log"), { clientSecret: secret }),
        authorityHost: echoing.authorityHost,
        clientOptions: { tlsOptions: { ca: echoing.caCertificatePem }, retryOptions: { maxRetries: 0 } },
      });
      const error = await failure(() => factory.credential.getToken(ACS_TOKEN_SCOPE));
      await factory.close();
      const text = printed(error);
      expect(text).toContain("invalid_client");
      for (const spelling of [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString()])
        expect(text).not.toContain(spelling.replace(/^s=/, "").slice(0, 16));
    } finally {
      await echoing.close();
    }
  });

  it("the token.acquire failure record names Entra's error (invalid_client), not the error class, and no text", async () => {
    const audit = join(dir, "record.log");
    const factory = new AcsClientFactory(options(audit, { certificate: { path: certificate.path } }));
    await failure(() => factory.credential.getToken(ACS_TOKEN_SCOPE));
    await factory.close();
    const failed = readJsonLines<{
      event: { action: string; outcome: string };
      error?: { code?: string; message?: string };
    }>(audit).filter((r) => r.event.action === "token.acquire" && r.event.outcome === "failure");
    expect(failed).toHaveLength(1);
    expect(failed[0]?.error).toEqual({
      code: "invalid_client",
      message: "Token request failed (invalid_client, AADSTS7000215, HTTP 401).",
    });
  });
});
