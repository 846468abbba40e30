/**
 * `acs-baseline doctor` with managed identity opted in on a host whose identity source the factory does not build
 * (Service Fabric, Azure Arc, Cloud Shell, Azure Machine Learning: `fromEnvironment()` refuses them with
 * CREDENTIAL_NOT_CONFIGURED, docs/factory.md). Doctor must agree: exit 1, the credential line ✗ with the factory's own
 * refusal (before, it said "✓ credential: managed identity … token source: Service Fabric" and left the refusal to a
 * separate line, or to nothing when another line had failed), never printing the identity's secret header or secret.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../../packages/cli/src/main.js";
import { runCaptured } from "../support/captureOutput.js";
import { factoryVerdict } from "../support/factoryVerdict.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-doctor-mi-source-");
const MANAGED: NodeJS.ProcessEnv = {
  AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com",
  AZURE_COMMUNICATION_USE_MANAGED_IDENTITY: "true",
};
const REFUSAL =
  "[IM-3 CREDENTIAL_NOT_CONFIGURED] Managed identity: this host offers Service Fabric, Azure Arc, Cloud Shell or Azure Machine Learning identity";

async function doctor(env: NodeJS.ProcessEnv, args: string[] = []) {
  return runCaptured((io) => runCli(["doctor", ...args], { ...io, env, cwd: dir, stderrIsTTY: false }));
}

const SOURCES: [string, NodeJS.ProcessEnv, string][] = [
  [
    "Service Fabric",
    {
      IDENTITY_ENDPOINT: "https://10.0.0.4:2377/metadata/identity/oauth2/token",
      IDENTITY_HEADER: "Header-Canary-sf-4711",
      IDENTITY_SERVER_THUMBPRINT: "0123456789ABCDEF0123456789ABCDEF01234567",
    },
    "Service Fabric (IDENTITY_ENDPOINT, IDENTITY_HEADER, IDENTITY_SERVER_THUMBPRINT)",
  ],
  [
    "Azure Arc",
    {
      IDENTITY_ENDPOINT: "http://localhost:40342/metadata/identity/oauth2/token",
      IMDS_ENDPOINT: "http://localhost:40342",
    },
    "Azure Arc (IDENTITY_ENDPOINT, IMDS_ENDPOINT)",
  ],
  ["Cloud Shell", { MSI_ENDPOINT: "http://localhost:50342/oauth2/token" }, "Cloud Shell (MSI_ENDPOINT)"],
  [
    "Azure Machine Learning",
    { MSI_ENDPOINT: "http://127.0.0.1:46808/msi/token", MSI_SECRET: "Msi-Secret-Canary-0815" },
    "Azure Machine Learning (MSI_ENDPOINT, MSI_SECRET)",
  ],
];

describe("doctor on a managed-identity source the factory does not build", () => {
  it.each(SOURCES)(
    "%s: exit 1, ✗ credential with the factory's refusal, no secret printed",
    async (_n, vars, source) => {
      const env = { ...MANAGED, ...vars };
      expect(await factoryVerdict(env)).toBe("CREDENTIAL_NOT_CONFIGURED");
      const { code, out } = await doctor(env);
      expect(code).toBe(1);
      expect(out).toContain(
        `✗ IM-3  credential: managed identity (opted in by AZURE_COMMUNICATION_USE_MANAGED_IDENTITY), token source: ${source}: AcsClientFactory.fromEnvironment() refuses it: ${REFUSAL}`,
      );
      expect(out).not.toContain("✓ IM-3  credential");
      expect(out).toContain("configuration has failures (✗)");
      expect(out).not.toMatch(/Header-Canary|Msi-Secret-Canary/);
      const json = JSON.parse((await doctor(env, ["--json"])).out) as {
        ok: boolean;
        checks: { name: string; status: string; control: string }[];
      };
      expect(json.ok).toBe(false);
      expect(json.checks.filter((c) => c.name === "credential")).toEqual([
        expect.objectContaining({ status: "fail", control: "IM-3" }),
      ]);
    },
  );

  it("the credential line fails even when another line failed first (the endpoint is not set)", async () => {
    const { AZURE_COMMUNICATION_ENDPOINT: _e, ...noEndpoint } = { ...MANAGED, ...(SOURCES[0]?.[1] ?? {}) };
    const { code, out } = await doctor(noEndpoint);
    expect(code).toBe(1);
    expect(out).toContain("✗ DP-3  endpoint: AZURE_COMMUNICATION_ENDPOINT is not set");
    expect(out).toContain(
      "✗ IM-3  credential: managed identity (opted in by AZURE_COMMUNICATION_USE_MANAGED_IDENTITY), token source: Service Fabric",
    );
    expect(out).not.toContain("✓ IM-3  credential");
  });

  it("control: App Service (IDENTITY_ENDPOINT and IDENTITY_HEADER) passes, as the factory builds it", async () => {
    const env = {
      ...MANAGED,
      IDENTITY_ENDPOINT: "http://127.0.0.1:41234/msi/token",
      IDENTITY_HEADER: "Header-Canary-as",
    };
    expect(await factoryVerdict(env)).toBeUndefined();
    const { code, out } = await doctor(env);
    expect(code).toBe(0);
    expect(out).toContain("token source: App Service / Functions (IDENTITY_ENDPOINT, IDENTITY_HEADER)");
    expect(out).not.toContain("Header-Canary-as");
  });

  it("an App Service endpoint the factory refuses (plain http to another host) fails the credential line too", async () => {
    const env = { ...MANAGED, IDENTITY_ENDPOINT: "http://10.0.0.9/msi/token", IDENTITY_HEADER: "Header-Canary-h" };
    expect(await factoryVerdict(env)).toBe("CREDENTIAL_NOT_CONFIGURED");
    const { code, out } = await doctor(env);
    expect(code).toBe(1);
    expect(out).toContain(
      "✗ IM-3  credential: managed identity (opted in by AZURE_COMMUNICATION_USE_MANAGED_IDENTITY), token source: App Service / Functions (IDENTITY_ENDPOINT, IDENTITY_HEADER): AcsClientFactory.fromEnvironment() refuses it: [IM-3 CREDENTIAL_NOT_CONFIGURED] IDENTITY_ENDPOINT must be",
    );
    expect(out).not.toContain("Header-Canary-h");
  });
});
