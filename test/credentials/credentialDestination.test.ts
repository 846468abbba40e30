// Issue 22 items 3, 5 and 6, written as the attacks: an allowed authority whose OpenID metadata names a
// token_endpoint on another host; a FIFO as the federated token file or the certificate (which must not hang the
// constructor or doctor); an authority sharing the endpoint's origin. Each with its positive control. Real
// @azure/identity credentials against the emulator.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { runCli } from "../../packages/cli/src/main.js";
import type { Emulator, TestApplication, TestWorkloadIdentity } from "../../packages/emulator/src/index.js";
import { ACS_SCOPE, emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { runCaptured } from "../support/captureOutput.js";
import {
  authorityDestinations,
  destinationOf,
  matchDestination,
} from "../../packages/acs-baseline/src/credentials/credentialDestinations.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

const dir = tempDir("acs-destination-");
const main = useEmulator({ application: { directory: dir } });
let emu: Emulator;
let app: TestApplication;
let wi: TestWorkloadIdentity;
let fifo: string;

beforeAll(async () => {
  ({ emu, app } = main);
  wi = await emu.createTestWorkloadIdentity({ directory: dir });
  fifo = join(dir, "token.fifo");
  execFileSync("mkfifo", [fifo]);
});

describe("the credential transport pins the destination", () => {
  it("attack: the allowed authority's metadata names a token_endpoint on another host: AUTHORITY_NOT_ALLOWED, no token request leaves", async () => {
    // "Another host": the emulator's own Entra spelled 127.0.0.1 (the authority is localhost), so TLS would succeed
    // and its request counter would see the assertion if the transport let it through.
    const otherHost = `${emu.authorityHost.replace("localhost", "127.0.0.1")}/${emu.tenantId}/oauth2/v2.0/token`;
    emu.setMetadataTokenEndpoint(otherHost);
    const tokenRequests = () => emu.requests.filter((r) => r.side === "entra" && r.path.endsWith("/token")).length;
    const audit = join(dir, "metadata.log");
    try {
      const factory = new AcsClientFactory({ ...emulatorFactoryOptions(emu, app), audit: { destination: audit } });
      const before = tokenRequests();
      await expect(factory.credential.getToken(ACS_SCOPE)).rejects.toThrow();
      await factory.close();
      expect(tokenRequests()).toBe(before);
      const refusal = readFileSync(audit, "utf8")
        .split("\n")
        .find((l) => l.includes('"code":"AUTHORITY_NOT_ALLOWED"'));
      expect(refusal).toBeDefined();
    } finally {
      emu.setMetadataTokenEndpoint(undefined);
    }
    // Positive control: honest metadata, the same configuration gets a token.
    const honest = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    expect((await honest.credential.getToken(ACS_SCOPE))?.token).toBeTruthy();
    await honest.close();
  });

  it("the refusal names the host and port it refused, with control characters and user-info kept out", () => {
    const allowed = [destinationOf("https://login.microsoftonline.com")];
    const refused = matchDestination("https://evil.example:8443/tenant/oauth2/v2.0/token", allowed);
    expect(refused).toMatchObject({
      code: "AUTHORITY_NOT_ALLOWED",
      message: expect.stringContaining("https://evil.example:8443"),
    });
    expect(matchDestination("https://user:pw@login.microsoftonline.com/t", allowed)).toMatchObject({
      code: "AUTHORITY_NOT_ALLOWED",
    });
    expect(matchDestination("http://login.microsoftonline.com/t", allowed)).toMatchObject({
      code: "AUTHORITY_NOT_ALLOWED",
    });
    expect(matchDestination("https://LOGIN.microsoftonline.com:443/t/oauth2/v2.0/token", allowed)).toEqual(allowed[0]);
    // A Microsoft authority may reach its cloud's aliases (MSAL's preferred network); an allow-listed one only itself.
    const microsoft = authorityDestinations({
      origin: "https://login.windows.net",
      hostname: "login.windows.net",
      microsoft: true,
    });
    expect(matchDestination("https://login.microsoftonline.com/t/oauth2/v2.0/token", microsoft)).not.toBeInstanceOf(
      Error,
    );
    expect(matchDestination("https://evil.example/t/oauth2/v2.0/token", microsoft)).toMatchObject({
      code: "AUTHORITY_NOT_ALLOWED",
    });
    const adfs = authorityDestinations({
      origin: "https://adfs.contoso.com",
      hostname: "adfs.contoso.com",
      microsoft: false,
    });
    expect(matchDestination("https://login.microsoftonline.com/t/oauth2/v2.0/token", adfs)).toMatchObject({
      code: "AUTHORITY_NOT_ALLOWED",
    });
  });
});

describe("files the factory reads are stat'ed before they are opened", () => {
  it("attack: a FIFO as the federated token file is refused at once (constructor and doctor), not a hang", async () => {
    const { certificate: _c, ...options } = emulatorFactoryOptions(emu, app);
    const started = Date.now();
    expect(
      () => new AcsClientFactory({ ...options, clientId: wi.clientId, workloadIdentity: { tokenFilePath: fifo } }),
    ).toThrow(/CREDENTIAL_NOT_CONFIGURED.*not a regular file/);
    const env = {
      AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com",
      AZURE_TENANT_ID: emu.tenantId,
      AZURE_CLIENT_ID: wi.clientId,
      AZURE_FEDERATED_TOKEN_FILE: fifo,
    };
    const { code } = await runCaptured((io) => runCli(["doctor"], { ...io, env, cwd: dir, stderrIsTTY: false }));
    expect(code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Positive control: the real token file works.
    const factory = new AcsClientFactory({
      ...options,
      clientId: wi.clientId,
      workloadIdentity: { tokenFilePath: wi.tokenFilePath },
    });
    expect((await factory.credential.getToken(ACS_SCOPE))?.token).toBeTruthy();
    await factory.close();
  });

  it("attack: a FIFO as the certificate file is refused at once", () => {
    expect(() => new AcsClientFactory({ ...emulatorFactoryOptions(emu, app), certificate: { path: fifo } })).toThrow(
      /CERTIFICATE_INVALID.*not a regular file/,
    );
  });
});

describe("authority and endpoint on one origin", () => {
  it("an authority whose metadata cannot be resolved: AUTHORITY_UNRESOLVED naming the authority (not MSAL's bare endpoints_resolution_error)", async () => {
    const fault = emu.injectFault({ side: "entra", path: /openid-configuration$/, status: 404, body: {} });
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    try {
      await expect(factory.credential.getToken(ACS_SCOPE)).rejects.toMatchObject({
        code: "AUTHORITY_UNRESOLVED",
        message: expect.stringContaining(emu.authorityHost),
      });
    } finally {
      fault.remove();
      await factory.close();
    }
    const honest = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    expect((await honest.credential.getToken(ACS_SCOPE))?.token).toBeTruthy();
    await honest.close();
  });

  it("attack: the authority shares the endpoint's host and port: AUTHORITY_SAME_ORIGIN at construction (not MSAL's endpoints_resolution_error later)", () => {
    const endpoint = new URL(emu.endpoint);
    const sameOrigin = `https://${endpoint.hostname}:${endpoint.port}`;
    expect(
      () =>
        new AcsClientFactory({
          ...emulatorFactoryOptions(emu, app),
          authorityHost: sameOrigin,
          allowedAuthorityHosts: [endpoint.hostname],
        }),
    ).toThrow(/AUTHORITY_SAME_ORIGIN.*share an origin/);
    // Positive control: the emulator's own authority (another origin) is accepted.
    expect(() => new AcsClientFactory(emulatorFactoryOptions(emu, app))).not.toThrow();
  });
});
