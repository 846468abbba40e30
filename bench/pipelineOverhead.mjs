// 1b. Pipeline overhead without the network: the same SmsClient.send workload, but every client's HttpClient is an
//     in-memory one that answers 202 at once, so the only work measured is the SDK pipeline plus what acs-baseline
//     adds to it (guard, timeout, audit policy and records). Tokens still come from the emulator (once). With no
//     TLS, sockets or server in the loop this is far less noisy than the end-to-end run, and the difference to raw
//     is the factory's own cost per request in microseconds.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AcsClientFactory } from "acs-baseline";
import { emulatorFactoryOptions, startEmulator } from "acs-baseline-emulator";
import { inMemoryHttpClient, rawInMemorySmsClient } from "./lib/inMemoryHttpClient.mjs";
import { cpuRounds } from "./lib/cpuRounds.mjs";
import { cooledClient } from "./lib/cacheCooler.mjs";
import { signedAudit, signingKeyFile } from "./lib/signingKey.mjs";
import { bootstrapMedianInterval, fmt, median } from "./lib/stats.mjs";

/**
 * `coolMiB` > 0: the caches are cooled by that many MiB before every send (see lib/cacheCooler.mjs), so the extra
 * per request is what the same code costs starting cold, as it does end to end.
 */
export async function pipelineOverhead({
  rounds = 60,
  batch = 1000,
  warmup = 3000,
  concurrency = 4,
  coolMiB = 0,
} = {}) {
  const emu = await startEmulator({ tokenLifetimeSeconds: 3600 });
  const app = await emu.createTestApplication();
  const dir = mkdtempSync(join(tmpdir(), "acs-bench-pipeline-"));
  const key = signingKeyFile();
  // The in-memory HttpClient is a caller-supplied transport: let in explicitly (allowCustomHttpClient).
  const audited = new AcsClientFactory(
    emulatorFactoryOptions(emu, app, {
      allowCustomHttpClient: true,
      audit: signedAudit(join(dir, "audit.log"), key.path),
    }),
  );
  const bare = new AcsClientFactory(emulatorFactoryOptions(emu, app, { allowCustomHttpClient: true }));
  const raw = () => rawInMemorySmsClient(emu, app);
  const subjects = [
    { name: "raw", client: raw() },
    { name: "raw-2", client: raw() },
    { name: "factory", client: audited.createSmsClient({ httpClient: inMemoryHttpClient }) },
    { name: "factory, no audit", client: bare.createSmsClient({ httpClient: inMemoryHttpClient }) },
  ].map(({ name, client }) => ({ name, client: cooledClient(client, coolMiB) }));
  try {
    const { cpu, random } = await cpuRounds(subjects, { rounds, batch, warmup, concurrency, seed: 11 });
    const rows = subjects.map(({ name }) => {
      const deltas = cpu[name].map((v, i) => v - cpu.raw[i]);
      return {
        name,
        cpuPerRequestUs: median(cpu[name]),
        deltaUs: median(deltas),
        deltaInterval: bootstrapMedianInterval(deltas, random),
      };
    });
    return { rounds, batch, concurrency, coolMiB, rows };
  } finally {
    await audited.close();
    await bare.close();
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
    key.remove();
  }
}

/** `e2eRawUs`: raw CPU per request of the end-to-end run, to put the extra microseconds in proportion. */
export function renderPipelineOverhead(result, e2eRawUs) {
  const lines = [
    `Pipeline overhead without the network${result.coolMiB > 0 ? `, caches cooled by ${result.coolMiB} MiB before every send` : ""} (SmsClient.send with an in-memory HttpClient, factory = audit log on, chained, signed; ${result.rounds} rounds × ${result.batch} requests, ${result.concurrency} in flight)`,
    "",
    `| client | CPU/request (µs) | extra over raw (µs, 95% CI) |${e2eRawUs ? " extra as share of an end-to-end request |" : ""}`,
    `|---|---|---|${e2eRawUs ? "---|" : ""}`,
  ];
  const cooled = result.coolMiB > 0;
  for (const r of result.rows) {
    // Cooled: the CPU column includes the cooling itself, the same for every client.
    const share = e2eRawUs ? ` ${fmt((100 * r.deltaUs) / e2eRawUs, 1)} % |` : "";
    lines.push(
      `| ${r.name} | ${fmt(r.cpuPerRequestUs, 1)} | ${fmt(r.deltaUs, 2)} (${fmt(r.deltaInterval[0], 2)}–${fmt(r.deltaInterval[1], 2)}) |${share}`,
    );
  }
  lines.push(
    "",
    (cooled
      ? "Each send is preceded by the same cache cooling for every client (its cost is in the CPU column of every row and cancels in the difference). "
      : "") +
      "Extra over raw is the per-round (paired) median difference. It is what acs-baseline's guard, timeout and audit cost per request, without the network noise of the end-to-end run" +
      (e2eRawUs ? ` (share: against the ${fmt(e2eRawUs, 1)} µs raw CPU per request measured end to end above).` : "."),
  );
  return lines.join("\n");
}
