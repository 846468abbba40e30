/**
 * `acs-baseline emulator [--port N] [--entra-port N] [--token-lifetime S] [--baseline-resource]`: a local Entra ID + ACS
 * (+ ARM) for another shell.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startEmulator, type Emulator, type TestApplication } from "acs-baseline-emulator";
import type { CliCommand, CliIo } from "../io.js";
import { println, usageError } from "../io.js";

const HELP = `Usage: acs-baseline emulator [--port N] [--entra-port N] [--token-lifetime SECONDS] [--baseline-resource]

Starts a local Microsoft Entra ID token endpoint, ACS data plane and Azure Resource Manager over TLS, registers a demo
application with a certificate (Reader on the emulated resource), and prints the environment for another shell.
--baseline-resource starts the emulated resource as the baseline wants it (Azure's defaults fail posture): local auth
disabled (IM-1) and all resource logs sent to a Log Analytics workspace (LT-4), so \`acs-baseline posture\` passes.
Stops on Ctrl-C or SIGTERM.
Exit codes: 0 stopped by Ctrl-C or SIGTERM, 1 the emulator could not start (e.g. a port already in use), 2 bad usage
(an unknown flag, a --port or --entra-port outside 0-65535, a --token-lifetime that is not a whole number ≥ 1).`;

function port(value: string | undefined, name: string): number | string {
  if (value === undefined) return 0;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : `${name} must be a port number (0-65535)`;
}

/** What another shell needs: the environment for fromEnvironment(), doctor and posture. */
function printEnvironment(io: CliIo, emu: Emulator, app: TestApplication, caPath: string): void {
  println(
    io.stdout,
    `acs-baseline emulator running (Entra ${emu.authorityHost}, ACS ${emu.endpoint}, ARM ${emu.arm.endpoint}). In another shell:\n`,
  );
  for (const [name, value] of [
    ["AZURE_TENANT_ID", emu.tenantId],
    ["AZURE_CLIENT_ID", app.clientId],
    ["AZURE_CLIENT_CERTIFICATE_PATH", app.certificatePath],
    ["AZURE_AUTHORITY_HOST", emu.authorityHost],
    ["AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS", new URL(emu.authorityHost).hostname],
    ["AZURE_COMMUNICATION_ENDPOINT", emu.endpoint],
    ["AZURE_COMMUNICATION_ALLOWED_HOSTS", new URL(emu.endpoint).hostname],
    ["AZURE_COMMUNICATION_RESOURCE_ID", emu.arm.resourceId],
    ["AZURE_RESOURCE_MANAGER_ENDPOINT", emu.arm.endpoint],
    ["NODE_EXTRA_CA_CERTS", caPath],
  ]) {
    println(io.stdout, `export ${name}=${value}`);
  }
  println(
    io.stdout,
    "\nThen AcsClientFactory.fromEnvironment(), `acs-baseline doctor --online` and `acs-baseline posture` work as they are." +
      "\nThe test app holds Reader on the emulated resource; with --baseline-resource, posture passes." +
      "\nIn code: emulatorFactoryOptions(emu, app) and emulatorPostureOptions(emu, app) from acs-baseline-emulator. Ctrl-C stops.",
  );
}

export const emulatorCommand: CliCommand = async (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        port: { type: "string", short: "p" },
        "entra-port": { type: "string" },
        "token-lifetime": { type: "string" },
        "baseline-resource": { type: "boolean", default: false },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return usageError(io, "emulator", (error as Error).message, HELP);
  }
  if (parsed.values.help === true) {
    println(io.stdout, HELP);
    return 0;
  }
  const acsPort = port(parsed.values.port, "--port");
  const entraPort = port(parsed.values["entra-port"], "--entra-port");
  const lifetime = parsed.values["token-lifetime"] === undefined ? 3600 : Number(parsed.values["token-lifetime"]);
  for (const problem of [acsPort, entraPort]) {
    if (typeof problem === "string") {
      return usageError(io, "emulator", problem);
    }
  }
  if (!Number.isInteger(lifetime) || lifetime < 1) {
    return usageError(io, "emulator", "--token-lifetime must be a whole number of seconds ≥ 1");
  }
  // Listen for Ctrl-C / SIGTERM before anything starts, so a signal during start-up still removes the temporary folder.
  const stop = io.stopSignal ?? new Promise<string>(() => undefined);
  const emu = await startEmulator({
    acsPort: acsPort as number,
    entraPort: entraPort as number,
    tokenLifetimeSeconds: lifetime,
  });
  if (parsed.values["baseline-resource"] === true) {
    emu.arm.resource.disableLocalAuth = true;
    const workspaceId = `/subscriptions/${emu.arm.subscriptionId}/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/acs-logs`;
    emu.arm.setDiagnosticSetting("baseline", { workspaceId, logs: [{ categoryGroup: "allLogs", enabled: true }] });
  }
  const dir = mkdtempSync(join(tmpdir(), "acs-baseline-emulator-"));
  try {
    // The demo application holds Reader on the resource (the emulator's default), so `posture` works from the other shell.
    const app = await emu.createTestApplication({ directory: dir });
    // A small estate for `acs-baseline sweep` and `readiness`, readable by the demo application from the management group.
    emu.arm.estate.seedSmall();
    emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "managementGroup" });
    const caPath = join(dir, "emulator-ca.pem");
    writeFileSync(caPath, emu.caCertificatePem, { mode: 0o644 });
    printEnvironment(io, emu, app, caPath);
    const signal = await stop;
    println(io.stderr, `\n${signal}: stopping the emulator`);
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
};
