// `npm run demo`: the whole product in one run, against the local emulator (no Azure account needed).
import { readFileSync } from "node:fs";
import { AcsClientFactory, BaselineViolationError, formatAuditLog, verifyLog } from "acs-baseline";
import { startEmulator } from "acs-baseline/emulator";
import { maskPhone } from "./lib/connect.mjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const started = Date.now();
const step = (n, text) => console.log(`\n${n}. ${text}`);
const dir = mkdtempSync(join(tmpdir(), "acs-baseline-demo-"));
const auditFile = join(dir, "audit.log");

step(1, "Start the local emulator (Entra ID token endpoint + ACS data plane over TLS)");
const emu = await startEmulator();
console.log(`   Entra ${emu.authorityHost}   ACS ${emu.endpoint}`);

step(2, "Register a service principal with a certificate");
const app = await emu.createTestApplication({ directory: dir });
console.log(`   client ${app.clientId}, certificate SHA-256 ${app.thumbprint.slice(0, 16)}…`);

step(3, "Build clients through AcsClientFactory (certificate first, guard + audit on every client)");
const factory = new AcsClientFactory({
  endpoint: emu.endpoint,
  tenantId: emu.tenantId,
  clientId: app.clientId,
  certificate: { path: app.certificatePath },
  authorityHost: emu.authorityHost,
  disableInstanceDiscovery: true,
  allowedAuthorityHosts: ["localhost"],
  allowedHosts: ["127.0.0.1"],
  clientOptions: { tlsOptions: { ca: emu.caCertificatePem } },
  audit: { destination: auditFile },
});
console.log(`   credential: ${factory.credentialType}`);

step(4, "Send an SMS");
const to = "+14255550123";
const [sms] = await factory.createSmsClient().send({ from: "+14255550100", to: [to], message: "Hello from acs-baseline" });
console.log(`   to ${maskPhone(to)}: ${sms.successful ? "accepted" : "failed"} (${sms.messageId})`);

step(5, "Create an ACS identity and issue it a chat token");
const { user, token, expiresOn } = await factory.createIdentityClient().createUserAndToken(["chat"]);
console.log(`   ${user.communicationUserId.slice(0, 24)}…  token of ${token.length} characters (not printed), expires ${expiresOn.toISOString()}`);

step(6, "Try a connection string: refused before anything is sent");
try {
  new AcsClientFactory({
    endpoint: "endpoint=https://contoso.communication.azure.com/;accesskey=ZGVtby1rZXktbmV2ZXItcHJpbnRlZA==",
    audit: { destination: auditFile },
  });
} catch (error) {
  if (!(error instanceof BaselineViolationError)) throw error;
  console.log(`   ${error.name} ${error.code} (${error.control}):\n   ${error.message}`);
}

step(7, "Close the factory and verify the audit log's hash chain");
await factory.close();
await emu.close();
const verdict = await verifyLog(auditFile);
console.log(`   ${verdict.intact ? "intact" : "TAMPERED"}: ${verdict.records} records${verdict.closed ? ", closed" : ""}`);

step(8, "The audit trail");
console.log(
  formatAuditLog(readFileSync(auditFile, "utf8"))
    .split("\n")
    .map((line) => `   ${line}`)
    .join("\n"),
);
rmSync(dir, { recursive: true, force: true });
console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
process.exitCode = verdict.intact && sms.successful ? 0 : 1;
