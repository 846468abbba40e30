// Managed identity as an explicit opt-in (issue 16 item 5): managedIdentity: { clientId? } or
// AZURE_COMMUNICATION_USE_MANAGED_IDENTITY=true gives @azure/identity's ManagedIdentityCredential, audited as
// "managed-identity", tested for real against the emulator's App Service style endpoint (IDENTITY_ENDPOINT +
// IDENTITY_HEADER, which MSAL reads from process.env: this file runs in its own process, see vitest.config.ts).
import { readFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory, BaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestManagedIdentity } from "../../packages/emulator/src/index.js";
import { ACS_SCOPE } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let mi: TestManagedIdentity;
const dir = tempDir("acs-mi-");

const setEnv = (values: Record<string, string>) => Object.assign(process.env, values);
const clearEnv = () => {
  delete process.env.IDENTITY_ENDPOINT;
  delete process.env.IDENTITY_HEADER;
};

useEmulator({ application: false, onStarted: (started) => ({ emu } = started) });
beforeAll(async () => {
  mi = await emu.createManagedIdentityEndpoint({
    userAssignedClientIds: [
      "6a1e1b1c-1111-4111-8111-111111111111",
      "6a1e1b1c-2222-4222-8222-222222222222",
      "6a1e1b1c-3333-4333-8333-333333333333",
      "6a1e1b1c-4444-4444-8444-444444444444",
    ],
  });
});
afterEach(clearEnv);

// fromEnvironment reads the managed-identity source from the environment it is given, so the endpoint's variables
// go there too (setEnv puts them in process.env for factories built with the constructor).
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  AZURE_COMMUNICATION_ENDPOINT: emu.endpoint,
  AZURE_COMMUNICATION_USE_MANAGED_IDENTITY: "true",
  ...mi.env,
  ...extra,
});
const overrides = () => ({
  allowedHosts: ["127.0.0.1"],
  clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
});
const acsClientIds = (since: number) =>
  emu.requests
    .slice(since)
    .filter((r) => r.side === "acs")
    .map((r) => r.clientId);

describe("managed identity token requests go through the factory's credential transport", () => {
  it("the guard at the wire sees them: NODE_TLS_REJECT_UNAUTHORIZED=0 set after construction stops the token request (nothing reaches the endpoint)", async () => {
    setEnv(mi.env);
    // First in the file: MSAL's managed identity token cache is process-wide, so no earlier token may be cached.
    const audit = join(dir, "mi-transport.log");
    const factory = AcsClientFactory.fromEnvironment(
      { ...overrides(), audit: { destination: audit } },
      env({ AZURE_CLIENT_ID: "6a1e1b1c-4444-4444-8444-444444444444" }),
    );
    const before = mi.tokenRequests;
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    try {
      // MSAL wraps the refusal into CredentialUnavailableError (network_error); the refuse record keeps the code.
      const got = await factory.credential.getToken(ACS_SCOPE).then(
        () => "token",
        (e: unknown) => String(e),
      );
      expect(got).not.toBe("token");
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    }
    expect(mi.tokenRequests).toBe(before);
    // The local http endpoint itself is allowed (App Service / IMDS speak http on the host): a token comes back.
    expect(await factory.credential.getToken(ACS_SCOPE)).toMatchObject({ token: expect.any(String) });
    expect(mi.tokenRequests).toBe(before + 1);
    await factory.close();
    expect(readFileSync(audit, "utf8")).toMatch(/"error":\{"code":"TLS_VERIFICATION_DISABLED"\}.*"action":"refuse"/);
  });
});

describe("managed identity (explicit opt-in)", () => {
  it("AZURE_COMMUNICATION_USE_MANAGED_IDENTITY=true: system-assigned identity sends SMS through the App Service endpoint, audited as managed-identity", async () => {
    setEnv(mi.env);
    const audit = join(dir, "system.log");
    const factory = AcsClientFactory.fromEnvironment({ ...overrides(), audit: { destination: audit } }, env());
    expect(factory.credentialType).toBe("managed-identity");
    const before = emu.requests.length;
    const requestsBefore = mi.tokenRequests;
    const [sent] = await factory
      .createSmsClient()
      .send({ from: "+14255550100", to: ["+14255550123"], message: "via managed identity" });
    expect(sent?.successful).toBe(true);
    await factory.close();
    expect(mi.tokenRequests).toBe(requestsBefore + 1);
    expect(acsClientIds(before)).toEqual([mi.systemAssignedClientId]);
    const log = readFileSync(audit, "utf8");
    expect(log).toContain('"credentialType":"managed-identity"');
    expect(log).not.toContain(mi.identityHeader);
  });

  it("AZURE_CLIENT_ID selects a user-assigned identity; so does managedIdentity: { clientId } in code", async () => {
    setEnv(mi.env);
    let before = emu.requests.length;
    let factory = AcsClientFactory.fromEnvironment(overrides(), env({ AZURE_CLIENT_ID: mi.userAssignedClientIds[0] }));
    expect(
      (
        await factory.createSmsClient().send({ from: "+14255550100", to: ["+14255550123"], message: "user-assigned" })
      )[0]?.successful,
    ).toBe(true);
    expect(acsClientIds(before)).toEqual([mi.userAssignedClientIds[0]]);
    await factory.close();

    before = emu.requests.length;
    factory = new AcsClientFactory({
      endpoint: emu.endpoint,
      managedIdentity: { clientId: mi.userAssignedClientIds[1] },
      ...overrides(),
    });
    expect(factory.credentialType).toBe("managed-identity");
    expect(factory.toJSON()).toMatchObject({
      credentialType: "managed-identity",
      clientId: mi.userAssignedClientIds[1],
    });
    expect(
      (await factory.createSmsClient().send({ from: "+14255550100", to: ["+14255550123"], message: "in code" }))[0]
        ?.successful,
    ).toBe(true);
    expect(acsClientIds(before)).toEqual([mi.userAssignedClientIds[1]]);
    await factory.close();
  });

  it("the emulator's endpoint checks the secret header, the API version, the resource and the identity", async () => {
    const get = (query: string, headerValue?: string) =>
      new Promise<number>((resolve, reject) => {
        httpGet(
          `${mi.identityEndpoint}?${query}`,
          { headers: headerValue === undefined ? {} : { "X-IDENTITY-HEADER": headerValue } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        ).on("error", reject);
      });
    const ok = "api-version=2019-08-01&resource=https%3A%2F%2Fcommunication.azure.com%2F";
    expect(await get(ok, mi.identityHeader)).toBe(200);
    expect(await get(ok, "not-the-header")).toBe(401);
    expect(await get(ok)).toBe(401);
    expect(
      await get("api-version=2017-09-01&resource=https%3A%2F%2Fcommunication.azure.com%2F", mi.identityHeader),
    ).toBe(400);
    expect(await get("api-version=2019-08-01&resource=https%3A%2F%2Fmanagement.azure.com%2F", mi.identityHeader)).toBe(
      400,
    );
    expect(await get(`${ok}&client_id=6a1e1b1c-9999-4999-8999-999999999999`, mi.identityHeader)).toBe(400);
  });

  it("attack: IDENTITY_ENDPOINT and IDENTITY_HEADER replaced after construction change nothing (read once, at construction)", async () => {
    setEnv(mi.env);
    const factory = new AcsClientFactory({
      endpoint: emu.endpoint,
      managedIdentity: { clientId: mi.userAssignedClientIds[2] },
      ...overrides(),
    });
    setEnv({
      IDENTITY_ENDPOINT: "http://127.0.0.1:9/msi/token",
      IDENTITY_HEADER: "not-the-header",
      AZURE_FEDERATED_TOKEN_FILE: "/nonexistent",
      AZURE_TENANT_ID: "t",
    });
    try {
      const before = mi.tokenRequests;
      // Still the endpoint and header read at construction: the request reaches the real endpoint and succeeds.
      expect((await factory.credential.getToken(ACS_SCOPE))?.token).toBeTruthy();
      expect(mi.tokenRequests).toBe(before + 1);
    } finally {
      delete process.env.AZURE_FEDERATED_TOKEN_FILE;
      delete process.env.AZURE_TENANT_ID;
      await factory.close();
    }
  });

  it("is never chosen implicitly: IDENTITY_ENDPOINT alone does not make a credential", () => {
    setEnv(mi.env);
    expect(() => AcsClientFactory.fromEnvironment(overrides(), { AZURE_COMMUNICATION_ENDPOINT: emu.endpoint })).toThrow(
      /CREDENTIAL_NOT_CONFIGURED/,
    );
  });

  it.each([
    [
      "a certificate",
      { AZURE_CLIENT_CERTIFICATE_PATH: "/secrets/app.pem", AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c" },
    ],
    [
      "a federated token file",
      { AZURE_FEDERATED_TOKEN_FILE: "/var/run/token", AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c" },
    ],
    [
      "a client secret",
      { AZURE_CLIENT_SECRET: "Secret-Canary-mi-1234567890", AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c" },
    ],
  ])("opting in next to %s is ambiguous: CREDENTIAL_NOT_CONFIGURED, nothing secret in the message", (_name, extra) => {
    let error: unknown;
    try {
      AcsClientFactory.fromEnvironment(overrides(), env(extra));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BaselineViolationError);
    expect((error as BaselineViolationError).code).toBe("CREDENTIAL_NOT_CONFIGURED");
    expect((error as Error).message).not.toContain("Secret-Canary");
  });

  it("managedIdentity in code replaces the environment's service-principal credential; with `credential` it is ambiguous", () => {
    const factory = AcsClientFactory.fromEnvironment(
      { ...overrides(), managedIdentity: {} },
      { ...env(), AZURE_CLIENT_SECRET: "Secret-Canary-mi-1234567890", AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c" },
    );
    expect(factory.credentialType).toBe("managed-identity");
    void factory.close();
    expect(
      () =>
        new AcsClientFactory({
          endpoint: emu.endpoint,
          managedIdentity: {},
          credential: { getToken: () => Promise.resolve(null) },
          ...overrides(),
        }),
    ).toThrow(/CREDENTIAL_NOT_CONFIGURED/);
    expect(
      () => new AcsClientFactory({ endpoint: emu.endpoint, managedIdentity: { clientId: "" }, ...overrides() }),
    ).toThrow(/CREDENTIAL_NOT_CONFIGURED/);
  });
});
