// Issue 22 item 1: every variable that decides where a credential goes is read once, at construction. The attack:
// code elsewhere in the process plants AZURE_AUTHORITY_HOST (a rogue Entra), a regional authority, other managed-
// identity endpoints or AKS workload-identity variables after the factory was built. The token must still come from
// the authority or identity endpoint checked at construction, and the rogue must see nothing. Real credentials, real
// emulators (the rogue is a second one); this file runs in its own process (vitest forks), so process.env is its own.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type {
  Emulator,
  TestApplication,
  TestManagedIdentity,
  TestWorkloadIdentity,
} from "../../packages/emulator/src/index.js";
import { ACS_SCOPE, emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { secretFactoryOptions } from "../support/secretFactoryOptions.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

const dir = tempDir("acs-env-once-");
const main = useEmulator({ application: { directory: dir } });
const rogueSide = useEmulator({ application: false });
let emu: Emulator;
let app: TestApplication;
let secretApp: TestApplication;
let rogue: Emulator;
let wi: TestWorkloadIdentity;
let mi: TestManagedIdentity;
const secret = `Env-Once-${randomBytes(12).toString("base64url")}`;

beforeAll(async () => {
  ({ emu, app } = main);
  rogue = rogueSide.emu;
  secretApp = await emu.createTestApplication({ directory: dir });
  emu.registerApplication({ clientId: secretApp.clientId, secret });
  wi = await emu.createTestWorkloadIdentity({ directory: dir });
  mi = await emu.createManagedIdentityEndpoint();
});

const PLANTED = [
  "AZURE_AUTHORITY_HOST",
  "AZURE_REGIONAL_AUTHORITY_NAME",
  "MSAL_FORCE_REGION",
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "AZURE_FEDERATED_TOKEN_FILE",
  "IDENTITY_ENDPOINT",
  "IDENTITY_HEADER",
  "AZURE_POD_IDENTITY_AUTHORITY_HOST",
  "IMDS_ENDPOINT",
  "AZURE_KUBERNETES_TOKEN_PROXY",
];
afterEach(() => {
  for (const name of PLANTED) delete process.env[name];
});

const rogueHits = () => rogue.requests.filter((r) => r.side === "entra").length;

/** What the attacker plants: a rogue authority (allowed nowhere), and every other variable that moves a token. */
function plant(): void {
  Object.assign(process.env, {
    AZURE_AUTHORITY_HOST: rogue.authorityHost,
    AZURE_CLIENT_ID: "00000000-0000-4000-8000-000000000000",
    AZURE_TENANT_ID: rogue.tenantId,
    AZURE_FEDERATED_TOKEN_FILE: wi.tokenFilePath,
    IDENTITY_ENDPOINT: "http://127.0.0.1:9/msi/token",
    IDENTITY_HEADER: "planted",
    AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:9",
    AZURE_KUBERNETES_TOKEN_PROXY: rogue.authorityHost,
  });
}

const tokenAfterPlanting = async (factory: AcsClientFactory) => {
  plant();
  const before = rogueHits();
  try {
    const token = await factory.credential.getToken(ACS_SCOPE);
    expect(token?.token).toBeTruthy();
  } finally {
    await factory.close();
  }
  expect(rogueHits()).toBe(before);
};

describe("a variable planted after construction changes nothing", () => {
  it("certificate", async () => {
    await tokenAfterPlanting(new AcsClientFactory(emulatorFactoryOptions(emu, app)));
  });

  it("client secret", async () => {
    await tokenAfterPlanting(new AcsClientFactory(secretFactoryOptions(emu, secretApp, secret)));
  });

  it("workload identity", async () => {
    const { certificate: _c, ...options } = emulatorFactoryOptions(emu, app);
    await tokenAfterPlanting(
      new AcsClientFactory({
        ...options,
        clientId: wi.clientId,
        workloadIdentity: { tokenFilePath: wi.tokenFilePath },
      }),
    );
  });

  it("managed identity on App Service (IDENTITY_ENDPOINT and IDENTITY_HEADER replaced)", async () => {
    Object.assign(process.env, mi.env);
    const factory = new AcsClientFactory({ ...miOptions(), managedIdentity: {} });
    delete process.env.IDENTITY_ENDPOINT;
    const before = mi.tokenRequests;
    await tokenAfterPlanting(factory);
    expect(mi.tokenRequests).toBe(before + 1);
  });

  it("managed identity on IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST read at construction)", async () => {
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = new URL(mi.identityEndpoint).origin;
    const factory = new AcsClientFactory({ ...miOptions(), managedIdentity: {} });
    expect(factory.credentialType).toBe("managed-identity");
    const before = mi.tokenRequests;
    await tokenAfterPlanting(factory);
    expect(mi.tokenRequests).toBe(before + 1);
  });

  it("managed identity on AKS: the workload-identity variables give the factory's own WorkloadIdentityCredential (pinned authority), audited as workload-identity", async () => {
    Object.assign(process.env, {
      AZURE_CLIENT_ID: wi.clientId,
      AZURE_TENANT_ID: emu.tenantId,
      AZURE_FEDERATED_TOKEN_FILE: wi.tokenFilePath,
    });
    const { certificate: _c, clientId: _id, tenantId: _t, ...options } = emulatorFactoryOptions(emu, app);
    const audit = `${dir}/aks.log`;
    const factory = new AcsClientFactory({ ...options, managedIdentity: {}, audit: { destination: audit } });
    expect(factory.credentialType).toBe("workload-identity");
    await tokenAfterPlanting(factory);
    const log = readFileSync(audit, "utf8");
    expect(log).toContain('"credentialType":"workload-identity"');
    expect(log).toMatch(/AKS workload-identity variables/);
  });

  it("control: the rogue counter sees a token request when the rogue authority is configured at construction", async () => {
    const options = emulatorFactoryOptions(rogue, app);
    const factory = new AcsClientFactory({ ...options, clientOptions: { tlsOptions: { ca: rogue.caCertificatePem } } });
    const before = rogueHits();
    await factory.credential.getToken(ACS_SCOPE).catch(() => undefined);
    await factory.close();
    expect(rogueHits()).toBeGreaterThan(before);
  });
});

describe("the regional-authority variables, which upstream reads at every getToken", () => {
  it.each(["AZURE_REGIONAL_AUTHORITY_NAME", "MSAL_FORCE_REGION"])(
    "%s planted after construction: refused before upstream sees it (AUTHORITY_NOT_ALLOWED, recorded), nothing is sent; removed, the same factory gets tokens again",
    async (name) => {
      const audit = `${dir}/regional-${name}.log`;
      const factory = new AcsClientFactory({
        ...secretFactoryOptions(emu, secretApp, secret),
        audit: { destination: audit },
      });
      process.env[name] = "westus";
      const entraRequests = () => emu.requests.filter((r) => r.side === "entra").length;
      const tokenRequests = () => emu.requests.filter((r) => r.side === "entra" && r.path.endsWith("/token")).length;
      const before = entraRequests();
      await expect(factory.credential.getToken(ACS_SCOPE)).rejects.toThrow(
        new RegExp(`AUTHORITY_NOT_ALLOWED.*${name} is set`),
      );
      expect(entraRequests()).toBe(before); // not even the OpenID metadata
      delete process.env[name];
      // Upstream reads it per getToken: gone, the same credential works (MSAL never cached a regional endpoint).
      const tokensBefore = tokenRequests();
      expect((await factory.credential.getToken(ACS_SCOPE))?.token).toBeTruthy();
      expect(tokenRequests()).toBe(tokensBefore + 1);
      await factory.close();
      const log = readFileSync(audit, "utf8");
      expect(log).toMatch(
        /"action":"refuse".*"code":"AUTHORITY_NOT_ALLOWED"|"code":"AUTHORITY_NOT_ALLOWED".*"action":"refuse"/,
      );
      expect(log).not.toContain(secret);
    },
  );

  it("certificate and workload identity too: refused with nothing sent, and a cached token is still served", async () => {
    const { certificate: _c, ...options } = emulatorFactoryOptions(emu, app);
    for (const factory of [
      new AcsClientFactory(emulatorFactoryOptions(emu, app)),
      new AcsClientFactory({
        ...options,
        clientId: wi.clientId,
        workloadIdentity: { tokenFilePath: wi.tokenFilePath },
      }),
    ]) {
      const cached = await factory.credential.getToken(ACS_SCOPE);
      process.env.MSAL_FORCE_REGION = "westus";
      const before = emu.requests.filter((r) => r.side === "entra").length;
      expect((await factory.credential.getToken(ACS_SCOPE))?.token).toBe(cached?.token); // from the factory's cache
      await expect(factory.credential.getToken("https://storage.azure.com/.default")).rejects.toThrow(
        /AUTHORITY_NOT_ALLOWED/,
      );
      expect(emu.requests.filter((r) => r.side === "entra").length).toBe(before);
      delete process.env.MSAL_FORCE_REGION;
      expect((await factory.credential.getToken("https://storage.azure.com/.default"))?.token).toBeTruthy();
      await factory.close();
    }
  });
});

describe("variables that move a token are validated at construction", () => {
  it("a regional authority (AZURE_REGIONAL_AUTHORITY_NAME, MSAL_FORCE_REGION) is refused: AUTHORITY_NOT_ALLOWED", () => {
    for (const name of ["AZURE_REGIONAL_AUTHORITY_NAME", "MSAL_FORCE_REGION"]) {
      process.env[name] = "westus";
      expect(() => new AcsClientFactory(emulatorFactoryOptions(emu, app))).toThrow(
        new RegExp(`AUTHORITY_NOT_ALLOWED.*${name}`),
      );
      delete process.env[name];
    }
    expect(() => new AcsClientFactory(emulatorFactoryOptions(emu, app))).not.toThrow();
  });

  it("a managed-identity endpoint over plain http to another host, or a source the factory does not build, is refused", () => {
    Object.assign(process.env, { IDENTITY_ENDPOINT: "http://evil.example:8080/msi/token", IDENTITY_HEADER: "h" });
    expect(() => new AcsClientFactory({ ...miOptions(), managedIdentity: {} })).toThrow(
      /CREDENTIAL_NOT_CONFIGURED.*IDENTITY_ENDPOINT/,
    );
    Object.assign(process.env, {
      IDENTITY_ENDPOINT: "http://127.0.0.1:40342",
      IMDS_ENDPOINT: "http://127.0.0.1:40342",
    });
    expect(() => new AcsClientFactory({ ...miOptions(), managedIdentity: {} })).toThrow(
      /CREDENTIAL_NOT_CONFIGURED.*Azure Arc/,
    );
    delete process.env.IMDS_ENDPOINT;
    Object.assign(process.env, mi.env);
    expect(() => new AcsClientFactory({ ...miOptions(), managedIdentity: {} })).not.toThrow();
  });
});

function miOptions() {
  return {
    endpoint: emu.endpoint,
    allowedHosts: ["127.0.0.1"],
    clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
  };
}
