// Runs the emulator in its own process for the sweep benchmark, seeded with a generated estate (RESOURCES resources
// over SUBSCRIPTIONS subscriptions), so the emulator's memory and CPU are not counted against the sweep. Prints one
// JSON line with the connection details, then serves until stdin closes.
import { startEmulator } from "acs-baseline-emulator";

const resources = Number(process.env.RESOURCES ?? 10000);
const subscriptions = Number(process.env.SUBSCRIPTIONS ?? 50);
const emu = await startEmulator({ tokenLifetimeSeconds: 3600 });
const app = await emu.createTestApplication();
emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "root" });
emu.arm.estate.seedGenerated(resources, subscriptions);
process.stdout.write(
  `${JSON.stringify({
    authorityHost: emu.authorityHost,
    armEndpoint: emu.arm.endpoint,
    tenantId: emu.tenantId,
    caCertificatePem: emu.caCertificatePem,
    clientId: app.clientId,
    certificatePath: app.certificatePath,
  })}\n`,
);
const stop = async () => {
  await emu.close();
  process.exit(0);
};
process.stdin.on("end", stop).resume();
process.on("SIGTERM", stop);
