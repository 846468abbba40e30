// A newcomer's first run against a fresh emulator: what the emulator gives (the environment it prints,
// emulatorFactoryOptions, emulatorPostureOptions) is enough for fromEnvironment, doctor and posture to pass with
// real @azure/identity credentials, real ACS and ARM SDK clients over TLS, and nothing added by hand.
import { describe, expect, it } from "vitest";
import { AcsClientFactory, checkPosture } from "../../packages/acs-baseline/src/index.js";
import { doctorCommand } from "../../packages/cli/src/commands/doctor.js";
import { createPostureCommand } from "../../packages/cli/src/commands/posture.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions, emulatorPostureOptions } from "../../packages/emulator/src/index.js";
import { runCaptured } from "../support/captureOutput.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

/** The environment `acs-baseline emulator` prints (the CA as clientOptions: NODE_EXTRA_CA_CERTS is read at start-up). */
const printedEnv = (): NodeJS.ProcessEnv => ({
  AZURE_TENANT_ID: emu.tenantId,
  AZURE_CLIENT_ID: app.clientId,
  AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath,
  AZURE_AUTHORITY_HOST: emu.authorityHost,
  AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: new URL(emu.authorityHost).hostname,
  AZURE_COMMUNICATION_ENDPOINT: emu.endpoint,
  AZURE_COMMUNICATION_ALLOWED_HOSTS: new URL(emu.endpoint).hostname,
  AZURE_COMMUNICATION_RESOURCE_ID: emu.arm.resourceId,
  AZURE_RESOURCE_MANAGER_ENDPOINT: emu.arm.endpoint,
});
const trustEmulator = () => ({ clientOptions: { tlsOptions: { ca: emu.caCertificatePem } } });
/** What `acs-baseline emulator --baseline-resource` sets: local auth off, all logs to a workspace. */
function baselineResource(): () => void {
  emu.arm.resource.disableLocalAuth = true;
  const workspaceId = `/subscriptions/${emu.arm.subscriptionId}/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/acs-logs`;
  emu.arm.setDiagnosticSetting("baseline", { workspaceId, logs: [{ categoryGroup: "allLogs", enabled: true }] });
  return () => {
    emu.arm.resource.disableLocalAuth = false;
    emu.arm.clearDiagnosticSettings();
  };
}

describe("a fresh emulator: what it gives is enough", () => {
  it("the test application holds Reader on the resource, and nothing else at ARM", () => {
    const mine = emu.arm.roleAssignments.filter((a) => a.principalId === app.objectId);
    expect(mine).toHaveLength(1);
    expect(mine[0].scope.toLowerCase()).toBe(emu.arm.resourceId.toLowerCase());
    expect(mine[0].roleDefinitionId.toLowerCase()).toContain("acdd72a7-3385-48ef-bd42-f606fba81ae7"); // Reader
  });

  it("checkPosture(emulatorPostureOptions(emu, app)), local auth disabled: every check is read (none unknown); only LT-4 logs fail", async () => {
    emu.arm.resource.disableLocalAuth = true;
    try {
      const result = await checkPosture(emulatorPostureOptions(emu, app));
      expect(result.checks.filter((c) => c.status === "unknown").map((c) => `${c.id}: ${c.evidence}`)).toEqual([]);
      expect(result.checks.filter((c) => c.status === "fail").map((c) => c.id)).toEqual(["resource-logs"]);
      expect(result.checks.find((c) => c.id === "local-auth-disabled")?.status).toBe("pass");
      expect(result.checks.find((c) => c.id === "endpoint-matches")?.status).toBe("pass");
    } finally {
      emu.arm.resource.disableLocalAuth = false;
    }
  });

  it("checkPosture on the baseline resource (--baseline-resource) has no failing or unknown check", async () => {
    const restore = baselineResource();
    try {
      const result = await checkPosture(emulatorPostureOptions(emu, app));
      const failing = result.checks
        .filter((c) => c.status === "fail" || c.status === "unknown")
        .map((c) => `${c.id}: ${c.evidence}`);
      expect(failing).toEqual([]);
    } finally {
      restore();
    }
  });

  it("acs-baseline posture with the printed environment exits 0 on the baseline resource, 1 on Azure's defaults", async () => {
    const command = createPostureCommand(trustEmulator());
    const run = () =>
      runCaptured((io) => command([], { ...io, env: printedEnv(), cwd: process.cwd(), stderrIsTTY: false }));
    const restore = baselineResource();
    try {
      const passed = await run();
      expect(passed.err).toBe("");
      expect(passed.code).toBe(0);
    } finally {
      restore();
    }
    const failed = await run();
    expect(failed.code).toBe(1);
    expect(failed.out).toContain("local-auth-disabled");
  });

  it("emulatorFactoryOptions fills in the posture ARM endpoint and resource: an enforcing factory sends", async () => {
    const restore = baselineResource();
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { posture: { mode: "enforce" as const } }));
    try {
      const [sent] = await factory
        .createSmsClient()
        .send({ from: "+14255550100", to: ["+14255550123"], message: "hi" });
      expect(sent?.successful).toBe(true);
      expect((await factory.checkPosture()).summary.fail).toBe(0);
    } finally {
      await factory.close();
      restore();
    }
  });

  it("fromEnvironment with the printed environment reaches the emulator without any override of hosts", async () => {
    const factory = AcsClientFactory.fromEnvironment(trustEmulator(), printedEnv());
    try {
      const [sent] = await factory
        .createSmsClient()
        .send({ from: "+14255550100", to: ["+14255550123"], message: "hi" });
      expect(sent?.successful).toBe(true);
    } finally {
      await factory.close();
    }
  });

  it("doctor --online with the printed environment passes without --allowed-host", async () => {
    // doctor reads the CA the way a shell does: NODE_EXTRA_CA_CERTS is not re-read in-process, so this checks offline.
    const r = await runCaptured((io) =>
      doctorCommand(["--json"], { ...io, env: printedEnv(), cwd: process.cwd(), stderrIsTTY: false }),
    );
    const report = JSON.parse(r.out) as { ok: boolean; checks: { name: string; status: string; message: string }[] };
    expect(report.checks.find((c) => c.name === "endpoint")).toMatchObject({ status: "pass" });
    expect(report.ok).toBe(true);
  });
});
