// Workload identity federation (issue 16 item 5): with AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID,
// fromEnvironment builds @azure/identity's WorkloadIdentityCredential, audited as "workload-identity", and the
// emulator's token endpoint verifies the federated token for real (issuer keys, iss, sub, aud, exp).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { WorkloadIdentityCredential } from "@azure/identity";
import { beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory, BaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestWorkloadIdentity } from "../../packages/emulator/src/index.js";
import { ACS_SCOPE } from "../../packages/emulator/src/index.js";
import { readJsonLines } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
const dir = tempDir("acs-wi-");
let wi: TestWorkloadIdentity;

useEmulator({ application: false, onStarted: (started) => ({ emu } = started) });
beforeAll(async () => {
  wi = await emu.createTestWorkloadIdentity({ directory: dir });
});

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  AZURE_COMMUNICATION_ENDPOINT: emu.endpoint,
  AZURE_TENANT_ID: emu.tenantId,
  AZURE_CLIENT_ID: wi.clientId,
  AZURE_FEDERATED_TOKEN_FILE: wi.tokenFilePath,
  AZURE_AUTHORITY_HOST: emu.authorityHost,
  AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: "localhost",
  ...extra,
});
const overrides = () => ({
  allowedHosts: ["127.0.0.1"],
  clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
});
const records = (file: string) =>
  readJsonLines<{
    level: string;
    principal?: { credentialType?: string; clientId?: string };
    event: { action: string; outcome: string; reason?: string };
  }>(file);

describe("workload identity from the environment", () => {
  it("AZURE_FEDERATED_TOKEN_FILE alone gives a workload-identity credential that sends SMS, audited as workload-identity", async () => {
    const audit = join(dir, "wi.log");
    const factory = AcsClientFactory.fromEnvironment({ ...overrides(), audit: { destination: audit } }, env());
    expect(factory.credentialType).toBe("workload-identity");
    const before = emu.requests.length;
    const [sent] = await factory
      .createSmsClient()
      .send({ from: "+14255550100", to: ["+14255550123"], message: "via workload identity" });
    expect(sent?.successful).toBe(true);
    await factory.close();
    const tokenRequest = emu.requests.slice(before).find((r) => r.side === "entra" && r.path.endsWith("/token"));
    expect(tokenRequest).toMatchObject({ status: 200, clientId: wi.clientId, federatedSubject: wi.subject });
    expect(tokenRequest?.certificateThumbprint).toBeUndefined();
    const lines = records(audit);
    expect(lines[0]).toMatchObject({
      principal: { credentialType: "workload-identity", clientId: wi.clientId },
      event: { action: "credential.resolve", outcome: "success" },
    });
    expect(lines.some((l) => l.event.action === "token.acquire" && l.event.outcome === "success")).toBe(true);
    // The federated token is a credential: never in the audit log or the factory's representations.
    const token = readFileSync(wi.tokenFilePath, "utf8");
    for (const text of [
      readFileSync(audit, "utf8"),
      inspect(factory, { showHidden: true, depth: 5 }),
      JSON.stringify(factory),
    ]) {
      expect(text).not.toContain(token.split(".")[2]);
    }
  });

  it("baseline order: a certificate wins over the token file (with a warning); the token file wins over a secret (secret ignored, with a warning)", async () => {
    const app = await emu.createTestApplication({ directory: dir });
    let audit = join(dir, "order-cert.log");
    let factory = AcsClientFactory.fromEnvironment(
      { ...overrides(), audit: { destination: audit } },
      env({ AZURE_CLIENT_ID: app.clientId, AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath }),
    );
    expect(factory.credentialType).toBe("certificate");
    await factory.close();
    expect(
      records(audit).some(
        (l) => l.event.action === "config.warning" && /federated token file .* ignored/.test(l.event.reason ?? ""),
      ),
    ).toBe(true);

    audit = join(dir, "order-secret.log");
    factory = AcsClientFactory.fromEnvironment(
      { ...overrides(), audit: { destination: audit } },
      env({ AZURE_CLIENT_SECRET: "Secret-Canary-wi-1234567890" }),
    );
    expect(factory.credentialType).toBe("workload-identity");
    expect((await factory.credential.getToken(ACS_SCOPE))?.token).toBeTruthy();
    await factory.close();
    const log = readFileSync(audit, "utf8");
    expect(log).not.toContain("Secret-Canary-wi");
    expect(
      records(audit).some(
        (l) => l.event.action === "config.warning" && /client secret .* ignored/.test(l.event.reason ?? ""),
      ),
    ).toBe(true);
    // allowSecretFallback: false does not stop workload identity: no secret is used.
    factory = AcsClientFactory.fromEnvironment({ ...overrides(), allowSecretFallback: false }, env());
    expect(factory.credentialType).toBe("workload-identity");
    await factory.close();
  });

  it.each([
    ["a missing token file", () => join(dir, "nope.token")],
    [
      "an empty token file",
      () => {
        const p = join(dir, "empty.token");
        writeFileSync(p, "  \n");
        return p;
      },
    ],
    ["a directory", () => dir],
  ])("refuses %s at construction with CREDENTIAL_NOT_CONFIGURED", (_name, path) => {
    const error = (() => {
      try {
        AcsClientFactory.fromEnvironment(overrides(), env({ AZURE_FEDERATED_TOKEN_FILE: path() }));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(BaselineViolationError);
    expect((error as BaselineViolationError).code).toBe("CREDENTIAL_NOT_CONFIGURED");
  });

  it("needs tenant and client id", () => {
    for (const missing of ["AZURE_TENANT_ID", "AZURE_CLIENT_ID"]) {
      expect(() => AcsClientFactory.fromEnvironment(overrides(), env({ [missing]: undefined }))).toThrow(
        /CREDENTIAL_NOT_CONFIGURED/,
      );
    }
  });
});

describe("the emulator verifies federated assertions for real", () => {
  // A fresh upstream credential per case (WorkloadIdentityCredential caches the file for five minutes).
  const tokenFrom = async (jwt: string, clientId = wi.clientId) => {
    const file = join(dir, `case-${Math.random().toString(36).slice(2)}.token`);
    writeFileSync(file, jwt, { mode: 0o600 });
    const credential = new WorkloadIdentityCredential({
      tenantId: emu.tenantId,
      clientId,
      tokenFilePath: file,
      authorityHost: emu.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: emu.caCertificatePem },
      retryOptions: { maxRetries: 0 },
    });
    const before = emu.requests.length;
    const outcome = await credential.getToken(ACS_SCOPE).then(
      () => "issued",
      (e: { message?: string; errorResponse?: { errorDescription?: string } }) =>
        /AADSTS\d+/.exec(`${e.errorResponse?.errorDescription ?? ""} ${e.message ?? ""}`)?.[0] ??
        `failed: ${e.message}`,
    );
    return { outcome, logged: emu.requests.slice(before).find((r) => r.path.endsWith("/token")) };
  };

  it("accepts the registered issuer, subject and audience", async () => {
    expect((await tokenFrom(await wi.oidcIssuer.signToken({ subject: wi.subject }))).outcome).toBe("issued");
  });

  it.each([
    [
      "an issuer not on the application",
      async () => (await emu.createTestOidcIssuer()).signToken({ subject: wi.subject }),
      "AADSTS700211",
    ],
    [
      "another subject",
      () => wi.oidcIssuer.signToken({ subject: "system:serviceaccount:default:other" }),
      "AADSTS700213",
    ],
    [
      "another audience",
      () => wi.oidcIssuer.signToken({ subject: wi.subject, audience: "api://something-else" }),
      "AADSTS700212",
    ],
    [
      "an expired token",
      () => wi.oidcIssuer.signToken({ subject: wi.subject, expiresInSeconds: -3600 }),
      "AADSTS700024",
    ],
    // Signed by another issuer's key but claiming the trusted issuer: only the signature check can catch it.
    [
      "a forged issuer claim",
      async () => (await emu.createTestOidcIssuer()).signToken({ subject: wi.subject, issuer: wi.oidcIssuer.issuer }),
      "AADSTS700027",
    ],
    [
      "a tampered payload",
      async () => {
        const [h, , sig] = (await wi.oidcIssuer.signToken({ subject: "system:serviceaccount:default:other" })).split(
          ".",
        );
        const payload = Buffer.from(
          JSON.stringify({
            iss: wi.oidcIssuer.issuer,
            sub: wi.subject,
            aud: "api://AzureADTokenExchange",
            exp: Math.floor(Date.now() / 1000) + 600,
          }),
        ).toString("base64url");
        return `${h}.${payload}.${sig}`;
      },
      "AADSTS700027",
    ],
  ])("refuses %s", async (_name, make, code) => {
    const { outcome, logged } = await tokenFrom(await make());
    expect(outcome).toBe(code);
    expect(logged).toMatchObject({ status: 401, error: "invalid_client" });
  });

  it("refuses a valid federated token presented for another application", async () => {
    const other = await emu.createTestWorkloadIdentity({ directory: dir });
    expect((await tokenFrom(await wi.oidcIssuer.signToken({ subject: wi.subject }), other.clientId)).outcome).toBe(
      "AADSTS700211",
    );
  });
});

describe("workload identity token requests go through the factory's credential transport", () => {
  it("NODE_TLS_REJECT_UNAUTHORIZED=0 set after construction stops the federated assertion at the wire (nothing reaches Entra), refusal recorded", async () => {
    const audit = join(dir, "wi-transport.log");
    const factory = AcsClientFactory.fromEnvironment({ ...overrides(), audit: { destination: audit } }, env());
    const before = emu.stats.tokenRequests;
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    try {
      await expect(factory.credential.getToken(ACS_SCOPE)).rejects.toBeDefined();
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    }
    expect(emu.stats.tokenRequests).toBe(before);
    await factory.close();
    expect(readFileSync(audit, "utf8")).toMatch(/"error":\{"code":"TLS_VERIFICATION_DISABLED"\}.*"action":"refuse"/);
  });
});
