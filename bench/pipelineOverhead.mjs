// 1b. Pipeline overhead without the network: the same SmsClient.send workload, but every client's HttpClient is an
//     in-memory one that answers 202 at once, so the only work measured is the SDK pipeline plus what acs-baseline
//     adds to it (guard, timeout, audit policy and records). Tokens still come from the emulator (once). With no
//     TLS, sockets or server in the loop this is far less noisy than the end-to-end run, and the difference to raw
//     is the factory's own cost per request in microseconds.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientCertificateCredential } from "@azure/identity";
import { SmsClient } from "@azure/communication-sms";
import { createHttpHeaders } from "@azure/core-rest-pipeline";
import { AcsClientFactory } from "acs-baseline";
import { emulatorFactoryOptions, startEmulator } from "acs-baseline-emulator";
import { sendBatch } from "./lib/sendBatch.mjs";
import { bootstrapMedianInterval, fmt, median, seededRandom, shuffle } from "./lib/stats.mjs";

const BODY = JSON.stringify({ value: [{ to: "+14255550123", messageId: "00000000-0000-0000-0000-000000000001", httpStatusCode: 202, successful: true }] });

/** Answers every request with the 202 the SMS service would send, without any I/O. */
const inMemoryHttpClient = {
  sendRequest(request) {
    return Promise.resolve({
      request,
      status: 202,
      headers: createHttpHeaders({ "content-type": "application/json", "x-ms-request-id": "9d0c7a26-5f7e-4d7f-8b51-0c6b1b6c2a11" }),
      bodyAsText: BODY,
    });
  },
};

export async function pipelineOverhead({ rounds = 60, batch = 1000, warmup = 3000, concurrency = 4 } = {}) {
  const emu = await startEmulator({ tokenLifetimeSeconds: 3600 });
  const app = await emu.createTestApplication();
  const dir = mkdtempSync(join(tmpdir(), "acs-bench-pipeline-"));
  const tls = { tlsOptions: { ca: emu.caCertificatePem } };
  // The in-memory HttpClient is a caller-supplied transport: let in explicitly (allowCustomHttpClient).
  const audited = new AcsClientFactory(emulatorFactoryOptions(emu, app, { allowCustomHttpClient: true, audit: { destination: join(dir, "audit.log"), chain: true } }));
  const bare = new AcsClientFactory(emulatorFactoryOptions(emu, app, { allowCustomHttpClient: true }));
  const raw = () =>
    new SmsClient(
      emu.endpoint,
      new ClientCertificateCredential(emu.tenantId, app.clientId, { certificatePath: app.certificatePath }, { authorityHost: emu.authorityHost, disableInstanceDiscovery: true, ...tls }),
      { ...tls, httpClient: inMemoryHttpClient },
    );
  const subjects = [
    { name: "raw", client: raw() },
    { name: "raw-2", client: raw() },
    { name: "factory", client: audited.createSmsClient({ httpClient: inMemoryHttpClient }) },
    { name: "factory, no audit", client: bare.createSmsClient({ httpClient: inMemoryHttpClient }) },
  ];
  try {
    for (const s of subjects) await sendBatch(s.client, warmup, concurrency);
    const cpu = Object.fromEntries(subjects.map((s) => [s.name, []]));
    const random = seededRandom(11);
    for (let round = 0; round < rounds; round++) {
      for (const s of shuffle(subjects, random)) {
        const before = process.cpuUsage();
        await sendBatch(s.client, batch, concurrency);
        const used = process.cpuUsage(before);
        cpu[s.name].push((used.user + used.system) / batch);
      }
    }
    const rows = subjects.map(({ name }) => {
      const deltas = cpu[name].map((v, i) => v - cpu.raw[i]);
      return { name, cpuPerRequestUs: median(cpu[name]), deltaUs: median(deltas), deltaInterval: bootstrapMedianInterval(deltas, random) };
    });
    return { rounds, batch, concurrency, rows };
  } finally {
    await audited.close();
    await bare.close();
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `e2eRawUs`: raw CPU per request of the end-to-end run, to put the extra microseconds in proportion. */
export function renderPipelineOverhead(result, e2eRawUs) {
  const lines = [
    `Pipeline overhead without the network (SmsClient.send with an in-memory HttpClient, ${result.rounds} rounds × ${result.batch} requests, ${result.concurrency} in flight)`,
    "",
    `| client | CPU/request (µs) | extra over raw (µs, 95% CI) |${e2eRawUs ? " extra as share of an end-to-end request |" : ""}`,
    `|---|---|---|${e2eRawUs ? "---|" : ""}`,
  ];
  for (const r of result.rows) {
    const share = e2eRawUs ? ` ${fmt((100 * r.deltaUs) / e2eRawUs, 1)} % |` : "";
    lines.push(`| ${r.name} | ${fmt(r.cpuPerRequestUs, 1)} | ${fmt(r.deltaUs, 2)} (${fmt(r.deltaInterval[0], 2)}–${fmt(r.deltaInterval[1], 2)}) |${share}`);
  }
  lines.push(
    "",
    "Extra over raw is the per-round (paired) median difference. It is what acs-baseline's guard, timeout and audit cost per request, without the network noise of the end-to-end run" +
      (e2eRawUs ? ` (share: against the ${fmt(e2eRawUs, 1)} µs raw CPU per request measured end to end above).` : "."),
  );
  return lines.join("\n");
}
