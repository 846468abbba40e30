import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import type { Emulator, TestApplication } from "../../src/emulator/index.js";
import { createCertificate, startEmulator } from "../../src/emulator/index.js";

const BIN = join(__dirname, "..", "..", "dist", "esm", "cli", "bin.js");
let emu: Emulator;
let app: TestApplication;
let dir: string;
let caFile: string;

async function doctor(args: string[], env: NodeJS.ProcessEnv) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  const code = await runCli(["doctor", ...args], { stdout, stderr, env, cwd: dir, stderrIsTTY: false });
  return { code, out };
}

const good = (): NodeJS.ProcessEnv => ({
  AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com",
  AZURE_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  AZURE_CLIENT_ID: app.clientId,
  AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath,
});

beforeAll(async () => {
  emu = await startEmulator();
  dir = mkdtempSync(join(tmpdir(), "acs-doctor-"));
  app = await emu.createTestApplication({ directory: dir });
  caFile = join(dir, "ca.pem");
  writeFileSync(caFile, emu.caCertificatePem);
});
afterAll(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("acs-baseline doctor (offline)", () => {
  it("passes a good certificate configuration", async () => {
    const { code, out } = await doctor([], good());
    expect(code).toBe(0);
    expect(out).toContain("✓ DP-3  endpoint");
    expect(out).toContain(`✓ IM-3  certificate: AZURE_CLIENT_CERTIFICATE_PATH: readable PEM, key matches, SHA-256 ${app.thumbprint}`);
    expect(out).toContain("configuration ok");
  });

  it.each([
    ["missing endpoint", { AZURE_COMMUNICATION_ENDPOINT: undefined }, "✗ DP-3  endpoint: AZURE_COMMUNICATION_ENDPOINT is not set"],
    ["http endpoint", { AZURE_COMMUNICATION_ENDPOINT: "http://contoso.communication.azure.com" }, "INSECURE_ENDPOINT"],
    ["foreign host", { AZURE_COMMUNICATION_ENDPOINT: "https://contoso.example.com" }, "ENDPOINT_NOT_ALLOWED"],
    ["client id not a GUID", { AZURE_CLIENT_ID: "my-app" }, "✗ IM-3  client id"],
    ["missing tenant", { AZURE_TENANT_ID: undefined }, "✗ IM-3  tenant id"],
    ["missing certificate file", { AZURE_CLIENT_CERTIFICATE_PATH: "/nonexistent/cert.pem" }, "The certificate file does not exist"],
    ["no credential at all", { AZURE_CLIENT_CERTIFICATE_PATH: undefined }, "✗ IM-3  credential: no credential"],
  ])("fails on %s (exit 1)", async (_name, change, expected) => {
    const env: NodeJS.ProcessEnv = { ...good(), ...change };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete env[k];
    const { code, out } = await doctor([], env);
    expect(code).toBe(1);
    expect(out).toContain(expected);
  });

  it("fails on an expired certificate and on a wrong password, without printing the password", async () => {
    const expired = await createCertificate({ notBefore: new Date(Date.now() - 9 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    const expiredPath = join(dir, "expired.pem");
    writeFileSync(expiredPath, expired.pem, { mode: 0o600 });
    let r = await doctor([], { ...good(), AZURE_CLIENT_CERTIFICATE_PATH: expiredPath });
    expect(r.code).toBe(1);
    expect(r.out).toContain("CERTIFICATE_EXPIRED");
    const encrypted = await emu.createTestApplication({ password: "right-pass", directory: dir });
    r = await doctor([], { ...good(), AZURE_CLIENT_CERTIFICATE_PATH: encrypted.certificatePath, AZURE_CLIENT_CERTIFICATE_PASSWORD: "Wrong-Pass-Canary-9" });
    expect(r.code).toBe(1);
    expect(r.out).toContain("The password does not decrypt the private key");
    expect(r.out).not.toContain("Wrong-Pass-Canary-9");
  });

  it("warns (exit 0) on secret fallback, an ignored secret, loose file permissions and key material in the environment — names only", async () => {
    let r = await doctor([], { ...good(), AZURE_CLIENT_CERTIFICATE_PATH: undefined, AZURE_CLIENT_SECRET: "Secret-Canary-123" });
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
    r = await doctor([], { ...good(), MY_ACS_CONNECTION_STRING: "endpoint=https://x.communication.azure.com/;accesskey=S2V5Q2FuYXJ5MTIz", ACS_ACCESS_KEY: "S2V5Q2FuYXJ5NDU2" });
    expect(r.code).toBe(0);
    expect(r.out).toContain("! IM-1  key material in environment: ACS connection strings or access keys are present in ACS_ACCESS_KEY, MY_ACS_CONNECTION_STRING");
    expect(r.out).not.toContain("S2V5Q2FuYXJ5");
  });

  it("prints JSON with --json", async () => {
    const { code, out } = await doctor(["--json"], { ...good(), AZURE_CLIENT_ID: "x" });
    expect(code).toBe(1);
    const json = JSON.parse(out) as { ok: boolean; checks: { name: string; status: string; control: string }[] };
    expect(json.ok).toBe(false);
    expect(json.checks.find((c) => c.name === "client id")).toMatchObject({ status: "fail", control: "IM-3" });
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
    expect(r.out).toContain("✓ DP-3  tls verification: TLS certificate verification is on (extra CAs from NODE_EXTRA_CA_CERTS)");
  });
});

describe("acs-baseline doctor --online (child process, NODE_EXTRA_CA_CERTS)", () => {
  const run = (env: NodeJS.ProcessEnv) =>
    promisify(execFile)(process.execPath, [BIN, "doctor", "--online", "--allowed-host", "127.0.0.1"], { env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: caFile, ...env } }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
  const online = () => ({
    AZURE_COMMUNICATION_ENDPOINT: emu.endpoint,
    AZURE_TENANT_ID: emu.tenantId,
    AZURE_CLIENT_ID: app.clientId,
    AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath,
    AZURE_AUTHORITY_HOST: emu.authorityHost,
  });

  it("acquires a token from Entra", async () => {
    const r = await run(online());
    expect(r.out).toContain("✓ IM-1  token: Microsoft Entra ID issued a token");
    expect(r.code).toBe(0);
  });

  it("reports a refused token request", async () => {
    const r = await run({ ...online(), AZURE_CLIENT_ID: "3f1d2c4b-0000-4000-8000-000000000000" });
    expect(r.code).toBe(1);
    expect(r.out).toContain("✗ IM-1  token: no token");
  });
});
