// Send an SMS through a factory client (Entra ID only, guarded, audited).
// Against Azure: set AZURE_COMMUNICATION_ENDPOINT, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_CERTIFICATE_PATH,
// and SMS_FROM / SMS_TO (E.164). Without them it runs against the local emulator.
import { connect, maskPhone } from "./lib/connect.mjs";

const { factory, target, close } = await connect();
try {
  const from = process.env.SMS_FROM ?? "+14255550100";
  const to = process.env.SMS_TO ?? "+14255550123";
  const [result] = await factory.createSmsClient().send({ from, to: [to], message: "Hello from acs-baseline" });
  console.log(
    `SMS to ${maskPhone(to)} via ${target}: ${result.successful ? `accepted (${result.messageId})` : `failed (${result.errorMessage})`}`,
  );
  process.exitCode = result.successful ? 0 : 1;
} finally {
  await close();
}
