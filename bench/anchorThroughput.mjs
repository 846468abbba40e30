// Anchor throughput: audit lines per second appended to an Azurite append blob through the anchor (records mode, the
// worst case: every record goes off-host), end to end (timed until flush() says everything is stored), plus the cost
// the caller pays per append (the append loop alone). Azurite runs over HTTPS with --oauth basic; tokens come from the
// emulator's Entra side. Standalone: `npm run build && node bench/anchorThroughput.mjs [--smoke] [--lines=N]`.
// Azurite is an emulator on the same 2-core machine: the numbers bound the anchor's own overhead, not Azure's limits.
import { ContainerClient } from "@azure/storage-blob";
import { setImmediate } from "node:timers";
import { parseArgs } from "node:util";
import { startEmulator } from "acs-baseline-emulator";
import { createBlobAnchor } from "../packages/acs-baseline/dist/esm/audit/write/anchor/blobAnchor.js";
import { startAzuriteProcess } from "./lib/azuriteProcess.mjs";
import { certificateCredential } from "./lib/rawClient.mjs";

const { values } = parseArgs({ options: { smoke: { type: "boolean", default: false }, lines: { type: "string" } } });
const lines = Number(values.lines ?? (values.smoke ? 20_000 : 500_000));
// A request-shaped audit record (about 690 bytes).
const line = (i) =>
  JSON.stringify({
    time: new Date(1_764_000_000_000 + i).toISOString(),
    level: "info",
    schema: "acs-baseline.audit/1",
    event: { action: "request", outcome: "success", category: "web" },
    baseline: { controls: ["IM-1", "LT-4"] },
    principal: {
      tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
      clientId: "0b2e5c7a-1f0e-4e8f-9a55-1c2b3d4e5f60",
      credentialType: "certificate",
    },
    acs: { endpoint: "contoso.communication.azure.com", client: "SmsClient" },
    http: {
      method: "POST",
      path: "/sms",
      status: 202,
      requestId: "4b0a3c1e-2d6f-4f7a-9b8e-1c2d3e4f5a6b",
      durationMs: 3,
    },
    seq: i,
    prevHash: "a".repeat(64),
    hash: "b".repeat(64),
  });

const [emu, azurite] = await Promise.all([startEmulator(), startAzuriteProcess()]);
try {
  const app = await emu.createTestApplication();
  const credential = certificateCredential(emu, app);
  const containerUrl = `${azurite.accountUrl}/bench`;
  await new ContainerClient(containerUrl, credential, {
    tlsOptions: { ca: azurite.caCertificatePem },
  }).createIfNotExists();
  const failures = [];
  const run = async (n, name) => {
    const anchor = await createBlobAnchor(
      {
        containerUrl,
        blobName: name,
        allowedHosts: ["127.0.0.1"],
        tlsOptions: { ca: azurite.caCertificatePem },
        maxQueuedLines: n + 1,
        maxQueuedBytes: 2 ** 30,
        flushTimeoutMs: 600_000,
      },
      credential,
      { onFailure: (f) => failures.push(f), onRecovered: () => undefined },
    );
    const payload = Array.from({ length: n }, (_, i) => line(i));
    const bytes = payload.reduce((s, l) => s + Buffer.byteLength(l) + 1, 0);
    let appendNs = 0n;
    const started = process.hrtime.bigint();
    // The app produces records in bursts between I/O: 1,000 per turn of the event loop.
    for (let i = 0; i < n; i += 1000) {
      const t = process.hrtime.bigint();
      for (let j = i; j < Math.min(n, i + 1000); j++) anchor.append(payload[j]);
      appendNs += process.hrtime.bigint() - t;
      await new Promise((r) => setImmediate(r));
    }
    await anchor.flush();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    await anchor.close();
    return {
      n,
      ms,
      linesPerSecond: (n * 1000) / ms,
      mbPerSecond: bytes / 2 ** 20 / (ms / 1000),
      appendNsPerLine: Number(appendNs) / n,
      bytes,
    };
  };
  await run(Math.min(lines, 5000), "warmup.jsonl");
  const r = await run(lines, "bench.jsonl");
  const stored = await new ContainerClient(containerUrl, credential, { tlsOptions: { ca: azurite.caCertificatePem } })
    .getAppendBlobClient("bench.jsonl")
    .getProperties();
  console.log(
    `anchor throughput to Azurite (records mode, ${r.n} lines of ~${Math.round(r.bytes / r.n)} B${values.smoke ? ", SMOKE RUN" : ""})`,
  );
  console.log(
    `  stored end to end: ${Math.round(r.linesPerSecond).toLocaleString("en-US")} lines/s, ${r.mbPerSecond.toFixed(1)} MiB/s (${r.ms.toFixed(0)} ms)`,
  );
  console.log(`  caller cost: ${r.appendNsPerLine.toFixed(0)} ns per append()`);
  console.log(
    `  blob: ${stored.contentLength} bytes in ${stored.blobCommittedBlockCount} blocks; failures reported: ${failures.length}`,
  );
  if (stored.contentLength !== r.bytes || failures.length > 0) process.exitCode = 1;
} finally {
  await Promise.all([azurite.stop(), emu.close()]);
}
