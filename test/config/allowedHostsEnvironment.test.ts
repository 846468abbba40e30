// AZURE_COMMUNICATION_ALLOWED_HOSTS (fromEnvironment) and --allowed-host (CLI) go through exactly the validation of
// the allowedHosts option: the same list gives the same outcome, and every refusal names where the value came from.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AcsClientFactory, isBaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import { readEnvironment } from "../../packages/acs-baseline/src/config/readEnvironment.js";
import { createPostureCommand } from "../../packages/cli/src/commands/posture.js";
import { doctorCommand } from "../../packages/cli/src/commands/doctor.js";
import { runCaptured } from "../support/captureOutput.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "0b2e5c7a-1f0e-4e8f-9a55-1c2b3d4e5f60";

/** The refusal code (or "OK") of a factory; no credential is configured, so a valid endpoint gives CREDENTIAL_NOT_CONFIGURED. */
function codeOf(make: () => AcsClientFactory): string {
  try {
    void make().close();
    return "OK";
  } catch (error) {
    return isBaselineViolationError(error) ? error.code : `${(error as Error).name}`;
  }
}

function messageOf(make: () => unknown): string {
  try {
    make();
  } catch (error) {
    return (error as Error).message;
  }
  return "";
}

describe("AZURE_COMMUNICATION_ALLOWED_HOSTS", () => {
  it("is read as a comma-separated list (trimmed, empty entries dropped; empty = not set)", () => {
    expect(
      readEnvironment({ AZURE_COMMUNICATION_ALLOWED_HOSTS: " 127.0.0.1, *.contoso.example ,,localhost" }).allowedHosts,
    ).toEqual(["127.0.0.1", "*.contoso.example", "localhost"]);
    expect(readEnvironment({ AZURE_COMMUNICATION_ALLOWED_HOSTS: " , " }).allowedHosts).toBeUndefined();
    expect(readEnvironment({}).allowedHosts).toBeUndefined();
  });

  it("property: the variable and the option give the same outcome for the same list and endpoint", () => {
    const label = fc.stringMatching(/^[a-z0-9*.:[\]-]{1,12}$/);
    const entry = fc.oneof(
      label,
      fc.constantFrom("127.0.0.1", "*.communication.azure.com", "localhost", "*.x", "*", " 127.0.0.1 "),
    );
    const endpoint = fc.oneof(
      fc.constantFrom(
        "https://127.0.0.1",
        "https://127.0.0.1:8443",
        "https://contoso.communication.azure.com",
        "https://a.x",
        "https://x",
        "http://127.0.0.1",
      ),
      fc.webUrl(),
      label.map((h) => `https://${h}`),
    );
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 4 }), endpoint, (hosts, url) => {
        const base = { AZURE_COMMUNICATION_ENDPOINT: url, AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT };
        const viaEnv = codeOf(() =>
          AcsClientFactory.fromEnvironment({}, { ...base, AZURE_COMMUNICATION_ALLOWED_HOSTS: hosts.join(",") }),
        );
        const viaOption = codeOf(
          () => new AcsClientFactory({ endpoint: url, tenantId: TENANT, clientId: CLIENT, allowedHosts: hosts }),
        );
        expect(viaEnv).toBe(viaOption);
      }),
      { numRuns: 300 },
    );
  });

  it("replaces the default list, as the option does; an override of allowedHosts wins over the variable", () => {
    const env = {
      AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com",
      AZURE_COMMUNICATION_ALLOWED_HOSTS: "127.0.0.1",
    };
    expect(codeOf(() => AcsClientFactory.fromEnvironment({}, env))).toBe("ENDPOINT_NOT_ALLOWED");
    expect(codeOf(() => AcsClientFactory.fromEnvironment({ allowedHosts: ["*.communication.azure.com"] }, env))).toBe(
      "CREDENTIAL_NOT_CONFIGURED",
    );
  });

  it("refusals name the variable they came from, or the option when an override set it (exact text)", () => {
    const env = { AZURE_COMMUNICATION_ENDPOINT: "https://127.0.0.1:8443" };
    expect(messageOf(() => AcsClientFactory.fromEnvironment({}, env))).toBe(
      '[DP-3 ENDPOINT_NOT_ALLOWED] The endpoint host is not in the default allowed hosts ("*.communication.azure.com", "*.communication.azure.us"). Use your ACS resource\'s host, or add it to AZURE_COMMUNICATION_ALLOWED_HOSTS (comma-separated).',
    );
    expect(
      messageOf(() => AcsClientFactory.fromEnvironment({}, { ...env, AZURE_COMMUNICATION_ALLOWED_HOSTS: "localhost" })),
    ).toBe(
      '[DP-3 ENDPOINT_NOT_ALLOWED] The endpoint host is not in AZURE_COMMUNICATION_ALLOWED_HOSTS ("localhost"). Use your ACS resource\'s host, or add it to AZURE_COMMUNICATION_ALLOWED_HOSTS (comma-separated).',
    );
    expect(messageOf(() => AcsClientFactory.fromEnvironment({ allowedHosts: ["localhost"] }, env))).toBe(
      '[DP-3 ENDPOINT_NOT_ALLOWED] The endpoint host is not in allowedHosts ("localhost"). Use your ACS resource\'s host, or add it to allowedHosts.',
    );
    expect(
      messageOf(() =>
        AcsClientFactory.fromEnvironment(
          {},
          { AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com/sms" },
        ),
      ),
    ).toBe(
      "[DP-3 ENDPOINT_NOT_ALLOWED] The endpoint (AZURE_COMMUNICATION_ENDPOINT) contains a path. Use only https://<host>[:port].",
    );
    expect(messageOf(() => AcsClientFactory.fromEnvironment({}, {}))).toBe(
      "[DP-3 ENDPOINT_NOT_CONFIGURED] No ACS endpoint: AZURE_COMMUNICATION_ENDPOINT is not set and no endpoint option was passed. Set it to https://<name>.communication.azure.com.",
    );
    expect(
      messageOf(() =>
        AcsClientFactory.fromEnvironment(
          { endpoint: "" },
          { AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com" },
        ),
      ),
    ).toBe(
      "[DP-3 ENDPOINT_NOT_CONFIGURED] No ACS endpoint: the endpoint option is missing, empty or not a string. Set it to https://<name>.communication.azure.com.",
    );
    // A host list entry that holds a key never reaches the message.
    const key = "A".repeat(43) + "=";
    expect(
      messageOf(() =>
        AcsClientFactory.fromEnvironment({}, { ...env, AZURE_COMMUNICATION_ALLOWED_HOSTS: `localhost,${key}` }),
      ),
    ).not.toContain(key);
  });
});

describe("--allowed-host on the CLI", () => {
  const env = {
    AZURE_COMMUNICATION_ENDPOINT: "https://127.0.0.1:8443",
    AZURE_TENANT_ID: TENANT,
    AZURE_CLIENT_ID: CLIENT,
  };
  const doctor = (args: string[], e: NodeJS.ProcessEnv) =>
    runCaptured((io) => doctorCommand(["--json", ...args], { ...io, env: e, cwd: process.cwd(), stderrIsTTY: false }));
  const endpointCheck = (out: string) =>
    (JSON.parse(out) as { checks: { name: string; status: string; message: string }[] }).checks.find(
      (c) => c.name === "endpoint",
    );

  it("doctor: the variable, the flag, or neither (the refusal names both ways to allow the host)", async () => {
    expect(endpointCheck((await doctor([], env)).out)).toMatchObject({
      status: "fail",
      message:
        'AZURE_COMMUNICATION_ENDPOINT: [DP-3 ENDPOINT_NOT_ALLOWED] The endpoint host is not in the allowed hosts ("*.communication.azure.com", "*.communication.azure.us"). Use your ACS resource\'s host, or add it to AZURE_COMMUNICATION_ALLOWED_HOSTS (comma-separated) or --allowed-host.',
    });
    expect(endpointCheck((await doctor(["--allowed-host", "127.0.0.1"], env)).out)?.status).toBe("pass");
    expect(
      endpointCheck((await doctor([], { ...env, AZURE_COMMUNICATION_ALLOWED_HOSTS: "127.0.0.1" })).out)?.status,
    ).toBe("pass");
  });

  it("posture: an endpoint the factory would refuse is a configuration error (exit 2) unless allowed", async () => {
    const command = createPostureCommand();
    const run = (args: string[], e: NodeJS.ProcessEnv) =>
      runCaptured((io) => command(args, { ...io, env: e, cwd: process.cwd(), stderrIsTTY: false }));
    const resource =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs";
    const refused = await run([], { ...env, AZURE_COMMUNICATION_RESOURCE_ID: resource });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("ENDPOINT_NOT_ALLOWED");
    expect(refused.err).toContain("AZURE_COMMUNICATION_ALLOWED_HOSTS (comma-separated) or --allowed-host");
    // Allowed by the flag: the endpoint passes, and the next refusal is the missing credential.
    const allowed = await run(["--allowed-host", "127.0.0.1"], { ...env, AZURE_COMMUNICATION_RESOURCE_ID: resource });
    expect(allowed.code).toBe(2);
    expect(allowed.err).toContain("CREDENTIAL_NOT_CONFIGURED");
  });
});
