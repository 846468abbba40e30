// Runs the acs-baseline emulator in its own process, so its CPU and memory are not counted against the client being
// measured. `node emulatorProcess.mjs RESOURCES SUBSCRIPTIONS` (the sweep benchmark): the test application reads the
// whole tenant, seeded with a generated estate of RESOURCES ACS resources over SUBSCRIPTIONS subscriptions.
// Prints one JSON line with the connection details, then serves until stdin closes.
import { startEmulator } from "acs-baseline-emulator";

const emu = await startEmulator({ tokenLifetimeSeconds: 3600 });
const app = await emu.createTestApplication();
const [resources, subscriptions] = process.argv.slice(2);
if (resources !== undefined) {
  emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "root" });
  emu.arm.estate.seedGenerated(Number(resources), Number(subscriptions));
}
process.stdout.write(
  `${JSON.stringify({
    endpoint: emu.endpoint,
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
