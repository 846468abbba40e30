// Runs the acs-baseline emulator in its own process for the request-overhead benchmark, so its CPU is not
// counted against the client. Prints one JSON line with the connection details, then serves until stdin closes.
import { startEmulator } from "acs-baseline-emulator";

const emu = await startEmulator({ tokenLifetimeSeconds: 3600 });
const app = await emu.createTestApplication();
process.stdout.write(
  `${JSON.stringify({
    endpoint: emu.endpoint,
    authorityHost: emu.authorityHost,
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
