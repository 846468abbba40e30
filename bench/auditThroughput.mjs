// 3. Audit throughput: request-shaped records per second to a file, without and with hash chaining, and chained +
//    signed (ECDSA P-256 checkpoint every 1,000 records, in-process key), and the cost per record. Each run ends
//    with close() (flushed to disk, log.close and the final checkpoint written) inside the timed section. The
//    signature cost is measured on its own: it is paid once per checkpoint, never per record.
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuditRecorder } from "acs-baseline";
import { fmt } from "./lib/stats.mjs";
import { REQUEST_EVENT as EVENT } from "./lib/requestEvent.mjs";

const EVERY_RECORDS = 1000;

async function once(records, mode, dir, keyPath) {
  const chain = mode !== "off";
  const file = join(dir, `audit-${mode}-${records}-${Math.random().toString(36).slice(2)}.log`);
  const recorder = createAuditRecorder({
    destination: file,
    chain,
    ...(mode === "signed"
      ? {
          signing: { privateKey: keyPath, keyId: "bench" },
          checkpoint: { everyRecords: EVERY_RECORDS, everyMs: 60_000 },
        }
      : {}),
  });
  recorder.setPrincipal({
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    clientId: "0b2e5c7a-1f0e-4e8f-9a55-1c2b3d4e5f60",
    credentialType: "certificate",
  });
  recorder.setEndpoint("contoso.communication.azure.com");
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < records; i++) recorder.write(EVENT);
  await recorder.close();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    mode,
    records,
    ms,
    recordsPerSecond: (records * 1000) / ms,
    cpuPerRecordUs: (cpu.user + cpu.system) / records,
    bytes: statSync(file).size,
  };
}

/** Microseconds per ES256 signature (what one checkpoint costs beyond one more record). */
function signatureCost(privateKey, n) {
  const data = Buffer.alloc(200, 1);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" });
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
}

export async function auditThroughput({ records = 200_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "acs-audit-bench-"));
  const keyDir = mkdtempSync(join(tmpdir(), "acs-audit-bench-key-"));
  try {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const keyPath = join(keyDir, "signing.pem");
    writeFileSync(keyPath, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    await once(Math.min(records, 10_000), "on", dir, keyPath); // warm-up
    await once(Math.min(records, 10_000), "signed", dir, keyPath);
    const rows = [];
    for (const mode of ["off", "on", "signed", "off", "on", "signed"])
      rows.push(await once(records, mode, dir, keyPath));
    const best = (m) => rows.filter((r) => r.mode === m).sort((a, b) => b.recordsPerSecond - a.recordsPerSecond)[0];
    return {
      records,
      rows: [best("off"), best("on"), best("signed")],
      signatureUs: signatureCost(privateKey, records >= 100_000 ? 2000 : 200),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(keyDir, { recursive: true, force: true });
  }
}

export function renderAuditThroughput(result) {
  const lines = [
    `Audit throughput (${result.records} request records to a file, incl. close(); best of 2)`,
    "",
    "| chaining | records/s | µs per record (wall) | CPU µs per record | bytes per record |",
    "|---|---|---|---|---|",
  ];
  const label = { off: "off", on: "on", signed: `on + signed checkpoint every ${EVERY_RECORDS}` };
  for (const r of result.rows) {
    lines.push(
      `| ${label[r.mode]} | ${fmt(r.recordsPerSecond, 0)} | ${fmt((r.ms * 1000) / r.records, 2)} | ${fmt(r.cpuPerRecordUs, 2)} | ${fmt(r.bytes / r.records, 0)} |`,
    );
  }
  const signedRow = result.rows.find((r) => r.mode === "signed");
  const onRow = result.rows.find((r) => r.mode === "on");
  lines.push(
    "",
    `One ES256 signature: ${fmt(result.signatureUs, 1)} µs, paid once per checkpoint (${fmt(result.signatureUs / EVERY_RECORDS, 3)} µs per record at one checkpoint per ${EVERY_RECORDS}); signed/chained throughput ratio ${fmt(signedRow.recordsPerSecond / onRow.recordsPerSecond, 2)}.`,
    "Target: ≥ 100,000 records/s with chaining, and with chaining + signed checkpoints.",
  );
  return lines.join("\n");
}
