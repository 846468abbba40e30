/**
 * IM-8 for what Entra answers, beyond its description: MSAL copies `error_codes[0]` into `ServerError.errorNo`, and
 * `trace_id` and `claims` into an `InteractionRequiredAuthError`'s `traceId` and `claims`. A token endpoint (or a
 * proxy) that echoes the client secret or the signed client assertion there must not put it into what a logger prints
 * of the error (`util.inspect` at any depth, `JSON.stringify` of the error and of each error of its cause chain).
 * Values that are not secrets stay readable. A fake Entra over TLS (its own CA), real @azure/identity credentials built
 * by the factory.
 */
import { join } from "node:path";
import { inspect } from "node:util";
import { AuthenticationRequiredError } from "@azure/identity";
import { beforeAll, describe, expect, it } from "vitest";
import { ACS_TOKEN_SCOPE, AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { AcsClientFactoryOptions } from "../../packages/acs-baseline/src/index.js";
import type { EchoingEntra, EntraRefusal } from "../support/echoingEntra.js";
import { invalidClient, startEchoingEntra } from "../support/echoingEntra.js";
import { tempDir } from "../support/tempDir.js";
import type { WrittenCertificate } from "../support/testCertificates.js";
import { writeTestCertificate } from "../support/testCertificates.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "0b8c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d";
const TRACE = "0f6c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d";
// Not shaped like an Entra secret (no `Q~`): only the configured value itself can find it.
const SECRET = "plain-canary-secret-value-4711-abcdef";
// A real claims challenge (Continuous Access Evaluation): not a secret, the caller needs it as it is.
const CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}';
const dir = tempDir("acs-entra-members-");
let certificate: WrittenCertificate;

/** What the credential sent: the client secret or the signed client assertion. */
const sent = (form: URLSearchParams): string => form.get("client_secret") ?? form.get("client_assertion") ?? "";

/** The answers that echo what was sent outside `error_description`. */
const REFUSALS: Record<string, EntraRefusal> = {
  // H3: `error_codes[0]` becomes `ServerError.errorNo`
  error_codes: (form) => {
    const { status, json } = invalidClient(() => "")(form);
    return { status, json: { ...json, error_codes: [sent(form), 7000215] } };
  },
  // H4: `claims` and `trace_id` become an InteractionRequiredAuthError's `claims` and `traceId`
  "claims and trace_id": (form) => {
    const { status, json } = invalidClient(() => "")(form);
    return { status, json: { ...json, error: "interaction_required", claims: sent(form), trace_id: sent(form) } };
  },
};

beforeAll(async () => {
  certificate = await writeTestCertificate(dir, "app.pem");
});

function options(entra: EchoingEntra, credential: Partial<AcsClientFactoryOptions>): AcsClientFactoryOptions {
  return {
    endpoint: "https://127.0.0.1:9",
    allowedHosts: ["127.0.0.1"],
    tenantId: TENANT,
    clientId: CLIENT,
    authorityHost: entra.authorityHost,
    allowedAuthorityHosts: ["127.0.0.1"],
    disableInstanceDiscovery: true,
    clientOptions: { tlsOptions: { ca: entra.caCertificatePem }, retryOptions: { maxRetries: 0 } },
    audit: { destination: join(dir, `${Math.random().toString(36).slice(2)}.log`) },
    ...credential,
  };
}

/** The error and every error of its cause chain. */
function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = error; typeof e === "object" && e !== null && out.length < 16; e = (e as { cause?: unknown }).cause)
    out.push(e);
  return out;
}

/** Everything of an error a logger could print: inspect at any depth (hidden members too), JSON of each cause. */
const printed = (error: unknown): string =>
  [
    inspect(error, { depth: Infinity }),
    inspect(error, { depth: Infinity, showHidden: true }),
    ...chain(error).map((e) => JSON.stringify(e)),
  ].join("\n");

/** The error `factory.credential.getToken` rejects with, against a fake Entra answering `refusal`. */
async function refusedWith(
  refusal: EntraRefusal,
  credential: Partial<AcsClientFactoryOptions>,
): Promise<{ error: unknown; echoed: string[] }> {
  const entra = await startEchoingEntra(TENANT, refusal);
  try {
    const factory = new AcsClientFactory(options(entra, credential));
    let error: unknown;
    await factory.credential.getToken(ACS_TOKEN_SCOPE).catch((e: unknown) => (error = e));
    await factory.close();
    return { error, echoed: entra.tokenRequests.map(sent) };
  } finally {
    await entra.close();
  }
}

const credentials: [string, () => Partial<AcsClientFactoryOptions>][] = [
  ["client secret", () => ({ clientSecret: SECRET })],
  ["certificate (client assertion)", () => ({ certificate: { path: certificate.path } })],
];

describe("an Entra answer that echoes the credential outside its description", () => {
  for (const [field, refusal] of Object.entries(REFUSALS)) {
    for (const [kind, credential] of credentials) {
      it(`${kind}, echoed in ${field}: not in inspect or JSON of the error and its causes`, async () => {
        const { error, echoed } = await refusedWith(refusal, credential());
        expect(error).toBeInstanceOf(AuthenticationRequiredError);
        expect(echoed.length).toBeGreaterThan(0);
        const text = printed(error);
        for (const value of echoed) {
          expect(value.length).toBeGreaterThan(20);
          expect(text).not.toContain(value);
          expect(text).not.toContain(value.slice(0, 20));
          expect(text).not.toContain(value.slice(-20));
        }
        expect(text).not.toMatch(/eyJ[\w-]{20,}/);
        // the error still says what happened
        const cause = (error as { cause?: Record<string, unknown> }).cause;
        expect(cause?.errorCode).toBe(field === "error_codes" ? "invalid_client" : "interaction_required");
        expect(text).toContain("AADSTS7000215");
        expect(text).toContain("2024-01-01 00:00:00Z");
      });
    }
  }

  it("values that are not secrets stay readable: a claims challenge, a trace id, a numeric error code", async () => {
    const benign: EntraRefusal = (form) => {
      const { status, json } = invalidClient(() => "")(form);
      return { status, json: { ...json, error: "interaction_required", claims: CLAIMS, trace_id: TRACE } };
    };
    const { error } = await refusedWith(benign, { clientSecret: SECRET });
    const cause = (error as { cause?: Record<string, unknown> }).cause;
    expect(cause).toMatchObject({ claims: CLAIMS, traceId: TRACE, errorNo: 7000215 });
    expect(cause?.errorCode).toBe("interaction_required");
    expect((error as { name?: unknown }).name).toBe("AuthenticationRequiredError");
  });
});
