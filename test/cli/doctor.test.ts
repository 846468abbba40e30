import { execFile } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../packages/cli/src/main.js";
import type { Emulator, TestApplication, TestWorkloadIdentity } from "../../packages/emulator/src/index.js";
import { runCaptured } from "../support/captureOutput.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";
import { writeTestCertificate } from "../support/testCertificates.js";

const BIN = join(__dirname, "..", "..", "packages", "cli", "dist", "esm", "bin.js");
let emu: Emulator;
let app: TestApplication;
let wi: TestWorkloadIdentity;
const dir = tempDir("acs-doctor-");
let caFile: string;
useEmulator({ application: { directory: dir }, onStarted: (started) => ({ emu, app } = started) });

async function doctor(args: string[], env: NodeJS.ProcessEnv) {
  const { code, out } = await runCaptured((io) =>
    runCli(["doctor", ...args], { ...io, env, cwd: dir, stderrIsTTY: false }),
  );
  return { code, out };
}

const good = (): NodeJS.ProcessEnv => ({
  AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com",
  AZURE_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  AZURE_CLIENT_ID: app.clientId,
  AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath,
});

beforeAll(async () => {
  wi = await emu.createTestWorkloadIdentity({ directory: dir });
  caFile = join(dir, "ca.pem");
  writeFileSync(caFile, emu.caCertificatePem);
});

describe("acs-baseline doctor (offline)", () => {
  it("passes a good certificate configuration", async () => {
    const { code, out } = await doctor([], good());
    expect(code).toBe(0);
    expect(out).toContain("✓ DP-3  endpoint");
    expect(out).toContain(
      `✓ IM-3  certificate: AZURE_CLIENT_CERTIFICATE_PATH: readable PEM, key matches, SHA-256 ${app.thumbprint}`,
    );
    expect(out).toContain("configuration ok");
  });

  it.each([
    [
      "missing endpoint",
      { AZURE_COMMUNICATION_ENDPOINT: undefined },
      "✗ DP-3  endpoint: AZURE_COMMUNICATION_ENDPOINT is not set",
    ],
    ["http endpoint", { AZURE_COMMUNICATION_ENDPOINT: "http://contoso.communication.azure.com" }, "INSECURE_ENDPOINT"],
    ["foreign host", { AZURE_COMMUNICATION_ENDPOINT: "https://contoso.example.com" }, "ENDPOINT_NOT_ALLOWED"],
    ["a tenant id @azure/identity rejects", { AZURE_TENANT_ID: "contoso/x" }, "✗ IM-3  tenant id"],
    ["missing tenant", { AZURE_TENANT_ID: undefined }, "✗ IM-3  tenant id"],
    [
      "missing certificate file",
      { AZURE_CLIENT_CERTIFICATE_PATH: "/nonexistent/cert.pem" },
      "The certificate file does not exist",
    ],
    ["no credential at all", { AZURE_CLIENT_CERTIFICATE_PATH: undefined }, "✗ IM-3  credential: no credential"],
  ])("fails on %s (exit 1)", async (_name, change, expected) => {
    const env: NodeJS.ProcessEnv = { ...good(), ...change };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete env[k];
    const { code, out } = await doctor([], env);
    expect(code).toBe(1);
    expect(out).toContain(expected);
  });

  it("fails on an expired certificate and on a wrong password, without printing the password", async () => {
    const expiredPath = (
      await writeTestCertificate(dir, "expired.pem", {
        notBefore: new Date(Date.now() - 9 * 86_400_000),
        notAfter: new Date(Date.now() - 86_400_000),
      })
    ).path;
    let r = await doctor([], { ...good(), AZURE_CLIENT_CERTIFICATE_PATH: expiredPath });
    expect(r.code).toBe(1);
    expect(r.out).toContain("CERTIFICATE_EXPIRED");
    const encrypted = await emu.createTestApplication({ password: "right-pass", directory: dir });
    r = await doctor([], {
      ...good(),
      AZURE_CLIENT_CERTIFICATE_PATH: encrypted.certificatePath,
      AZURE_CLIENT_CERTIFICATE_PASSWORD: "Wrong-Pass-Canary-9",
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain("The password does not decrypt the private key");
    expect(r.out).not.toContain("Wrong-Pass-Canary-9");
  });

  it("warns (exit 0) on secret fallback, an ignored secret, loose file permissions and key material in the environment — names only", async () => {
    let r = await doctor([], {
      ...good(),
      AZURE_CLIENT_CERTIFICATE_PATH: undefined,
      AZURE_CLIENT_SECRET: "Secret-Canary-123",
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain("! IM-3  credential: secret fallback in use");
    expect(r.out).not.toContain("Secret-Canary-123");
    r = await doctor([], { ...good(), AZURE_CLIENT_SECRET: "Secret-Canary-123" });
    expect(r.out).toContain("! IM-8  secret: AZURE_CLIENT_SECRET is set but ignored");
    const loose = join(dir, "loose.pem");
    writeFileSync(loose, app.pem);
    chmodSync(loose, 0o644);
    r = await doctor([], { ...good(), AZURE_CLIENT_CERTIFICATE_PATH: loose });
    expect(r.code).toBe(0);
    expect(r.out).toContain("readable by group or others (mode 644)");
    r = await doctor([], {
      ...good(),
      MY_ACS_CONNECTION_STRING: "endpoint=https://x.communication.azure.com/;accesskey=S2V5Q2FuYXJ5MTIz",
      ACS_ACCESS_KEY: "S2V5Q2FuYXJ5NDU2",
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      "! IM-1  key material in environment: ACS connection strings or access keys are present in ACS_ACCESS_KEY, MY_ACS_CONNECTION_STRING",
    );
    expect(r.out).not.toContain("S2V5Q2FuYXJ5");
  });

  it("finds a connection string URL-encoded in a variable of any name, as the factory does in options", async () => {
    const cs = "endpoint=https://x.communication.azure.com/;accesskey=S2V5Q2FuYXJ5Nzg5";
    for (const value of [
      encodeURIComponent(cs),
      encodeURIComponent(encodeURIComponent(cs)),
      `db=x&acs=${encodeURIComponent(cs)}`,
    ]) {
      const r = await doctor([], { ...good(), SETTINGS_BLOB: value });
      expect(r.out, value).toContain(
        "! IM-1  key material in environment: ACS connection strings or access keys are present in SETTINGS_BLOB",
      );
      expect(r.out).not.toContain("S2V5Q2FuYXJ5");
    }
  });

  it("shows the authority in use: the default, an allow-listed one (environment or flag), a refused one", async () => {
    let r = await doctor([], good());
    expect(r.out).toContain(
      "✓ IM-1  authority: https://login.microsoftonline.com: a Microsoft cloud login host (default; AZURE_AUTHORITY_HOST is not set)",
    );
    r = await doctor([], { ...good(), AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us/" });
    expect(r.out).toContain("✓ IM-1  authority: https://login.microsoftonline.us: a Microsoft cloud login host");
    r = await doctor([], { ...good(), AZURE_AUTHORITY_HOST: "https://login.contoso.example" });
    expect(r.code).toBe(1);
    expect(r.out).toContain("✗ IM-1  authority: AZURE_AUTHORITY_HOST: [IM-1 AUTHORITY_NOT_ALLOWED]");
    r = await doctor([], {
      ...good(),
      AZURE_AUTHORITY_HOST: "https://login.contoso.example",
      AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: "*.contoso.example",
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      "✓ IM-1  authority: https://login.contoso.example: not a Microsoft cloud login host, allowed by the allow-list",
    );
    r = await doctor(
      ["--allowed-authority-host", "other.example", "--allowed-authority-host", "login.contoso.example"],
      { ...good(), AZURE_AUTHORITY_HOST: "https://login.contoso.example" },
    );
    expect(r.code).toBe(0);
    r = await doctor(["--allowed-authority-host", "login.contoso.example"], {
      ...good(),
      AZURE_AUTHORITY_HOST: "http://login.contoso.example",
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain("AUTHORITY_NOT_ALLOWED");
  });

  it("workload identity: ✓ with the token file's issuer and expiry (never the token); a secret beside it is ignored (!); a missing file is ✗", async () => {
    const wiEnv = {
      ...good(),
      AZURE_CLIENT_ID: wi.clientId,
      AZURE_CLIENT_CERTIFICATE_PATH: undefined,
      AZURE_FEDERATED_TOKEN_FILE: wi.tokenFilePath,
    };
    let r = await doctor([], wiEnv);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /✓ IM-3 {2}credential: workload identity federation \(no secret in the app\): AZURE_FEDERATED_TOKEN_FILE: readable, a token from https:\/\/oidc\.emulator\.invalid\/[0-9a-f-]+, expires 20/,
    );
    expect(r.out).not.toContain(readFileSync(wi.tokenFilePath, "utf8").split(".")[2]);
    r = await doctor([], { ...wiEnv, AZURE_CLIENT_SECRET: "Secret-Canary-456" });
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      "! IM-8  secret: AZURE_CLIENT_SECRET is set but ignored because workload identity is configured",
    );
    expect(r.out).not.toContain("Secret-Canary-456");
    r = await doctor([], { ...wiEnv, AZURE_FEDERATED_TOKEN_FILE: join(dir, "missing.token") });
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      "✗ IM-3  credential: AZURE_FEDERATED_TOKEN_FILE: [IM-3 CREDENTIAL_NOT_CONFIGURED] The federated token file (AZURE_FEDERATED_TOKEN_FILE) cannot be read (ENOENT)",
    );
    r = await doctor([], { ...good(), AZURE_FEDERATED_TOKEN_FILE: wi.tokenFilePath });
    expect(r.out).toContain(
      "! IM-3  credential: AZURE_FEDERATED_TOKEN_FILE is set but ignored: a certificate comes first",
    );
  });

  it("managed identity: ✓ only when opted in, system- or user-assigned, with the token source; ✗ when combined with another credential", async () => {
    const miEnv: NodeJS.ProcessEnv = {
      AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com",
      AZURE_COMMUNICATION_USE_MANAGED_IDENTITY: "true",
    };
    let r = await doctor([], {
      ...miEnv,
      IDENTITY_ENDPOINT: "http://127.0.0.1:41234/msi/token",
      IDENTITY_HEADER: "Header-Canary-789",
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      "✓ IM-3  credential: managed identity (opted in by AZURE_COMMUNICATION_USE_MANAGED_IDENTITY), system-assigned",
    );
    expect(r.out).toContain("App Service / Functions (IDENTITY_ENDPOINT, IDENTITY_HEADER)");
    expect(r.out).toContain(
      "The baseline's table lists managed identities as not supported for ACS data-plane access; ACS accepts their tokens today",
    );
    expect(r.out).not.toContain("Header-Canary-789");
    expect(r.out).not.toContain("tenant id");
    r = await doctor([], { ...miEnv, AZURE_CLIENT_ID: "6a1e1b1c-1111-4111-8111-111111111111" });
    expect(r.out).toContain(
      "user-assigned, client ID from AZURE_CLIENT_ID; token source: the instance metadata service (IMDS",
    );
    r = await doctor([], { ...miEnv, AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath });
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      "✗ IM-3  credential: AZURE_COMMUNICATION_USE_MANAGED_IDENTITY opts in to managed identity, but AZURE_CLIENT_CERTIFICATE_PATH is also set",
    );
  });

  it("prints JSON with --json", async () => {
    const { code, out } = await doctor(["--json"], { ...good(), AZURE_CLIENT_ID: "x", AZURE_TENANT_ID: "a_b" });
    expect(code).toBe(1);
    const json = JSON.parse(out) as { ok: boolean; checks: { name: string; status: string; control: string }[] };
    expect(json.ok).toBe(false);
    expect(json.checks.find((c) => c.name === "tenant id")).toMatchObject({ status: "fail", control: "IM-3" });
    expect(json.checks.find((c) => c.name === "client id")).toMatchObject({ status: "warn", control: "IM-3" });
  });

  it("exits 2 on bad usage", async () => {
    expect((await doctor(["--bogus"], good())).code).toBe(2);
    expect((await doctor(["--online", "--timeout-ms", "soon"], good())).code).toBe(2);
  });

  it("fails when NODE_TLS_REJECT_UNAUTHORIZED=0 switches TLS verification off (issue 14, finding 3); a custom CA passes", async () => {
    let r = await doctor([], { ...good(), NODE_TLS_REJECT_UNAUTHORIZED: "0" });
    expect(r.code).toBe(1);
    expect(r.out).toContain("✗ DP-3  tls verification: NODE_TLS_REJECT_UNAUTHORIZED=0 is set");
    r = await doctor([], { ...good(), NODE_EXTRA_CA_CERTS: caFile });
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      "✓ DP-3  tls verification: TLS certificate verification is on (extra CAs from NODE_EXTRA_CA_CERTS)",
    );
  });
});

describe("acs-baseline doctor --online (child process, NODE_EXTRA_CA_CERTS)", () => {
  const run = (env: NodeJS.ProcessEnv) =>
    promisify(execFile)(process.execPath, [BIN, "doctor", "--online", "--allowed-host", "127.0.0.1"], {
      env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: caFile, ...env },
    }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
  const online = () => ({
    AZURE_COMMUNICATION_ENDPOINT: emu.endpoint,
    AZURE_TENANT_ID: emu.tenantId,
    AZURE_CLIENT_ID: app.clientId,
    AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath,
    AZURE_AUTHORITY_HOST: emu.authorityHost,
    AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: "localhost",
  });

  it("acquires a token from Entra", async () => {
    const r = await run(online());
    expect(r.out).toContain("✓ IM-1  token: Microsoft Entra ID issued a token");
    expect(r.code).toBe(0);
  });

  it("acquires a token with workload identity, the emulator's authority allowed by --allowed-authority-host", async () => {
    const r = await promisify(execFile)(
      process.execPath,
      [BIN, "doctor", "--online", "--allowed-host", "127.0.0.1", "--allowed-authority-host", "localhost"],
      {
        env: {
          PATH: process.env.PATH,
          NODE_EXTRA_CA_CERTS: caFile,
          AZURE_COMMUNICATION_ENDPOINT: emu.endpoint,
          AZURE_TENANT_ID: emu.tenantId,
          AZURE_CLIENT_ID: wi.clientId,
          AZURE_FEDERATED_TOKEN_FILE: wi.tokenFilePath,
          AZURE_AUTHORITY_HOST: emu.authorityHost,
        },
      },
    );
    expect(r.stdout).toContain("✓ IM-1  authority: https://localhost:");
    expect(r.stdout).toContain(
      "✓ IM-1  token: Microsoft Entra ID issued a token for https://communication.azure.com//.default (workload-identity credential)",
    );
  });

  it("refuses a foreign authority before sending anything", async () => {
    const r = await run({ ...online(), AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: undefined });
    expect(r.code).toBe(1);
    expect(r.out).toContain("✗ IM-1  authority: AZURE_AUTHORITY_HOST: [IM-1 AUTHORITY_NOT_ALLOWED]");
    expect(r.out).toContain("--online skipped");
  });

  it("checks the resource's posture through ARM when AZURE_COMMUNICATION_RESOURCE_ID is set", async () => {
    const reader = emu.arm.assignRole({ principalId: app.objectId, role: "Reader" });
    try {
      const r = await run({
        ...online(),
        AZURE_COMMUNICATION_RESOURCE_ID: emu.arm.resourceId,
        AZURE_RESOURCE_MANAGER_ENDPOINT: emu.arm.endpoint,
      });
      expect(r.out).toContain("✗ IM-1  posture local-auth-disabled: disableLocalAuth is false");
      expect(r.out).toContain("✓ DP-3  posture endpoint-matches");
      expect(r.code).toBe(1);
      emu.arm.resource.disableLocalAuth = true;
      emu.arm.setDiagnosticSetting("all", {
        workspaceId: "/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/w",
        logs: [{ categoryGroup: "allLogs", enabled: true }],
      });
      const ok = await run({
        ...online(),
        AZURE_COMMUNICATION_RESOURCE_ID: emu.arm.resourceId,
        AZURE_RESOURCE_MANAGER_ENDPOINT: emu.arm.endpoint,
      });
      expect(ok.out).toContain("✓ IM-1  posture local-auth-disabled");
      expect(ok.out).toContain("! IM-3  posture managed-identity");
      expect(ok.code).toBe(0);
    } finally {
      emu.arm.removeRoleAssignment(reader.id);
      emu.arm.resource.disableLocalAuth = false;
      emu.arm.clearDiagnosticSettings();
    }
  });

  it("reports a refused token request", async () => {
    const r = await run({ ...online(), AZURE_CLIENT_ID: "3f1d2c4b-0000-4000-8000-000000000000" });
    expect(r.code).toBe(1);
    expect(r.out).toContain("✗ IM-1  token: no token");
  });
});
