// Shared by the examples: an AcsClientFactory from the AZURE_* environment when it is configured (Azure, or an
// emulator started in another shell with `acs-baseline emulator`), otherwise from the local emulator started in this
// process.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AcsClientFactory } from "acs-baseline";
import { emulatorFactoryOptions, startEmulator } from "acs-baseline-emulator";

/** @returns {Promise<{ factory: AcsClientFactory, auditFile: string, target: string, close: () => Promise<void> }>} */
export async function connect() {
  const auditFile = join(mkdtempSync(join(tmpdir(), "acs-example-")), "audit.log");
  if (process.env.AZURE_COMMUNICATION_ENDPOINT) {
    const factory = AcsClientFactory.fromEnvironment({ audit: { destination: auditFile } });
    return { factory, auditFile, target: describeEndpoint(factory.endpoint), close: () => factory.close() };
  }
  const emu = await startEmulator();
  const app = await emu.createTestApplication();
  // The emulator's endpoint, tenant, authority and CA, and the application's certificate (see docs/emulator.md).
  const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { audit: { destination: auditFile } }));
  return {
    factory,
    auditFile,
    target: "the local emulator",
    close: async () => {
      await factory.close();
      await emu.close();
    },
  };
}

/** Loopback hosts: where `acs-baseline emulator` listens (`export AZURE_COMMUNICATION_ENDPOINT=https://127.0.0.1:…`). */
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * What the examples print after "via": the emulator for a loopback endpoint (an emulator in another shell, its
 * `export` lines pasted), Azure otherwise; with the endpoint's host either way.
 */
export function describeEndpoint(endpoint) {
  let url;
  try {
    url = new URL(endpoint);
  } catch {
    return "Azure";
  }
  return LOOPBACK.has(url.hostname) || url.hostname.endsWith(".localhost")
    ? `the emulator at ${url.host}`
    : `Azure (${url.host})`;
}

/** Shows only the last 4 digits of a phone number. */
export const maskPhone = (n) => `${"*".repeat(Math.max(0, n.length - 4))}${n.slice(-4)}`;
