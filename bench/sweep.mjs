// 10. Sweep: `sweepEstate` over a generated estate of 10,000 ACS resources across 50 subscriptions in the emulator
//     (which runs in its own process): wall time, the sweep process's peak heap and RSS growth, and the number of
//     Resource Graph requests (1,000 rows per page). `node bench/sweep.mjs [--smoke]` runs it alone.
import { fileURLToPath } from "node:url";
import { setInterval, clearInterval } from "node:timers";
import { parseArgs } from "node:util";
import { sweepEstate } from "acs-baseline-cli";
import { startEmulatorProcess } from "./lib/startEmulatorProcess.mjs";

export async function sweepBenchmark({ resources = 10000, subscriptions = 50 } = {}) {
  const emu = await startEmulatorProcess({ estate: { resources, subscriptions } });
  try {
    const options = {
      tenantId: emu.tenantId,
      clientId: emu.clientId,
      certificate: { path: emu.certificatePath },
      authorityHost: emu.authorityHost,
      allowedAuthorityHosts: [new URL(emu.authorityHost).hostname],
      armEndpoint: emu.armEndpoint,
      timeoutMs: 120_000,
      clientOptions: { tlsOptions: { ca: emu.caCertificatePem } },
    };
    globalThis.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakHeap = process.memoryUsage().heapUsed;
    let peakRss = rssBefore;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    }, 5);
    const started = process.hrtime.bigint();
    const result = await sweepEstate(options);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    clearInterval(sampler);
    return {
      resources: result.resources.length,
      subscriptions,
      ms,
      requests: result.requests,
      peakHeapMb: peakHeap / 2 ** 20,
      rssGrowthMb: (peakRss - rssBefore) / 2 ** 20,
    };
  } finally {
    await emu.stop();
  }
}

export function renderSweep(r) {
  return [
    "## Sweep (Resource Graph, emulator)",
    "",
    `sweepEstate over ${r.resources} ACS resources in ${r.subscriptions} subscriptions (emulator in its own process, 1,000 rows per page):`,
    "",
    "| resources | time | Resource Graph requests | peak heap | RSS growth |",
    "|---:|---:|---:|---:|---:|",
    `| ${r.resources} | ${(r.ms / 1000).toFixed(2)} s | ${r.requests} | ${r.peakHeapMb.toFixed(1)} MiB | ${r.rssGrowthMb.toFixed(1)} MiB |`,
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { smoke: { type: "boolean", default: false } } });
  console.log(renderSweep(await sweepBenchmark(values.smoke ? { resources: 200, subscriptions: 5 } : {})));
}
