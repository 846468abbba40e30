// 1. Request overhead: the same SmsClient.send workload against the emulator in a separate process, from
//    - raw:     an upstream SmsClient with its own ClientCertificateCredential,
//    - raw-2:   a second, identical raw client (noise control: its ratio to raw shows the machine's noise),
//    - factory: an acs-baseline factory client with the request guard and chained audit to a file.
// Warm-up, then many short rounds in rotating order; per round we take client CPU (process.cpuUsage) per
// request, throughput and per-request latency. Ratios are medians over rounds against raw.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientCertificateCredential } from "@azure/identity";
import { SmsClient } from "@azure/communication-sms";
import { AcsClientFactory } from "acs-baseline";
import { startEmulatorProcess } from "./lib/startEmulatorProcess.mjs";
import { fmt, median, quantile, ratio } from "./lib/stats.mjs";

const REQUEST = { from: "+14255550100", to: ["+14255550123"], message: "benchmark" };

async function runBatch(client, size, concurrency, latencies) {
  let next = 0;
  const worker = async () => {
    while (next < size) {
      next++;
      const started = process.hrtime.bigint();
      await client.send(REQUEST);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export async function requestOverhead({ rounds = 60, batch = 100, warmup = 300, concurrency = 4 } = {}) {
  const emu = await startEmulatorProcess();
  const dir = mkdtempSync(join(tmpdir(), "acs-bench-"));
  const tls = { tlsOptions: { ca: emu.ca } };
  const rawClient = () =>
    new SmsClient(
      emu.endpoint,
      new ClientCertificateCredential(
        emu.tenantId,
        emu.clientId,
        { certificatePath: emu.certificatePath },
        { authorityHost: emu.authorityHost, disableInstanceDiscovery: true, ...tls },
      ),
      tls,
    );
  const factory = new AcsClientFactory({
    endpoint: emu.endpoint,
    tenantId: emu.tenantId,
    clientId: emu.clientId,
    certificate: { path: emu.certificatePath },
    authorityHost: emu.authorityHost,
    disableInstanceDiscovery: true,
    allowedHosts: ["127.0.0.1"],
    clientOptions: tls,
    audit: { destination: join(dir, "audit.log"), chain: true },
  });
  const bare = new AcsClientFactory({
    endpoint: emu.endpoint,
    tenantId: emu.tenantId,
    clientId: emu.clientId,
    certificate: { path: emu.certificatePath },
    authorityHost: emu.authorityHost,
    disableInstanceDiscovery: true,
    allowedHosts: ["127.0.0.1"],
    clientOptions: tls,
  });
  const subjects = [
    { name: "raw", client: rawClient() },
    { name: "raw-2", client: rawClient() },
    { name: "factory", client: factory.createSmsClient() },
    { name: "factory, no audit", client: bare.createSmsClient() },
  ];
  try {
    for (const s of subjects) await runBatch(s.client, warmup, concurrency, []);
    const samples = Object.fromEntries(subjects.map((s) => [s.name, { cpu: [], throughput: [], latencies: [] }]));
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < subjects.length; k++) {
        const s = subjects[(round + k) % subjects.length];
        const cpuBefore = process.cpuUsage();
        const started = process.hrtime.bigint();
        await runBatch(s.client, batch, concurrency, samples[s.name].latencies);
        const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
        const cpu = process.cpuUsage(cpuBefore);
        samples[s.name].cpu.push((cpu.user + cpu.system) / batch);
        samples[s.name].throughput.push((batch * 1000) / wallMs);
      }
    }
    const base = samples.raw;
    const rows = subjects.map(({ name }) => {
      const s = samples[name];
      return {
        name,
        cpuPerRequestUs: median(s.cpu),
        throughput: median(s.throughput),
        p50: quantile(s.latencies, 0.5),
        p99: quantile(s.latencies, 0.99),
        cpuRatio: ratio(median(s.cpu), median(base.cpu)),
        throughputRatio: ratio(median(s.throughput), median(base.throughput)),
        p50Ratio: ratio(quantile(s.latencies, 0.5), quantile(base.latencies, 0.5)),
        p99Ratio: ratio(quantile(s.latencies, 0.99), quantile(base.latencies, 0.99)),
      };
    });
    return { rounds, batch, concurrency, rows };
  } finally {
    await factory.close();
    await bare.close();
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function renderRequestOverhead(result) {
  const lines = [
    `Request overhead (SmsClient.send, ${result.rounds} rounds × ${result.batch} requests, ${result.concurrency} in flight, emulator in a separate process)`,
    "",
    "| client | CPU/request (µs) | CPU ratio | throughput (req/s) | throughput ratio | p50 ms | p50 ratio | p99 ms | p99 ratio |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of result.rows) {
    lines.push(
      `| ${r.name} | ${fmt(r.cpuPerRequestUs, 1)} | ${fmt(r.cpuRatio)} | ${fmt(r.throughput, 0)} | ${fmt(r.throughputRatio)} | ${fmt(r.p50, 2)} | ${fmt(r.p50Ratio)} | ${fmt(r.p99, 2)} | ${fmt(r.p99Ratio)} |`,
    );
  }
  lines.push("", "Targets: factory CPU ratio ≤ 1.03, throughput ratio ≥ 0.97 (raw-2 shows the noise of this run).");
  return lines.join("\n");
}
