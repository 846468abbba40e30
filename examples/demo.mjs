// `npm run demo`: the whole product in one run, against the local emulator (no Azure account needed).
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { AcsClientFactory, BaselineViolationError, formatAuditLog, verifyLog } from "acs-baseline";
import { startEmulator } from "acs-baseline-emulator";
import { maskPhone } from "./lib/connect.mjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const started = Date.now();
const step = (n, text) => console.log(`\n${n}. ${text}`);
const dir = mkdtempSync(join(tmpdir(), "acs-baseline-demo-"));
const auditFile = join(dir, "logs", "audit.log");
// The checkpoint key lives outside the log's directory (better: in Key Vault, see docs/audit-log.md); the anchor stands
// in for the immutable append blob on another machine.
const keyDir = join(dir, "keys");
mkdirSync(keyDir);
const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
writeFileSync(join(keyDir, "audit-signing.pem"), privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
const publicKeyPem = publicKey.export({ type: "spki", format: "pem" });
const anchorFile = join(dir, "anchor", "audit.anchor");
mkdirSync(join(dir, "anchor"));
const audit = {
  destination: auditFile,
  signing: { privateKey: join(keyDir, "audit-signing.pem"), keyId: "demo-2026" },
  checkpoint: { everyRecords: 3, everyMs: 60_000 },
  anchor: { file: { path: anchorFile } },
};

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
  audit,
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
    audit,
  });
} catch (error) {
  if (!(error instanceof BaselineViolationError)) throw error;
  console.log(`   ${error.name} ${error.code} (${error.control}):\n   ${error.message}`);
}

step(7, "Close the factory and verify the audit log: hash chain, signed checkpoints (public key only), the anchor");
await factory.close();
await emu.close();
const anchorLines = () => readFileSync(anchorFile, "utf8").trimEnd().split("\n");
const verdict = await verifyLog(auditFile, { publicKey: publicKeyPem, anchorLines: anchorLines() });
console.log(`   ${verdict.intact ? "intact" : verdict.status.toUpperCase()}: ${verdict.records} records${verdict.closed ? ", closed" : ""}, ${verdict.checkpoints} signed checkpoints, ${anchorLines().length} in the anchor`);

step(8, "Someone with write access cuts the tail and forges nothing: the anchor catches it");
const cutFile = join(dir, "logs", "audit-cut.log");
const lines = readFileSync(auditFile, "utf8").trimEnd().split("\n");
const firstCheckpoint = lines.findIndex((l) => l.includes('"log.checkpoint"'));
writeFileSync(cutFile, `${lines.slice(0, firstCheckpoint + 1).join("\n")}\n`); // what is left is sealed…
const alone = await verifyLog(cutFile, { publicKey: publicKeyPem });
const cut = await verifyLog(cutFile, { publicKey: publicKeyPem, anchorLines: anchorLines() });
console.log(`   the cut file alone, with the key: ${alone.status} (${alone.records} records, sealed)`);
console.log(`   with the anchor: ${cut.status.toUpperCase()}: ${cut.reasons[0]}`);

step(9, "The audit trail");
console.log(
  formatAuditLog(readFileSync(auditFile, "utf8"))
    .split("\n")
    .map((line) => `   ${line}`)
    .join("\n"),
);
rmSync(dir, { recursive: true, force: true });
console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
process.exitCode = verdict.intact && cut.status === "incomplete" && sms.successful ? 0 : 1;
