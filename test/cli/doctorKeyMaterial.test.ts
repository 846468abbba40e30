/**
 * Offline `doctor` refuses what `AcsClientFactory.fromEnvironment()` refuses: an ACS access key or a connection
 * string as AZURE_CLIENT_SECRET (with or without a certificate next to it) fails (exit 1) naming the factory's error,
 * never printing the value; so does an access key as AZURE_CLIENT_ID or AZURE_TENANT_ID; and over a table of
 * environments (tenant IDs @azure/identity rejects, client IDs that are not GUIDs, …) doctor's verdict and the real
 * factory's agree, and every refusal is a BaselineViolationError with a code.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AcsClientFactory, DEFAULT_ALLOWED_HOSTS } from "../../packages/acs-baseline/src/index.js";
import { runCli } from "../../packages/cli/src/main.js";
import type { TestApplication } from "../../packages/emulator/src/index.js";
import { runCaptured } from "../support/captureOutput.js";
import { factoryVerdict } from "../support/factoryVerdict.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let app: TestApplication;
const dir = tempDir("acs-doctor-key-");
useEmulator({ application: { directory: dir }, onStarted: (started) => ({ app } = started) });

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const KEY = randomBytes(64).toString("base64"); // an ACS access key: 88 characters of base64
const CONNECTION_STRING = `endpoint=https://x.communication.azure.com/;accesskey=${KEY}`;
/** Managed identity opted in (the test process has no App Service or other identity variables: IMDS). */
const MANAGED = { AZURE_COMMUNICATION_USE_MANAGED_IDENTITY: "true" };

async function doctor(env: NodeJS.ProcessEnv, args: string[] = []) {
  return runCaptured((io) => runCli(["doctor", ...args], { ...io, env, cwd: dir, stderrIsTTY: false }));
}

/** The endpoint, tenant and client; a certificate only when asked. */
const base = (certificate: boolean): NodeJS.ProcessEnv => ({
  AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com",
  AZURE_TENANT_ID: TENANT,
  AZURE_CLIENT_ID: app.clientId,
  ...(certificate ? { AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath } : {}),
});

describe("doctor (offline) refuses key material the factory refuses", () => {
  it.each([
    ["an access key as AZURE_CLIENT_SECRET", false, KEY, "KEY_CREDENTIAL_REFUSED"],
    ["an access key as AZURE_CLIENT_SECRET next to a certificate", true, KEY, "KEY_CREDENTIAL_REFUSED"],
    ["a connection string as AZURE_CLIENT_SECRET", false, CONNECTION_STRING, "CONNECTION_STRING_REFUSED"],
    ["a hex access key as AZURE_CLIENT_SECRET", false, randomBytes(64).toString("hex"), "KEY_CREDENTIAL_REFUSED"],
  ])("%s: ✗ key material, exit 1, the value never printed", async (_name, certificate, secret, code) => {
    const env = { ...base(certificate), AZURE_CLIENT_SECRET: secret };
    expect(await factoryVerdict(env)).toBe(code);
    const { code: exit, out } = await doctor(env);
    expect(exit).toBe(1);
    expect(out).toMatch(
      new RegExp(
        `✗ IM-1 {2}key material in environment: AcsClientFactory\\.fromEnvironment\\(\\) refuses this environment: \\[IM-1 ${code}\\]`,
      ),
    );
    expect(out).not.toContain("✓ IM-1  key material");
    expect(out).toContain("configuration has failures");
    expect(out).not.toContain(secret);
    expect(out).not.toContain(KEY);
  });

  it("agrees with the factory over a table of environments: doctor fails exactly when fromEnvironment() refuses", async () => {
    const envs: NodeJS.ProcessEnv[] = [
      base(true),
      { ...base(false), AZURE_CLIENT_SECRET: "an-entra-client-secret~value" },
      { ...base(false), AZURE_CLIENT_SECRET: KEY },
      { ...base(true), AZURE_CLIENT_SECRET: CONNECTION_STRING },
      { ...base(true), AZURE_CLIENT_CERTIFICATE_PASSWORD: CONNECTION_STRING },
      { ...base(true), AZURE_TENANT_ID: encodeURIComponent(CONNECTION_STRING) },
      { ...base(true), MY_ACS_CONNECTION_STRING: CONNECTION_STRING }, // a variable the factory does not read: a warning
      { ...base(true), AZURE_AUTHORITY_HOST: "https://contoso.communication.azure.com" },
      // tenant IDs @azure/identity rejects in its credential constructors (with a plain Error before the fix)
      ...["../x", "a/b", "x?y", "con toso", "a_b", "contosö.com"].map((tenant) => ({
        ...base(false),
        AZURE_CLIENT_SECRET: "an-entra-client-secret~value",
        AZURE_TENANT_ID: tenant,
      })),
      { ...base(true), AZURE_TENANT_ID: "../x" },
      { ...base(true), AZURE_TENANT_ID: "contoso.onmicrosoft.com" },
      // a client ID that is not a GUID: the factory accepts it, so doctor warns
      { ...base(false), AZURE_CLIENT_SECRET: "an-entra-client-secret~value", AZURE_CLIENT_ID: "not-a-guid" },
      { AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com", ...MANAGED, AZURE_CLIENT_ID: "nope" },
      // an access key as the client or tenant ID
      { ...base(false), AZURE_CLIENT_SECRET: "an-entra-client-secret~value", AZURE_CLIENT_ID: KEY },
      { ...base(true), AZURE_TENANT_ID: KEY },
      { AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com", ...MANAGED, AZURE_CLIENT_ID: KEY },
    ];
    for (const env of envs) {
      const refused = await factoryVerdict(env);
      const { code, out } = await doctor(env);
      const id = { tenant: env.AZURE_TENANT_ID?.slice(0, 12), client: env.AZURE_CLIENT_ID?.slice(0, 12) };
      expect({ env: Object.keys(env), id, code }).toEqual({
        env: Object.keys(env),
        id,
        code: refused === undefined ? 0 : 1,
      });
      // every refusal is a BaselineViolationError with a code (never upstream's plain Error)
      expect(refused, JSON.stringify(id)).not.toBe("refused");
      if (refused !== undefined) expect(out).toContain(refused);
      expect(out).not.toContain(KEY);
    }
  });

  it.each([
    ["AZURE_CLIENT_ID", false],
    ["AZURE_TENANT_ID", true],
  ])("an access key as %s: ✗ key material (KEY_CREDENTIAL_REFUSED), exit 1, never printed", async (name, cert) => {
    const env = { ...base(cert), AZURE_CLIENT_SECRET: "an-entra-client-secret~value", [name]: KEY };
    expect(await factoryVerdict(env)).toBe("KEY_CREDENTIAL_REFUSED");
    const { code, out } = await doctor(env);
    expect(code).toBe(1);
    expect(out).toContain(
      "✗ IM-1  key material in environment: AcsClientFactory.fromEnvironment() refuses this environment: [IM-1 KEY_CREDENTIAL_REFUSED]",
    );
    expect(out).not.toContain("✓ IM-1  key material");
    expect(out).not.toContain(KEY);
  });

  it("a tenant ID @azure/identity rejects fails the tenant line with the factory's refusal; a client ID that is not a GUID only warns", async () => {
    const secret = { ...base(false), AZURE_CLIENT_SECRET: "an-entra-client-secret~value" };
    let r = await doctor({ ...secret, AZURE_TENANT_ID: "a_b" });
    expect(r.code).toBe(1);
    expect(r.out).toContain("✗ IM-3  tenant id: AZURE_TENANT_ID: [IM-3 CREDENTIAL_NOT_CONFIGURED] tenantId");
    expect(r.out).not.toContain("a_b");
    r = await doctor({ ...secret, AZURE_CLIENT_ID: "not-a-guid" });
    expect(r.code).toBe(0);
    expect(r.out).toContain("! IM-3  client id: AZURE_CLIENT_ID is not a GUID");
  });

  it("fails on whatever else fromEnvironment() refuses that no single check covers (authority and endpoint on one origin)", async () => {
    const env = { ...base(true), AZURE_COMMUNICATION_ENDPOINT: "https://login.microsoftonline.com" };
    const factory = () =>
      AcsClientFactory.fromEnvironment({ allowedHosts: [...DEFAULT_ALLOWED_HOSTS, "login.microsoftonline.com"] }, env);
    expect(factory).toThrow(/AUTHORITY_SAME_ORIGIN/);
    const { code, out } = await doctor(env, ["--allowed-host", "login.microsoftonline.com"]);
    expect(code).toBe(1);
    expect(out).toContain(
      "✗ IM-1  configuration: AcsClientFactory.fromEnvironment() refuses it: [IM-1 AUTHORITY_SAME_ORIGIN]",
    );
  });
});
