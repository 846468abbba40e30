// 1c. This build against a previous one, head to head in one process: the in-memory pipeline workload of 1b (no
//     network, so the differences are microseconds of CPU, not noise from sockets), for raw clients, this build's
//     factory and a previous build's factory, with and without audit, in shuffled rounds. The paired difference
//     "this − previous" answers "did this change make every request dearer?" directly, instead of comparing two
//     RESULTS.md files written on different days.
//
//     `--previous=DIR`: a checkout of the earlier version, built (`npm ci && npm run build`); its factory is loaded from
//     DIR/packages/acs-baseline/dist/esm/index.js (the workspace layout) or DIR/dist/esm/index.js (0.1.0, one package).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { AcsClientFactory } from "acs-baseline";
import { emulatorFactoryOptions, startEmulator } from "acs-baseline-emulator";
import { inMemoryHttpClient, rawInMemorySmsClient } from "./lib/inMemoryHttpClient.mjs";
import { cpuRounds } from "./lib/cpuRounds.mjs";
import { bootstrapMedianInterval, fmt, median } from "./lib/stats.mjs";

/** The previous build's entry point and version, from a checkout directory. */
export function previousEntry(dir) {
  const root = resolve(dir);
  for (const entry of [join(root, "packages/acs-baseline/dist/esm/index.js"), join(root, "dist/esm/index.js")]) {
    if (!existsSync(entry)) continue;
    const manifest = join(dirname(dirname(dirname(entry))), "package.json");
    const version = existsSync(manifest) ? JSON.parse(readFileSync(manifest, "utf8")).version : "?";
    return { entry, version };
  }
  throw new Error(
    `No built acs-baseline under ${root} (looked for packages/acs-baseline/dist/esm/index.js and dist/esm/index.js; run npm ci && npm run build there).`,
  );
}

export async function previousBuild({ dir, rounds = 200, batch = 1000, warmup = 3000, concurrency = 4 } = {}) {
  const { entry, version } = previousEntry(dir);
  const previous = await import(pathToFileURL(entry).href);
  const emu = await startEmulator({ tokenLifetimeSeconds: 3600 });
  const app = await emu.createTestApplication();
  const logs = mkdtempSync(join(tmpdir(), "acs-bench-previous-"));
  // The union of both versions' options: an older build ignores the ones it does not know.
  const options = (audit) =>
    emulatorFactoryOptions(emu, app, {
      allowCustomHttpClient: true,
      ...(audit ? { audit: { destination: join(logs, `${audit}.log`), chain: true } } : {}),
    });
  const factories = {
    current: new AcsClientFactory(options("current")),
    currentBare: new AcsClientFactory(options()),
    previous: new previous.AcsClientFactory(options("previous")),
    previousBare: new previous.AcsClientFactory(options()),
  };
  const raw = () => rawInMemorySmsClient(emu, app);
  const subjects = [
    { name: "raw", client: raw() },
    { name: "raw-2", client: raw() },
    { name: "this build", client: factories.current.createSmsClient({ httpClient: inMemoryHttpClient }) },
    { name: "this build, no audit", client: factories.currentBare.createSmsClient({ httpClient: inMemoryHttpClient }) },
    { name: "previous", client: factories.previous.createSmsClient({ httpClient: inMemoryHttpClient }) },
    { name: "previous, no audit", client: factories.previousBare.createSmsClient({ httpClient: inMemoryHttpClient }) },
  ];
  try {
    const { cpu, random } = await cpuRounds(subjects, { rounds, batch, warmup, concurrency, seed: 13 });
    const paired = (a, b) => {
      const deltas = cpu[a].map((v, i) => v - cpu[b][i]);
      return { median: median(deltas), interval: bootstrapMedianInterval(deltas, random) };
    };
    return {
      version,
      rounds,
      batch,
      concurrency,
      rows: subjects.map(({ name }) => ({ name, cpuPerRequestUs: median(cpu[name]), extra: paired(name, "raw") })),
      differences: [
        { name: "with audit", ...paired("this build", "previous") },
        { name: "no audit", ...paired("this build, no audit", "previous, no audit") },
      ],
    };
  } finally {
    for (const f of Object.values(factories)) await f.close();
    await emu.close();
    rmSync(logs, { recursive: true, force: true });
  }
}

export function renderPreviousBuild(result) {
  const range = (x) => `${fmt(x.median, 2)} (${fmt(x.interval[0], 2)}–${fmt(x.interval[1], 2)})`;
  return [
    `This build against a previous build (${result.version}), head to head in one process (the in-memory SmsClient.send workload of the pipeline table, ${result.rounds} rounds × ${result.batch} requests, ${result.concurrency} in flight)`,
    "",
    "| client | CPU/request (µs) | extra over raw (µs, 95% CI) |",
    "|---|---|---|",
    ...result.rows.map((r) => `| ${r.name} | ${fmt(r.cpuPerRequestUs, 1)} | ${range(r.extra)} |`),
    "",
    "| this build − previous, per request | µs (95% CI) |",
    "|---|---|",
    ...result.differences.map((d) => `| ${d.name} | ${range(d)} |`),
    "",
    "Per-round (paired) median differences. An interval that contains 0 means no difference this run can tell from noise.",
  ].join("\n");
}
