// 3. Audit throughput: request-shaped records per second to a file, with and without hash chaining, and the
//    cost per record. Each run ends with close() (flushed to disk, log.close written) inside the timed section.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuditRecorder } from "acs-baseline";
import { fmt } from "./lib/stats.mjs";

const EVENT = {
  action: "request",
  outcome: "success",
  controls: ["IM-1", "LT-4"],
  client: "SmsClient",
  http: { method: "POST", path: "/sms", status: 202, requestId: "4b0a3c1e-2d6f-4f7a-9b8e-1c2d3e4f5a6b", durationMs: 3.2 },
};

async function once(records, chain, dir) {
  const file = join(dir, `audit-${chain ? "chain" : "plain"}-${records}-${Math.random().toString(36).slice(2)}.log`);
  const recorder = createAuditRecorder({ destination: file, chain });
  recorder.setPrincipal({ tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", clientId: "0b2e5c7a-1f0e-4e8f-9a55-1c2b3d4e5f60", credentialType: "certificate" });
  recorder.setEndpoint("contoso.communication.azure.com");
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < records; i++) recorder.write(EVENT);
  await recorder.close();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  return { chain, records, ms, recordsPerSecond: (records * 1000) / ms, cpuPerRecordUs: (cpu.user + cpu.system) / records, bytes: statSync(file).size };
}

export async function auditThroughput({ records = 200_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "acs-audit-bench-"));
  try {
    await once(Math.min(records, 10_000), true, dir); // warm-up
    const rows = [];
    for (const chain of [false, true, false, true]) rows.push(await once(records, chain, dir));
    const best = (c) => rows.filter((r) => r.chain === c).sort((a, b) => b.recordsPerSecond - a.recordsPerSecond)[0];
    return { records, rows: [best(false), best(true)] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function renderAuditThroughput(result) {
  const lines = [
    `Audit throughput (${result.records} request records to a file, incl. close(); best of 2)`,
    "",
    "| chaining | records/s | µs per record (wall) | CPU µs per record | bytes per record |",
    "|---|---|---|---|---|",
  ];
  for (const r of result.rows) {
    lines.push(`| ${r.chain ? "on" : "off"} | ${fmt(r.recordsPerSecond, 0)} | ${fmt((r.ms * 1000) / r.records, 2)} | ${fmt(r.cpuPerRecordUs, 2)} | ${fmt(r.bytes / r.records, 0)} |`);
  }
  lines.push("", "Target: ≥ 100,000 records/s with chaining.");
  return lines.join("\n");
}
