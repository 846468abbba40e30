// Issue 14 finding 9: fromEnvironment used to send the client secret or assertion to any AZURE_AUTHORITY_HOST. Now the
// authority must be https and a Microsoft cloud login host or explicitly allowed; a second local TLS "authority"
// (another emulator's Entra side, reached as https://127.0.0.1:PORT) counts the requests that reach it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ACS_TOKEN_SCOPE, AcsClientFactory, BaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication, TestWorkloadIdentity } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let rogue: Emulator;
let rogueAuthority: string;
let app: TestApplication;
let wi: TestWorkloadIdentity;
const dir = tempDir("acs-authority-");
const SECRET = `Secret-Canary-${Math.random().toString(36).slice(2)}`;

useEmulator({ application: false, onStarted: (started) => ({ emu } = started) });
useEmulator({ application: false, onStarted: (started) => ({ emu: rogue } = started) });
beforeAll(async () => {
  rogueAuthority = rogue.authorityHost.replace("localhost", "127.0.0.1");
  app = await emu.createTestApplication({ directory: dir });
  emu.registerApplication({ clientId: app.clientId, certificatePem: app.certificatePem, secret: SECRET });
  wi = await emu.createTestWorkloadIdentity({ directory: dir });
});

const rogueHits = () => rogue.requests.filter((r) => r.side === "entra").length;
const base = (): NodeJS.ProcessEnv => ({ AZURE_COMMUNICATION_ENDPOINT: emu.endpoint, AZURE_TENANT_ID: emu.tenantId });
const credentials: [string, () => NodeJS.ProcessEnv][] = [
  ["client secret", () => ({ AZURE_CLIENT_ID: app.clientId, AZURE_CLIENT_SECRET: SECRET })],
  ["certificate", () => ({ AZURE_CLIENT_ID: app.clientId, AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath })],
  ["workload identity", () => ({ AZURE_CLIENT_ID: wi.clientId, AZURE_FEDERATED_TOKEN_FILE: wi.tokenFilePath })],
];
// Both emulators' CAs have the same subject, so trust one at a time: the rogue's wherever a leak could reach it.
const tls = (ca: "emulator" | "rogue" = "rogue") => ({
  allowedHosts: ["127.0.0.1"],
  clientOptions: {
    tlsOptions: { ca: ca === "rogue" ? rogue.caCertificatePem : emu.caCertificatePem },
    retryOptions: { maxRetries: 0 },
  },
});

async function attempt(
  env: NodeJS.ProcessEnv,
  audit?: string,
  ca: "emulator" | "rogue" = "rogue",
): Promise<{ code?: string; token?: boolean }> {
  let factory: AcsClientFactory | undefined;
  try {
    factory = AcsClientFactory.fromEnvironment(
      { ...tls(ca), ...(audit !== undefined ? { audit: { destination: audit } } : {}) },
      env,
    );
    const token = await factory.credential.getToken(ACS_TOKEN_SCOPE).then(
      (t) => t !== null,
      () => false,
    );
    return { token };
  } catch (error) {
    if (!(error instanceof BaselineViolationError)) throw error;
    return { code: error.code };
  } finally {
    await factory?.close();
  }
}

describe("nothing reaches an authority that is not allowed", () => {
  it.each(credentials)(
    "%s: a foreign AZURE_AUTHORITY_HOST is refused (AUTHORITY_NOT_ALLOWED, refuse record) and the rogue authority sees no request",
    async (_name, cred) => {
      const before = rogueHits();
      const audit = join(dir, `rogue-${_name.replace(/\W/g, "-")}.log`);
      // The emulator's own host is allowed; the rogue one (another host) is not.
      const result = await attempt(
        {
          ...base(),
          ...cred(),
          AZURE_AUTHORITY_HOST: rogueAuthority,
          AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: "localhost",
        },
        audit,
      );
      expect(result).toEqual({ code: "AUTHORITY_NOT_ALLOWED" });
      expect(rogueHits()).toBe(before);
      const log = readFileSync(audit, "utf8");
      expect(log).toContain('"code":"AUTHORITY_NOT_ALLOWED"');
      expect(log).not.toContain(SECRET);
    },
  );

  it.each(credentials)("%s: an http authority is refused even when its host is allowed", async (_name, cred) => {
    const before = rogueHits();
    const result = await attempt({
      ...base(),
      ...cred(),
      AZURE_AUTHORITY_HOST: rogueAuthority.replace("https:", "http:"),
      AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: "127.0.0.1",
    });
    expect(result).toEqual({ code: "AUTHORITY_NOT_ALLOWED" });
    expect(rogueHits()).toBe(before);
  });

  it.each(credentials)(
    "%s: the allow-listed emulator authority issues tokens (control: the same set-up works when allowed)",
    async (_name, cred) => {
      expect(
        await attempt(
          {
            ...base(),
            ...cred(),
            AZURE_AUTHORITY_HOST: emu.authorityHost,
            AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: "localhost",
          },
          undefined,
          "emulator",
        ),
      ).toEqual({
        token: true,
      });
    },
  );

  it("control: once the rogue host is allowed explicitly, the counter sees the request (so the counter would catch a leak)", async () => {
    const before = rogueHits();
    const result = await attempt({
      ...base(),
      ...credentials[0][1](),
      AZURE_AUTHORITY_HOST: rogueAuthority,
      AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: "localhost, 127.0.0.1",
    });
    expect(result).toEqual({ token: false }); // the rogue tenant does not know the app
    expect(rogueHits()).toBeGreaterThan(before);
  });

  it("without an allow-list, any non-Microsoft authority is refused, also through the constructor", () => {
    const options = emulatorFactoryOptions(emu, app);
    delete options.allowedAuthorityHosts;
    expect(() => new AcsClientFactory(options)).toThrow(/AUTHORITY_NOT_ALLOWED/);
    expect(
      () =>
        new AcsClientFactory({
          ...options,
          authorityHost: "https://login.microsoftonline.com.evil.example",
          allowedAuthorityHosts: ["localhost"],
        }),
    ).toThrow(/AUTHORITY_NOT_ALLOWED/);
    expect(new AcsClientFactory({ ...options, allowedAuthorityHosts: ["localhost"] }).credentialType).toBe(
      "certificate",
    );
  });

  it("an authorityHost smuggled into clientOptions (JavaScript callers) is refused at construction (CLIENT_OPTION_NOT_ALLOWED); the rogue sees nothing", async () => {
    const before = rogueHits();
    const options = emulatorFactoryOptions(emu, app, {
      clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, authorityHost: rogueAuthority } as never,
    });
    expect(() => new AcsClientFactory(options)).toThrow(/CLIENT_OPTION_NOT_ALLOWED.*"authorityHost"/);
    // Positive control: without the smuggled member, the checked authority issues the token.
    const factory = new AcsClientFactory(
      emulatorFactoryOptions(emu, app, { clientOptions: { tlsOptions: { ca: emu.caCertificatePem } } }),
    );
    expect((await factory.credential.getToken(ACS_TOKEN_SCOPE))?.token).toBeTruthy();
    await factory.close();
    expect(rogueHits()).toBe(before);
  });

  it("a hostile AZURE_AUTHORITY_HOST in process.env does not redirect a factory built with the constructor", async () => {
    const saved = process.env.AZURE_AUTHORITY_HOST;
    process.env.AZURE_AUTHORITY_HOST = rogueAuthority;
    try {
      const before = rogueHits();
      const options = emulatorFactoryOptions(
        emu,
        { clientId: app.clientId, certificatePath: app.certificatePath },
        { timeoutMs: 3000, ...tls() },
      );
      delete options.authorityHost; // the default (Microsoft public cloud) applies, never the variable
      const factory = new AcsClientFactory({
        ...options,
        clientSecret: undefined,
        certificate: { path: app.certificatePath },
      });
      await factory.credential.getToken(ACS_TOKEN_SCOPE).catch(() => null); // no network to Microsoft here: fails or times out
      await factory.close();
      expect(rogueHits()).toBe(before);
    } finally {
      if (saved === undefined) delete process.env.AZURE_AUTHORITY_HOST;
      else process.env.AZURE_AUTHORITY_HOST = saved;
    }
  });
});
