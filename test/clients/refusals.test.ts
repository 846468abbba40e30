// One test per refusal code: the right code and control, thrown synchronously, and the planted secret (canary)
// absent from message, stack, util.inspect, JSON and the audit log. Plus the precedence order.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { AzureKeyCredential, AzureNamedKeyCredential, AzureSASCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { beforeAll, describe, expect, it } from "vitest";
import type { AcsClientFactoryOptions, BaselineViolationCode } from "../../packages/acs-baseline/src/index.js";
import { AcsClientFactory, BaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, GeneratedCertificate, TestApplication } from "../../packages/emulator/src/index.js";
import { createCertificate, emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { readJsonLines } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "0b2e5c7a-1f0e-4e8f-9a55-1c2b3d4e5f60";
const canary = () => `CANARY${randomBytes(18).toString("base64url")}`;

const dir = tempDir("acs-refusals-");
let app: TestApplication;
let emu: Emulator;
let expired: GeneratedCertificate;
let encrypted: GeneratedCertificate;

useEmulator({ application: { directory: dir }, onStarted: (started) => ({ emu, app } = started) });
beforeAll(async () => {
  expired = await createCertificate({
    notBefore: new Date(Date.now() - 20 * 86_400_000),
    notAfter: new Date(Date.now() - 86_400_000),
  });
  encrypted = await createCertificate({ password: "the-right-password" });
});

function expectRefusal(
  make: (secret: string, audit: { destination: string }) => unknown,
  code: BaselineViolationCode,
  control: string,
): void {
  const secret = canary();
  const file = join(dir, `${code}-${secret.slice(6, 14)}.log`);
  let error: unknown;
  try {
    make(secret, { destination: file });
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${code}`).toBeInstanceOf(BaselineViolationError);
  const e = error as BaselineViolationError;
  expect(e.name).toBe("BaselineViolationError");
  expect(e.code).toBe(code);
  expect(e.control).toBe(control);
  expect(e.message.length).toBeGreaterThan(40);
  expect(e.cause).toBeUndefined();
  for (const text of [e.message, e.stack ?? "", inspect(e, { depth: 5, showHidden: true }), JSON.stringify(e)]) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice(6, 20));
  }
  const log = readFileSync(file, "utf8");
  expect(log).not.toContain(secret.slice(6, 20));
  const refuse = readJsonLines<{
    event: { action: string; outcome: string };
    error?: { code: string };
    baseline: { controls: string[] };
  }>(file).find((r) => r.event.action === "refuse");
  expect(refuse).toMatchObject({ event: { outcome: "failure" }, error: { code }, baseline: { controls: [control] } });
}

const base = (extra: Partial<AcsClientFactoryOptions> = {}): AcsClientFactoryOptions => ({
  endpoint: "https://contoso.communication.azure.com",
  tenantId: TENANT,
  clientId: CLIENT,
  certificate: { path: app.certificatePath },
  ...extra,
});

describe("refusals (one per code, no secret anywhere)", () => {
  it("CONNECTION_STRING_REFUSED (IM-1): a connection string in any string option", () => {
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(
          base({ endpoint: `endpoint=https://contoso.communication.azure.com/;accesskey=${s}`, audit }),
        ),
      "CONNECTION_STRING_REFUSED",
      "IM-1",
    );
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(
          base({ clientSecret: `Endpoint = https://x.communication.azure.com/ ; AccessKey = ${s}`, audit }),
        ),
      "CONNECTION_STRING_REFUSED",
      "IM-1",
    );
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(
          base({
            clientOptions: {
              userAgentOptions: { userAgentPrefix: `accesskey=${s};endpoint=https://x.communication.azure.com/` },
            },
            audit,
          }),
        ),
      "CONNECTION_STRING_REFUSED",
      "IM-1",
    );
  });

  it("CONNECTION_STRING_REFUSED for a connection string passed instead of options (JavaScript callers)", () => {
    const secret = canary();
    const make = () =>
      new AcsClientFactory(`endpoint=https://contoso.communication.azure.com/;accesskey=${secret}` as never);
    expect(make).toThrow(expect.objectContaining({ code: "CONNECTION_STRING_REFUSED" }));
    try {
      make();
    } catch (e) {
      expect(String((e as Error).stack)).not.toContain(secret);
    }
  });

  it("KEY_CREDENTIAL_REFUSED (IM-1): key, named key, SAS and { key } credentials", () => {
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(base({ certificate: undefined, credential: new AzureKeyCredential(s) as never, audit })),
      "KEY_CREDENTIAL_REFUSED",
      "IM-1",
    );
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(
          base({ certificate: undefined, credential: new AzureNamedKeyCredential("acct", s) as never, audit }),
        ),
      "KEY_CREDENTIAL_REFUSED",
      "IM-1",
    );
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(base({ certificate: undefined, credential: new AzureSASCredential(s) as never, audit })),
      "KEY_CREDENTIAL_REFUSED",
      "IM-1",
    );
    expectRefusal(
      (s, audit) => new AcsClientFactory(base({ certificate: undefined, credential: { key: s } as never, audit })),
      "KEY_CREDENTIAL_REFUSED",
      "IM-1",
    );
  });

  it("a credential in createClient's options: KEY_CREDENTIAL_REFUSED for a key credential, CLIENT_OPTION_NOT_ALLOWED for another TokenCredential", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    const key = canary();
    for (const [credential, code] of [
      [new AzureKeyCredential(key), "KEY_CREDENTIAL_REFUSED"],
      [new AzureSASCredential(key), "KEY_CREDENTIAL_REFUSED"],
      [{ getToken: () => Promise.resolve(null) }, "CLIENT_OPTION_NOT_ALLOWED"],
    ] as const) {
      let error: unknown;
      try {
        factory.createSmsClient({ credential } as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BaselineViolationError);
      expect((error as BaselineViolationError).code).toBe(code);
      expect(inspect(error)).not.toContain(key);
    }
    await factory.close();
  });

  it("INSECURE_ENDPOINT (DP-3): not https", () => {
    expectRefusal(
      (s, audit) => new AcsClientFactory(base({ endpoint: `http://user:${s}@contoso.communication.azure.com`, audit })),
      "INSECURE_ENDPOINT",
      "DP-3",
    );
    expectRefusal(
      (s, audit) => new AcsClientFactory(base({ endpoint: `ftp://contoso.communication.azure.com/${s}`, audit })),
      "INSECURE_ENDPOINT",
      "DP-3",
    );
  });

  it("ENDPOINT_NOT_ALLOWED (DP-3): host, look-alikes, user-info, query, fragment, path", () => {
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(base({ endpoint: `https://contoso.communication.azure.com/?code=${s}`, audit })),
      "ENDPOINT_NOT_ALLOWED",
      "DP-3",
    );
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(base({ endpoint: `https://admin:${s}@contoso.communication.azure.com`, audit })),
      "ENDPOINT_NOT_ALLOWED",
      "DP-3",
    );
    expectRefusal(
      (s, audit) => new AcsClientFactory(base({ endpoint: `https://contoso.communication.azure.com/${s}`, audit })),
      "ENDPOINT_NOT_ALLOWED",
      "DP-3",
    );
    expectRefusal(
      (s, audit) => new AcsClientFactory(base({ endpoint: `https://${s.toLowerCase()}.evil.example`, audit })),
      "ENDPOINT_NOT_ALLOWED",
      "DP-3",
    );
  });

  it("AUTHORITY_NOT_ALLOWED (IM-1): an authority that is not https, not a Microsoft login host and not allow-listed", () => {
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(
          base({ authorityHost: `https://${s.toLowerCase()}.evil.example`, clientSecret: s, audit }),
        ),
      "AUTHORITY_NOT_ALLOWED",
      "IM-1",
    );
    expectRefusal(
      (s, audit) => new AcsClientFactory(base({ authorityHost: `http://login.microsoftonline.com/${s}`, audit })),
      "AUTHORITY_NOT_ALLOWED",
      "IM-1",
    );
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(
          base({ authorityHost: `https://login.microsoftonline.com@${s.toLowerCase()}.example`, audit }),
        ),
      "AUTHORITY_NOT_ALLOWED",
      "IM-1",
    );
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(
          base({
            authorityHost: `https://adfs.contoso.example/?${s}`,
            allowedAuthorityHosts: ["adfs.contoso.example"],
            audit,
          }),
        ),
      "AUTHORITY_NOT_ALLOWED",
      "IM-1",
    );
  });

  it("CREDENTIAL_NOT_CONFIGURED (IM-3): nothing, a missing id, or an ambiguous mix", () => {
    expectRefusal(
      (_s, audit) => new AcsClientFactory(base({ certificate: undefined, audit })),
      "CREDENTIAL_NOT_CONFIGURED",
      "IM-3",
    );
    expectRefusal(
      (s, audit) => new AcsClientFactory(base({ clientId: undefined, certificate: undefined, clientSecret: s, audit })),
      "CREDENTIAL_NOT_CONFIGURED",
      "IM-3",
    );
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(base({ clientSecret: s, credential: { getToken: () => Promise.resolve(null) }, audit })),
      "CREDENTIAL_NOT_CONFIGURED",
      "IM-3",
    );
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(
          base({ certificate: { path: app.certificatePath, pem: app.pem, password: s } as never, audit }),
        ),
      "CREDENTIAL_NOT_CONFIGURED",
      "IM-3",
    );
  });

  it("SECRET_FALLBACK_DISABLED (IM-3): only a secret and allowSecretFallback false", () => {
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(base({ certificate: undefined, clientSecret: s, allowSecretFallback: false, audit })),
      "SECRET_FALLBACK_DISABLED",
      "IM-3",
    );
  });

  it("CERTIFICATE_INVALID (IM-3): missing file, not PEM, wrong password — never a fallback to the secret", () => {
    expectRefusal(
      (s, audit) =>
        new AcsClientFactory(base({ certificate: { path: join(dir, "missing.pem") }, clientSecret: s, audit })),
      "CERTIFICATE_INVALID",
      "IM-3",
    );
    expectRefusal(
      (s, audit) => new AcsClientFactory(base({ certificate: { pem: `not a pem ${s}` }, audit })),
      "CERTIFICATE_INVALID",
      "IM-3",
    );
    expectRefusal(
      (s, audit) => new AcsClientFactory(base({ certificate: { pem: encrypted.pem, password: s }, audit })),
      "CERTIFICATE_INVALID",
      "IM-3",
    );
    expectRefusal(
      (s, audit) => new AcsClientFactory(base({ certificate: { pem: encrypted.pem }, clientSecret: s, audit })),
      "CERTIFICATE_INVALID",
      "IM-3",
    );
  });

  it("CERTIFICATE_EXPIRED (IM-3): outside the validity window", () => {
    expectRefusal(
      (s, audit) => new AcsClientFactory(base({ certificate: { pem: expired.pem }, clientSecret: s, audit })),
      "CERTIFICATE_EXPIRED",
      "IM-3",
    );
  });

  it("KEY_AUTH_BLOCKED (IM-1): a forged HMAC-SHA256 Authorization never reaches the wire", async () => {
    const secret = canary();
    const file = join(dir, "blocked.log");
    const forge: PipelinePolicy = {
      name: "forge",
      sendRequest: (request, next) => {
        request.headers.set("authorization", `HMAC-SHA256 SignedHeaders=host&Signature=${secret}`);
        return next(request);
      },
    };
    const factory = new AcsClientFactory(
      emulatorFactoryOptions(emu, app, {
        clientOptions: {
          tlsOptions: { ca: emu.caCertificatePem },
          additionalPolicies: [{ policy: forge, position: "perRetry" }],
        },
        audit: { destination: file },
      }),
    );
    const acsBefore = emu.stats.acsRequests;
    const error = await factory
      .createSmsClient()
      .send({ from: "+14255550100", to: ["+14255550123"], message: "never sent" })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await factory.close();
    expect(error).toBeInstanceOf(BaselineViolationError);
    expect(error).toMatchObject({ code: "KEY_AUTH_BLOCKED", control: "IM-1" });
    expect(emu.stats.acsRequests).toBe(acsBefore);
    const e = error as BaselineViolationError;
    for (const text of [e.message, e.stack ?? "", inspect(e), JSON.stringify(e), readFileSync(file, "utf8")])
      expect(text).not.toContain(secret);
    expect(readFileSync(file, "utf8")).toContain('"KEY_AUTH_BLOCKED"');
  });
});

describe("precedence: the most dangerous mistake is reported", () => {
  const CS = "endpoint=https://x.communication.azure.com/;accesskey=a2V5";
  const cases: [string, Partial<AcsClientFactoryOptions>, BaselineViolationCode][] = [
    [
      "connection string beats key credential and http",
      { clientSecret: CS, credential: new AzureKeyCredential("k") as never, endpoint: "http://x" },
      "CONNECTION_STRING_REFUSED",
    ],
    [
      "key credential beats http",
      { credential: new AzureKeyCredential("k") as never, endpoint: "http://contoso.communication.azure.com" },
      "KEY_CREDENTIAL_REFUSED",
    ],
    ["http beats a bad host", { endpoint: "http://evil.example" }, "INSECURE_ENDPOINT"],
    [
      "endpoint shape beats a foreign authority",
      { endpoint: "https://evil.example", authorityHost: "https://evil.example" },
      "ENDPOINT_NOT_ALLOWED",
    ],
    [
      "a foreign authority beats missing credentials",
      { authorityHost: "https://evil.example", certificate: undefined },
      "AUTHORITY_NOT_ALLOWED",
    ],
    [
      "endpoint shape beats missing credentials",
      { endpoint: "https://evil.example", certificate: undefined },
      "ENDPOINT_NOT_ALLOWED",
    ],
    [
      "credential configuration beats a broken certificate",
      { clientId: undefined, certificate: { pem: "garbage" } },
      "CREDENTIAL_NOT_CONFIGURED",
    ],
    [
      "secret fallback disabled beats nothing else",
      { certificate: undefined, clientSecret: "s", allowSecretFallback: false },
      "SECRET_FALLBACK_DISABLED",
    ],
  ];
  it.each(cases)("%s", (_name, extra, code) => {
    expect(() => new AcsClientFactory(base(extra))).toThrow(expect.objectContaining({ code }));
  });
});

describe("fromEnvironment", () => {
  it("reads the documented variables; a certificate wins over a secret (unlike EnvironmentCredential)", () => {
    const file = join(dir, "env.log");
    const factory = AcsClientFactory.fromEnvironment(
      { audit: { destination: file } },
      {
        AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com",
        AZURE_TENANT_ID: TENANT,
        AZURE_CLIENT_ID: CLIENT,
        AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath,
        AZURE_CLIENT_SECRET: "Env-Secret-Value-123",
        ACS_CONNECTION_STRING: "endpoint=https://contoso.communication.azure.com/;accesskey=RW52S2V5VmFsdWU=",
      },
    );
    expect(factory.credentialType).toBe("certificate");
    const log = readFileSync(file, "utf8");
    expect(log).not.toContain("Env-Secret-Value-123");
    expect(log).not.toContain("RW52S2V5VmFsdWU=");
    const records = readJsonLines<{ level: string; event: { action: string; reason?: string }; variables?: string[] }>(
      file,
    );
    expect(
      records.some(
        (r) => r.event.action === "config.warning" && r.level === "warn" && /ignored/.test(r.event.reason ?? ""),
      ),
    ).toBe(true);
    expect(JSON.stringify(records)).toContain("ACS_CONNECTION_STRING");
  });

  it("refuses a connection string in AZURE_COMMUNICATION_ENDPOINT", () => {
    expect(() =>
      AcsClientFactory.fromEnvironment(
        {},
        {
          AZURE_COMMUNICATION_ENDPOINT: "endpoint=https://contoso.communication.azure.com/;accesskey=a2V5",
          AZURE_TENANT_ID: TENANT,
          AZURE_CLIENT_ID: CLIENT,
        },
      ),
    ).toThrow(expect.objectContaining({ code: "CONNECTION_STRING_REFUSED" }));
  });
});
