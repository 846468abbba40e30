// 1. Request overhead: the same SmsClient.send workload against the emulator in a separate process, from
//    - raw:     an upstream SmsClient with its own ClientCertificateCredential,
//    - raw-2:   a second, identical raw client (noise control: its ratio to raw shows the machine's noise),
//    - factory: an acs-baseline factory client with the request guard and the audit log on (chained, checkpoints
//      signed with an in-process ECDSA key) to a file,
//    - factory, no audit: the same without the audit log,
//    - with `--previous=DIR`: the same two factories from an earlier build (bench/previousBuild.mjs), and the paired
//      ratio this build / previous. (The earlier build's clients run while this build's factories are open, so they
//      pay this build's wire backstop too — 0.1–0.2 µs per request, see bench/backstop.mjs.)
// The measurement runs in several fresh processes ("forks"), one after the other: JIT and memory-layout decisions differ
// from process to process and move a single process's result by a few per cent, more than the rounds inside it.
// In each fork: warm-up, then many short rounds; every round runs each client once, in a shuffled order (a fixed
// rotation would always put the same client after the same predecessor, which then pays for its predecessor's
// garbage). Per round we take client CPU (process.cpuUsage) per request, throughput and per-request latency. CPU and
// throughput ratios are paired: the median over all rounds of all forks of (client / raw in the same round), with a
// bootstrap 95% interval; latency ratios compare the pooled p50 / p99. The extra µs per request is the paired
// per-round difference (client − raw). Everything runs twice: one request at a time (sequential) and 32 in flight.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AcsClientFactory } from "acs-baseline";
import { emulatorFactoryOptions } from "acs-baseline-emulator";
import { previousEntry } from "./previousBuild.mjs";
import { emulatorTls, rawSmsClient } from "./lib/rawClient.mjs";
import { sendBatch } from "./lib/sendBatch.mjs";
import { signedAudit, signingKeyFile } from "./lib/signingKey.mjs";
import { startEmulatorProcess } from "./lib/startEmulatorProcess.mjs";
import { bootstrapMedianInterval, fmt, median, quantile, ratio, seededRandom, shuffle } from "./lib/stats.mjs";

/** One fork's measurement (run by bench/lib/overheadFork.mjs): raw samples per client, in the same round order. */
export async function measureOverhead({ rounds, batch, warmup, concurrency, seed, previous }) {
  const emu = await startEmulatorProcess();
  const dir = mkdtempSync(join(tmpdir(), "acs-bench-"));
  const key = signingKeyFile();
  const tls = emulatorTls(emu);
  const rawClient = () => rawSmsClient(emu, tls);
  // Both factories get the same tlsOptions object, as both raw clients do: the HTTP client keys its keep-alive agents
  // by that object, so each pair shares one pool of warm connections (as all clients of one app share one in real use).
  const factory = new AcsClientFactory(
    emulatorFactoryOptions(emu, emu, { clientOptions: tls, audit: signedAudit(join(dir, "audit.log"), key.path) }),
  );
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
    earlier.push(
      new Previous(
        emulatorFactoryOptions(emu, emu, {
          clientOptions: tls,
          audit: signedAudit(join(dir, "previous.log"), key.path),
        }),
      ),
    );
    earlier.push(new Previous(emulatorFactoryOptions(emu, emu, { clientOptions: tls })));
    subjects.push(
      { name: "previous", client: earlier[0].createSmsClient() },
      { name: "previous, no audit", client: earlier[1].createSmsClient() },
    );
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
    key.remove();
  }
}

function runFork(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [new URL("./lib/overheadFork.mjs", import.meta.url).pathname, JSON.stringify(options)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (out += chunk));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`overhead fork exited with ${code}`)),
    );
  });
}

/** Requests per round at `concurrency` in flight: enough for every worker to send several. */
export const batchFor = (batch, concurrency) => Math.max(batch, concurrency * 10);

export async function requestOverhead({
  forks = 5,
  rounds = 80,
  batch = 100,
  warmup = 300,
  concurrencies = [1, 32],
  previous,
} = {}) {
  const byConcurrency = new Map(concurrencies.map((c) => [c, []]));
  for (let f = 0; f < forks; f++) {
    for (const concurrency of concurrencies) {
      const options = { rounds, batch: batchFor(batch, concurrency), warmup, concurrency, seed: 7 + f, previous };
      byConcurrency.get(concurrency).push(await runFork(options));
    }
  }
  return { forks, rounds, runs: concurrencies.map((c) => summariseRuns(byConcurrency.get(c), c, batchFor(batch, c))) };
}

function pool(results) {
  const names = results[0].names;
  const pooled = Object.fromEntries(names.map((n) => [n, { cpu: [], throughput: [], latencies: [] }]));
  for (const r of results) {
    for (const n of names) {
      pooled[n].cpu.push(...r.samples[n].cpu);
      pooled[n].throughput.push(...r.samples[n].throughput);
      for (const l of r.samples[n].latencies) pooled[n].latencies.push(l);
    }
  }
  return { names, pooled };
}

function summariseRuns(results, concurrency, batch) {
  const { names, pooled } = pool(results);
  const random = seededRandom(99);
  const base = pooled.raw;
  const pairedMedian = (r, name, key) => median(r.samples[name][key].map((v, i) => v / r.samples.raw[key][i]));
  const rows = names.map((name) => {
    const s = pooled[name];
    const cpuRatios = s.cpu.map((v, i) => v / base.cpu[i]);
    const extra = s.cpu.map((v, i) => v - base.cpu[i]);
    const throughputRatios = s.throughput.map((v, i) => v / base.throughput[i]);
    return {
      name,
      cpuPerRequestUs: median(s.cpu),
      extraUs: median(extra),
      extraInterval: bootstrapMedianInterval(extra, random),
      throughput: median(s.throughput),
      p50: quantile(s.latencies, 0.5),
      p99: quantile(s.latencies, 0.99),
      cpuRatio: median(cpuRatios),
      cpuInterval: bootstrapMedianInterval(cpuRatios, random),
      cpuRatioPerFork: results.map((r) => pairedMedian(r, name, "cpu")),
      throughputRatio: median(throughputRatios),
      throughputInterval: bootstrapMedianInterval(throughputRatios, random),
      throughputRatioPerFork: results.map((r) => pairedMedian(r, name, "throughput")),
      p50Ratio: ratio(quantile(s.latencies, 0.5), quantile(base.latencies, 0.5)),
      p99Ratio: ratio(quantile(s.latencies, 0.99), quantile(base.latencies, 0.99)),
    };
  });
  return { concurrency, batch, rows, versus: versusPrevious(names, pooled, random) };
}

/** This build against the previous one, paired per round (same fork, same round): CPU and throughput ratios. */
function versusPrevious(names, pooled, random) {
  const versus = [];
  if (!names.includes("previous")) return versus;
  for (const [mine, theirs] of [
    ["factory", "previous"],
    ["factory, no audit", "previous, no audit"],
  ]) {
    const cpu = pooled[mine].cpu.map((v, i) => v / pooled[theirs].cpu[i]);
    const throughput = pooled[mine].throughput.map((v, i) => v / pooled[theirs].throughput[i]);
    versus.push({
      name: `${mine} / ${theirs}`,
      cpu: median(cpu),
      cpuInterval: bootstrapMedianInterval(cpu, random),
      throughput: median(throughput),
      throughputInterval: bootstrapMedianInterval(throughput, random),
    });
  }
  return versus;
}

const interval = (i, digits = 3) => `${fmt(i[0], digits)}–${fmt(i[1], digits)}`;

export function renderRequestOverhead(result) {
  const sections = result.runs.map((run) => renderRun(result, run));
  return sections.join("\n\n");
}

function renderRun(result, run) {
  const inFlight = run.concurrency === 1 ? "sequential (1 in flight)" : `${run.concurrency} in flight`;
  const lines = [
    `Request overhead, ${inFlight} (SmsClient.send, ${result.forks} processes × ${result.rounds} rounds × ${run.batch} requests, emulator in a separate process; factory = audit log on, chained, checkpoints signed)`,
    "",
    "| client | CPU/request (µs) | extra µs/request (95% CI) | CPU ratio (95% CI) | CPU ratio per process | throughput (req/s) | throughput ratio (95% CI) | throughput ratio per process | p50 ms | p99 ms | p99 ratio |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of run.rows) {
    lines.push(
      `| ${r.name} | ${fmt(r.cpuPerRequestUs, 1)} | ${fmt(r.extraUs, 1)} (${interval(r.extraInterval, 1)}) | ${fmt(r.cpuRatio)} (${interval(r.cpuInterval)}) | ${r.cpuRatioPerFork.map((v) => fmt(v)).join(", ")} | ${fmt(r.throughput, 0)} | ${fmt(r.throughputRatio)} (${interval(r.throughputInterval)}) | ${r.throughputRatioPerFork.map((v) => fmt(v)).join(", ")} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.p99Ratio)} |`,
    );
  }
  lines.push(
    "",
    "Targets (factory): CPU ratio ≤ 1.03, throughput ratio ≥ 0.97. Ratios and extra µs are per-round (paired) medians against raw over the rounds of all processes; raw-2 is a second raw client: its row is the noise of this run.",
  );
  if (run.versus.length > 0) {
    lines.push("", "| this build / previous build | CPU ratio (95% CI) | throughput ratio (95% CI) |", "|---|---|---|");
    for (const v of run.versus)
      lines.push(
        `| ${v.name} | ${fmt(v.cpu)} (${interval(v.cpuInterval)}) | ${fmt(v.throughput)} (${interval(v.throughputInterval)}) |`,
      );
    lines.push(
      "",
      "The previous build's clients run while this build's factories are open, so they pay its wire backstop too (see the backstop table).",
    );
  }
  return lines.join("\n");
}

/**
 * The factory's extra CPU per request end to end (each concurrency) next to the in-memory figure of the pipeline
 * benchmark: what the network-free benchmark sees and what a real request costs.
 */
export function renderExtraSummary(overhead, pipeline, cooled) {
  const names = ["factory", "factory, no audit", "raw-2"];
  const head = overhead.runs.map(
    (r) => `end to end, ${r.concurrency === 1 ? "sequential" : `${r.concurrency} in flight`}`,
  );
  const lines = [
    "Extra CPU per request over raw (µs, paired median, 95% CI): end to end against the emulator, in memory (no network), and in memory with the caches cooled before every send",
    "",
    `| client | ${head.join(" | ")} | in memory |${cooled ? ` in memory, caches cooled (${cooled.coolMiB} MiB) |` : ""}`,
    `|---|${head.map(() => "---|").join("")}---|${cooled ? "---|" : ""}`,
  ];
  for (const name of names) {
    const e2e = overhead.runs
      .map((run) => run.rows.find((r) => r.name === name))
      .map((r) => (r === undefined ? "n/a" : `${fmt(r.extraUs, 1)} (${interval(r.extraInterval, 1)})`));
    const cell = (run) => {
      const row = run?.rows.find((r) => r.name === name);
      return row === undefined ? "n/a" : `${fmt(row.deltaUs, 1)} (${interval(row.deltaInterval, 1)})`;
    };
    lines.push(`| ${name} | ${e2e.join(" | ")} | ${cell(pipeline)} |${cooled ? ` ${cell(cooled)} |` : ""}`);
  }
  return lines.join("\n");
}
