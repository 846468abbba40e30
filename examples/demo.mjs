// `npm run demo`: the whole product in one run, against the local emulator (no Azure account needed).
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { CommunicationServiceManagementClient } from "@azure/arm-communication";
import { MonitorClient } from "@azure/arm-monitor";
import { SmsClient } from "@azure/communication-sms";
import { ClientCertificateCredential } from "@azure/identity";
import { ContainerClient } from "@azure/storage-blob";
import {
  AcsClientFactory,
  BaselineViolationError,
  checkPosture,
  formatAuditLog,
  renderPosturePlan,
  verifyLog,
} from "acs-baseline";
import { startEmulator } from "acs-baseline-emulator";
import { checkReadiness, sweepEstate } from "acs-baseline-cli";
import { startAzurite } from "./lib/azurite.mjs";
import { maskPhone } from "./lib/connect.mjs";
import { fits, say, wrap } from "./lib/print.mjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Every line fits 100 columns (examples/lib/print.mjs wraps at spaces). Steps number themselves: a new step is one
// more step("…") call, and what it showed goes into the three-line summary at the end (summary.* below).
const started = Date.now();
let steps = 0;
const step = (text) => console.log(`\n${wrap(`${++steps}. ${text}`, { indent: "", hang: "   " })}`);
const summary = { entra: [], audit: [], posture: [] };
const dir = mkdtempSync(join(tmpdir(), "acs-baseline-demo-"));
const auditFile = join(dir, "logs", "audit.log");
// The checkpoint key lives outside the log's directory (better: in Key Vault, see docs/audit-log.md); the anchor is an
// append blob in Azurite, the official Azure Storage emulator, written with the factory's own Entra credential.
const keyDir = join(dir, "keys");
mkdirSync(keyDir);
const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
writeFileSync(join(keyDir, "audit-signing.pem"), privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
const publicKeyPem = publicKey.export({ type: "spki", format: "pem" });

step(
  "Start the local emulator (Entra ID token endpoint + ACS data plane over TLS) and Azurite (blob storage, HTTPS, OAuth)",
);
const [emu, azurite] = await Promise.all([startEmulator(), startAzurite()]);
say(`Entra ${emu.authorityHost}   ACS ${emu.endpoint}`);
say(`Storage ${azurite.accountUrl}`);

step("Register a service principal with a certificate");
const app = await emu.createTestApplication({ directory: dir });
say(`client ${app.clientId}, certificate SHA-256 ${app.thumbprint.slice(0, 16)}…`);
// The container for the anchor (in Azure: created once by the operator, with a locked time-based immutability policy
// and allowProtectedAppendWrites, see docs/audit-anchor.md).
const storageTls = { tlsOptions: { ca: azurite.caCertificatePem } };
const containerUrl = `${azurite.accountUrl}/audit-anchor`;
const blobName = "demo/audit.anchor.jsonl";
const storageCredential = new ClientCertificateCredential(
  emu.tenantId,
  app.clientId,
  { certificatePath: app.certificatePath },
  { authorityHost: emu.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: emu.caCertificatePem } },
);
await new ContainerClient(containerUrl, storageCredential, storageTls).createIfNotExists();
const audit = {
  destination: auditFile,
  signing: { privateKey: join(keyDir, "audit-signing.pem"), keyId: "demo-2026" },
  checkpoint: { everyRecords: 3, everyMs: 60_000 },
  // Azurite runs on loopback, which is not an Azure Storage host: it is allowed explicitly, with its CA.
  anchor: { blob: { containerUrl, blobName, allowedHosts: ["127.0.0.1"], ...storageTls } },
};

step("Build clients through AcsClientFactory (certificate first, guard + audit on every client)");
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
say(`credential: ${factory.credentialType}`);

step("Send an SMS");
const to = "+14255550123";
const [sms] = await factory
  .createSmsClient()
  .send({ from: "+14255550100", to: [to], message: "Hello from acs-baseline" });
say(`to ${maskPhone(to)}: ${sms.successful ? "accepted" : "failed"} (${sms.messageId})`);

step("Create an ACS identity and issue it a chat token");
const { user, token, expiresOn } = await factory.createIdentityClient().createUserAndToken(["chat"]);
say(
  `${user.communicationUserId.slice(0, 24)}…  token of ${token.length} characters (not printed), expires ${expiresOn.toISOString().slice(0, 16)}Z`,
);
summary.entra.push("certificate credential", "SMS sent", "user token issued");

step("Try a connection string: refused before anything is sent");
// Its own audit file: every factory's recorder writes its own log.close, so a second factory on the main file
// (even one whose constructor threw) would add a second log.close there.
const refusedFile = join(dir, "logs", "refused.log");
try {
  new AcsClientFactory({
    endpoint: "endpoint=https://contoso.communication.azure.com/;accesskey=ZGVtby1rZXktbmV2ZXItcHJpbnRlZA==",
    audit: { destination: refusedFile },
  });
} catch (error) {
  if (!(error instanceof BaselineViolationError)) throw error;
  say(`${error.name} ${error.code} (${error.control}):\n${error.message}`);
  summary.entra.push("connection string refused");
}

step("Close the factory and verify the audit log: hash chain, signed checkpoints (public key only), the blob anchor");
await factory.close();
// The anchor read back from storage (what `acs-baseline verify-log --anchor <blob URL>` does, with an Entra reader).
const anchorBlob = await new ContainerClient(containerUrl, storageCredential, storageTls)
  .getAppendBlobClient(blobName)
  .downloadToBuffer();
const anchorLines = anchorBlob.toString("utf8").trimEnd().split("\n");
await azurite.stop();
const verdict = await verifyLog(auditFile, { publicKey: publicKeyPem, anchorLines });
say(
  `${verdict.intact ? "intact" : verdict.status.toUpperCase()}: ${verdict.records} records${verdict.closed ? ", closed" : ""}, ${verdict.checkpoints} signed checkpoints, ${anchorLines.length} in the append blob`,
);
summary.audit.push(`${verdict.records} records, hash chain, ${verdict.checkpoints} signed checkpoints, blob anchor`);

step("Someone with write access cuts the tail and forges nothing: the anchor catches it");
const cutFile = join(dir, "logs", "audit-cut.log");
const lines = readFileSync(auditFile, "utf8").trimEnd().split("\n");
const firstCheckpoint = lines.findIndex((l) => l.includes('"log.checkpoint"'));
writeFileSync(cutFile, `${lines.slice(0, firstCheckpoint + 1).join("\n")}\n`); // what is left is sealed…
const alone = await verifyLog(cutFile, { publicKey: publicKeyPem });
const cut = await verifyLog(cutFile, { publicKey: publicKeyPem, anchorLines });
say(`the cut file alone, with the key: ${alone.status} (${alone.records} records, sealed)`);
say(`with the anchor: ${cut.status.toUpperCase()}: ${cut.reasons[0]}`);
summary.audit.push(`a cut tail: ${cut.status}`);

// After close(): the factory's process-wide backstop stops any access-key request to its endpoint while it is open,
// so the "leaked key" below (an attacker's client) can only be shown once it is closed.
step("Resource posture: the ACS resource through Azure Resource Manager (real management SDKs, read only)");
// The app may read the resource (Reader); an operator account (Owner on the subscription) applies fixes.
emu.arm.assignRole({ principalId: app.objectId, role: "Reader" });
const operator = await emu.createTestApplication({ directory: dir });
emu.arm.assignRole({ principalId: operator.objectId, role: "Owner", scope: "subscription" });
const tls = { tlsOptions: { ca: emu.caCertificatePem } };
const postureOptions = {
  resourceId: emu.arm.resourceId,
  armEndpoint: emu.arm.endpoint,
  endpoint: emu.endpoint,
  clients: ["sms", "identity"],
  tenantId: emu.tenantId,
  clientId: app.clientId,
  certificate: { path: app.certificatePath },
  authorityHost: emu.authorityHost,
  allowedAuthorityHosts: [new URL(emu.authorityHost).hostname], // the emulator is not a Microsoft cloud login host
  disableInstanceDiscovery: true,
  clientOptions: tls,
};
const show = (result) => {
  for (const c of result.checks)
    say(
      `${{ pass: "✓", fail: "✗", warn: "!", unknown: "?" }[c.status]} ${c.id}: ${c.evidence.replaceAll(emu.arm.resourceId, "$ACS_ID")}`,
      { hang: "    " },
    );
};
const leaked = new SmsClient(emu.arm.connectionString(), { ...tls, retryOptions: { maxRetries: 0 } });
const [viaKey] = await leaked.send({ from: "+14255550100", to: [to], message: "sent with a leaked key" });
say(`a leaked connection string (access key, not printed) sends an SMS: ${viaKey.successful ? "accepted" : "failed"}`);
const before = await checkPosture(postureOptions);
show(before);
say("the plan (az), for review, nothing changed ($ARM: ARM endpoint, $ACS_ID: resource, $LOGS: workspace):");
const workspaceId = `/subscriptions/${emu.arm.subscriptionId}/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/acs-logs`;
printPlan(
  renderPosturePlan(before, "az", { workspaceId, clients: ["sms", "identity"], armEndpoint: emu.arm.endpoint }),
);

step("Apply the plan through the ARM SDKs (as the operator), then the leaked key dies and posture passes");
const operatorCredential = new ClientCertificateCredential(
  emu.tenantId,
  operator.clientId,
  { certificatePath: operator.certificatePath },
  { authorityHost: emu.authorityHost, disableInstanceDiscovery: true, ...tls },
);
const arm = { endpoint: emu.arm.endpoint, $host: emu.arm.endpoint, ...tls };
const [, , , , resourceGroup, , , , resourceName] = emu.arm.resourceId.split("/");
// The operator's old script still fetches the keys once more (listKeys): the Activity Log records who.
await new CommunicationServiceManagementClient(
  operatorCredential,
  emu.arm.subscriptionId,
  arm,
).communicationServices.listKeys(resourceGroup, resourceName);
await new CommunicationServiceManagementClient(
  operatorCredential,
  emu.arm.subscriptionId,
  arm,
).communicationServices.update(resourceGroup, resourceName, { disableLocalAuth: true });
await new MonitorClient(operatorCredential, emu.arm.subscriptionId, {
  endpoint: emu.arm.endpoint,
  credentials: { scopes: [emu.arm.tokenScope] },
  ...tls,
}).diagnosticSettings.createOrUpdate(emu.arm.resourceId.slice(1), "acs-baseline-all-logs", {
  workspaceId,
  logs: [{ categoryGroup: "allLogs", enabled: true }],
});
say("PATCH disableLocalAuth: true (api-version 2025-09-01); diagnostic setting allLogs → the workspace");
const dead = await leaked.send({ from: "+14255550100", to: [to], message: "sent with a leaked key" }).then(
  () => "accepted (unexpected)",
  (error) => `HTTP ${error.statusCode} ${error.code}`,
);
say(`the leaked connection string now gets: ${dead}`);
const after = await checkPosture(postureOptions);
show(after);
say(
  `posture: ${after.summary.fail === 0 ? "passes" : "still fails"} (${after.summary.pass} pass, ${after.summary.fail} fail, ${after.summary.warn} warn, ${after.summary.unknown} unknown)`,
);
summary.posture.push("leaked key dead after the plan", `${before.summary.fail} → ${after.summary.fail} failing`);

step("Across the estate: sweep every ACS resource through Resource Graph, readiness from the Activity Log");
emu.arm.estate.seedSmall();
emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "managementGroup" });
const armOptions = { ...postureOptions };
for (const key of ["resourceId", "endpoint", "clients"]) delete armOptions[key]; // posture's, not the estate's
const swept = await sweepEstate(armOptions);
for (const r of swept.resources) {
  const readers = r.keyReaders?.length ?? "?";
  say(
    `${r.localAuth === "enabled" ? "✗" : "✓"} ${r.name}: local auth ${r.localAuth}, policy ${r.policy.status}, ${readers} key readers`,
  );
}
const est = swept.summary;
say(
  `${est.resources} resources, ${est.localAuthEnabled} with keys on, ${est.unprotected} unprotected, ${swept.requests} Resource Graph requests`,
);
const readiness = await checkReadiness({ ...armOptions, resourceId: emu.arm.resourceId });
const callers = readiness.keyAccess.map((k) => `appid ${k.appId} (${k.operation}, ${k.count}×)`).join(", ") || "nobody";
say(`readiness of ${resourceName}: ${readiness.verdict}; keys fetched by ${callers}`);
summary.posture.push(`estate: ${est.localAuthEnabled}/${est.resources} keys on, key callers named`);

await emu.close();

step("The audit trail");
say(formatAuditLog(readFileSync(auditFile, "utf8")).trimEnd(), { hang: "                      " });
say("the refused attempt, in its own file:");
say(
  formatAuditLog(readFileSync(refusedFile, "utf8"))
    .split("\n")
    .filter((l) => l.includes(" refuse "))
    .join("\n"),
  { hang: "                      " },
);
rmSync(dir, { recursive: true, force: true });

console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. What was shown:`);
// Three lines, one per theme; each must stay within 100 columns (test/examples/examples.test.ts checks it).
console.log(`  Entra ID only: ${summary.entra.join(", ")}.`);
console.log(`  Audit: ${summary.audit.join("; ")}.`);
console.log(`  Posture: ${summary.posture.join("; ")}.`);
/** The plan with the long ids replaced by $ARM and $ACS_ID, wrapped; a line with a word too long for 100 columns (the
 * role definition's JSON) is named, not cut: `acs-baseline posture --plan az` prints it whole. */
function printPlan(plan) {
  const short = plan
    .replaceAll(emu.arm.endpoint, "$ARM")
    .replaceAll(emu.arm.resourceId, "$ACS_ID")
    .replaceAll(workspaceId, "$LOGS")
    .trimEnd();
  for (const line of short.split("\n")) {
    const words = line.split(" ");
    const fitting = words
      .slice(
        0,
        Math.max(
          0,
          words.findIndex((w) => !fits(w, { indent: "     " })),
        ),
      )
      .slice(0, 4);
    const shown = fits(line, { indent: "     " })
      ? line
      : `${fitting.join(" ")} … (${line.length} characters; acs-baseline posture --plan az prints it)`;
    say(shown, { indent: "     ", hang: "    " });
  }
}

process.exitCode =
  verdict.intact &&
  cut.status === "incomplete" &&
  sms.successful &&
  viaKey.successful &&
  dead.startsWith("HTTP 401") &&
  before.summary.fail > 0 &&
  after.summary.fail === 0 &&
  swept.summary.localAuthEnabled > 0 &&
  readiness.keyAccess.some((k) => k.appId === operator.clientId)
    ? 0
    : 1;
