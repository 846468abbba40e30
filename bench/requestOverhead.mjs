// 1. Request overhead: the same SmsClient.send workload against the emulator in a separate process, from
//    - raw:     an upstream SmsClient with its own ClientCertificateCredential,
//    - raw-2:   a second, identical raw client (noise control: its ratio to raw shows the machine's noise),
//    - factory: an acs-baseline factory client with the request guard and chained audit to a file,
//    - with `--previous=DIR`: the same two factories from an earlier build (bench/previousBuild.mjs), and the paired
//      ratio this build / previous. (The earlier build's clients run while this build's factories are open, so they
//      pay this build's wire backstop too — 0.1–0.2 µs per request, see bench/backstop.mjs.)
// The measurement runs in several fresh processes ("forks"), one after the other: JIT and memory-layout decisions differ
// from process to process and move a single process's result by a few per cent, more than the rounds inside it.
// In each fork: warm-up, then many short rounds; every round runs each client once, in a shuffled order (a fixed
// rotation would always put the same client after the same predecessor, which then pays for its predecessor's
// garbage). Per round we take client CPU (process.cpuUsage) per request, throughput and per-request latency. CPU and
// throughput ratios are paired: the median over all rounds of all forks of (client / raw in the same round), with a
// bootstrap 95% interval; latency ratios compare the pooled p50 / p99.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ClientCertificateCredential } from "@azure/identity";
import { SmsClient } from "@azure/communication-sms";
import { AcsClientFactory } from "acs-baseline";
import { emulatorFactoryOptions } from "acs-baseline-emulator";
import { previousEntry } from "./previousBuild.mjs";
import { sendBatch } from "./lib/sendBatch.mjs";
import { startEmulatorProcess } from "./lib/startEmulatorProcess.mjs";
import { bootstrapMedianInterval, fmt, median, quantile, ratio, seededRandom, shuffle } from "./lib/stats.mjs";

/** One fork's measurement (run by bench/lib/overheadFork.mjs): raw samples per client, in the same round order. */
export async function measureOverhead({ rounds, batch, warmup, concurrency, seed, previous }) {
  const emu = await startEmulatorProcess();
  const dir = mkdtempSync(join(tmpdir(), "acs-bench-"));
  const tls = { tlsOptions: { ca: emu.caCertificatePem } };
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
  // Both factories get the same tlsOptions object, as both raw clients do: the HTTP client keys its keep-alive agents
  // by that object, so each pair shares one pool of warm connections (as all clients of one app share one in real use).
  const factory = new AcsClientFactory(emulatorFactoryOptions(emu, emu, { clientOptions: tls, audit: { destination: join(dir, "audit.log"), chain: true } }));
  const bare = new AcsClientFactory(emulatorFactoryOptions(emu, emu, { clientOptions: tls }));
  const subjects = [
    { name: "raw", client: rawClient() },
    { name: "raw-2", client: rawClient() },
    { name: "factory", client: factory.createSmsClient() },
    { name: "factory, no audit", client: bare.createSmsClient() },
  ];
  const earlier = [];
  if (previous !== undefined) {
    const { AcsClientFactory: Previous } = await import(pathToFileURL(previousEntry(previous).entry).href);
    earlier.push(new Previous(emulatorFactoryOptions(emu, emu, { clientOptions: tls, audit: { destination: join(dir, "previous.log"), chain: true } })));
    earlier.push(new Previous(emulatorFactoryOptions(emu, emu, { clientOptions: tls })));
    subjects.push({ name: "previous", client: earlier[0].createSmsClient() }, { name: "previous, no audit", client: earlier[1].createSmsClient() });
  }
  try {
    for (const s of subjects) await sendBatch(s.client, warmup, concurrency, []);
    const samples = Object.fromEntries(subjects.map((s) => [s.name, { cpu: [], throughput: [], latencies: [] }]));
    const random = seededRandom(seed);
    for (let round = 0; round < rounds; round++) {
      for (const s of shuffle(subjects, random)) {
        const cpuBefore = process.cpuUsage();
        const started = process.hrtime.bigint();
        await sendBatch(s.client, batch, concurrency, samples[s.name].latencies);
        const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
        const cpu = process.cpuUsage(cpuBefore);
        samples[s.name].cpu.push((cpu.user + cpu.system) / batch);
        samples[s.name].throughput.push((batch * 1000) / wallMs);
      }
    }
    return { names: subjects.map((x) => x.name), samples };
  } finally {
    await factory.close();
    await bare.close();
    for (const f of earlier) await f.close();
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function runFork(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [new URL("./lib/overheadFork.mjs", import.meta.url).pathname, JSON.stringify(options)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (out += chunk));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`overhead fork exited with ${code}`))));
  });
}

export async function requestOverhead({ forks = 5, rounds = 80, batch = 100, warmup = 300, concurrency = 4, previous } = {}) {
  const results = [];
  for (let f = 0; f < forks; f++) results.push(await runFork({ rounds, batch, warmup, concurrency, seed: 7 + f, previous }));
  const names = results[0].names;
  const pooled = Object.fromEntries(names.map((n) => [n, { cpu: [], throughput: [], latencies: [] }]));
  for (const r of results) {
    for (const n of names) {
      pooled[n].cpu.push(...r.samples[n].cpu);
      pooled[n].throughput.push(...r.samples[n].throughput);
      for (const l of r.samples[n].latencies) pooled[n].latencies.push(l);
    }
  }
  const random = seededRandom(99);
  const base = pooled.raw;
  const pairedMedian = (r, name, key) => median(r.samples[name][key].map((v, i) => v / r.samples.raw[key][i]));
  const rows = names.map((name) => {
    const s = pooled[name];
    const cpuRatios = s.cpu.map((v, i) => v / base.cpu[i]);
    const throughputRatios = s.throughput.map((v, i) => v / base.throughput[i]);
    return {
      name,
      cpuPerRequestUs: median(s.cpu),
      throughput: median(s.throughput),
      p50: quantile(s.latencies, 0.5),
      p99: quantile(s.latencies, 0.99),
      cpuRatio: median(cpuRatios),
      cpuInterval: bootstrapMedianInterval(cpuRatios, random),
      cpuRatioPerFork: results.map((r) => pairedMedian(r, name, "cpu")),
      throughputRatio: median(throughputRatios),
      throughputInterval: bootstrapMedianInterval(throughputRatios, random),
      p50Ratio: ratio(quantile(s.latencies, 0.5), quantile(base.latencies, 0.5)),
      p99Ratio: ratio(quantile(s.latencies, 0.99), quantile(base.latencies, 0.99)),
    };
  });
  // This build against the previous one, paired per round (same fork, same round): CPU and throughput ratios.
  const versus = [];
  if (names.includes("previous")) {
    for (const [mine, theirs] of [["factory", "previous"], ["factory, no audit", "previous, no audit"]]) {
      const cpu = pooled[mine].cpu.map((v, i) => v / pooled[theirs].cpu[i]);
      const throughput = pooled[mine].throughput.map((v, i) => v / pooled[theirs].throughput[i]);
      versus.push({ name: `${mine} / ${theirs}`, cpu: median(cpu), cpuInterval: bootstrapMedianInterval(cpu, random), throughput: median(throughput), throughputInterval: bootstrapMedianInterval(throughput, random) });
    }
  }
  return { forks, rounds, batch, concurrency, rows, versus };
}

export function renderRequestOverhead(result) {
  const lines = [
    `Request overhead (SmsClient.send, ${result.forks} processes × ${result.rounds} rounds × ${result.batch} requests, ${result.concurrency} in flight, emulator in a separate process)`,
    "",
    "| client | CPU/request (µs) | CPU ratio (95% CI) | CPU ratio per process | throughput (req/s) | throughput ratio (95% CI) | p50 ms | p50 ratio | p99 ms | p99 ratio |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of result.rows) {
    lines.push(
      `| ${r.name} | ${fmt(r.cpuPerRequestUs, 1)} | ${fmt(r.cpuRatio)} (${fmt(r.cpuInterval[0])}–${fmt(r.cpuInterval[1])}) | ${r.cpuRatioPerFork.map((v) => fmt(v)).join(", ")} | ${fmt(r.throughput, 0)} | ${fmt(r.throughputRatio)} (${fmt(r.throughputInterval[0])}–${fmt(r.throughputInterval[1])}) | ${fmt(r.p50, 2)} | ${fmt(r.p50Ratio)} | ${fmt(r.p99, 2)} | ${fmt(r.p99Ratio)} |`,
    );
  }
  lines.push(
    "",
    "Targets: factory CPU ratio ≤ 1.03, throughput ratio ≥ 0.97. Ratios are per-round (paired) medians against raw over the rounds of all processes; raw-2 is a second raw client and shows the noise of this run.",
  );
  if (result.versus.length > 0) {
    lines.push("", "| this build / previous build | CPU ratio (95% CI) | throughput ratio (95% CI) |", "|---|---|---|");
    for (const v of result.versus) {
      lines.push(`| ${v.name} | ${fmt(v.cpu)} (${fmt(v.cpuInterval[0])}–${fmt(v.cpuInterval[1])}) | ${fmt(v.throughput)} (${fmt(v.throughputInterval[0])}–${fmt(v.throughputInterval[1])}) |`);
    }
    lines.push("", "The previous build's clients run while this build's factories are open, so they pay its wire backstop too (see the backstop table).");
  }
  return lines.join("\n");
}
