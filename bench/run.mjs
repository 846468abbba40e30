// `npm run bench`: runs every benchmark in one process run, prints one report, and writes bench/RESULTS.md with the
// machine and versions. `--smoke` runs a few iterations only (CI keeps the benchmarks working with it; its numbers
// mean nothing). `--only=name[,name]` picks benchmarks: overhead, pipeline, profile, previous, backstop, tokens, audit,
// scan, startup, sweep, install (install needs the npm registry and is skipped by --smoke), attribution (only when named or
// with --smoke: a diagnosis, not a result). `--previous=DIR` adds the head-to-head
// against an earlier build checked out and built in DIR (bench/previousBuild.mjs, and two more clients in the
// end-to-end run); without it those are skipped.
import { writeFileSync, readFileSync } from "node:fs";
import { cpus, loadavg, totalmem, platform, release } from "node:os";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { requestOverhead, renderRequestOverhead, renderExtraSummary } from "./requestOverhead.mjs";
import { profileRequest, renderProfileRequest } from "./profileRequest.mjs";
import { attribution, renderAttribution } from "./attribution.mjs";
import { pipelineOverhead, renderPipelineOverhead } from "./pipelineOverhead.mjs";
import { previousBuild, renderPreviousBuild } from "./previousBuild.mjs";
import { backstop, renderBackstop } from "./backstop.mjs";
import { tokenFetches, renderTokenFetches } from "./tokenFetches.mjs";
import { auditThroughput, renderAuditThroughput } from "./auditThroughput.mjs";
import { scan, renderScan } from "./scan.mjs";
import { startup, renderStartup } from "./startup.mjs";
import { installSize, renderInstallSize } from "./installSize.mjs";
import { sweepBenchmark, renderSweep } from "./sweep.mjs";

const { values } = parseArgs({
  options: { smoke: { type: "boolean", default: false }, only: { type: "string" }, previous: { type: "string" } },
});
const smoke = values.smoke;
const only = values.only ? new Set(values.only.split(",")) : null;
const want = (name) => only === null || only.has(name);

const require = createRequire(import.meta.url);
const version = (name) => {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;
  } catch {
    return "?";
  }
};

const sections = [];
const log = (text) => {
  sections.push(text);
  console.log(`${text}\n`);
};

const machine = [
  `- machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}; load average at start ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ")} (1 / 5 / 15 min; the machine may be shared, see raw-2 for this run's noise)`,
  `- node ${process.version}; acs-baseline ${version("acs-baseline")}; @azure/identity ${version("@azure/identity")}; @azure/communication-sms ${version("@azure/communication-sms")}; @azure/communication-identity ${version("@azure/communication-identity")}; pino ${version("pino")}; eslint ${version("eslint")}; secretlint ${version("secretlint")}`,
  `- date: ${new Date().toISOString()}${smoke ? " (SMOKE RUN: numbers are not meaningful)" : ""}`,
].join("\n");
console.log(`acs-baseline benchmarks\n${machine}\n`);

let e2eRawUs;
let overhead;
if (want("overhead")) {
  overhead = await requestOverhead({
    ...(smoke ? { forks: 1, rounds: 2, batch: 5, warmup: 10 } : {}),
    previous: values.previous,
  });
  e2eRawUs = overhead.runs[0].rows.find((r) => r.name === "raw")?.cpuPerRequestUs;
  log(renderRequestOverhead(overhead));
}
if (want("pipeline")) {
  const pipeline = await pipelineOverhead(smoke ? { rounds: 2, batch: 20, warmup: 20 } : {});
  log(renderPipelineOverhead(pipeline, e2eRawUs));
  // The same pipeline with the caches cooled before every send, sequentially: how much of the end-to-end extra is
  // code and data starting cold.
  const cooled = await pipelineOverhead({
    coolMiB: 4,
    concurrency: 1,
    ...(smoke ? { rounds: 2, batch: 20, warmup: 20 } : { rounds: 40, batch: 300, warmup: 1000 }),
  });
  log(renderPipelineOverhead(cooled, e2eRawUs));
  if (overhead !== undefined) log(renderExtraSummary(overhead, pipeline, cooled));
}
if (want("profile")) {
  for (const concurrency of [1, 32])
    log(
      renderProfileRequest(
        await profileRequest({ concurrency, ...(smoke ? { runs: 1, requests: 50, warmup: 10 } : {}) }),
      ),
    );
}
if (only === null ? smoke : only.has("attribution"))
  log(renderAttribution(await attribution(smoke ? { forks: 1, rounds: 2, batch: 5, warmup: 10 } : {})));
if (want("previous") && values.previous !== undefined) {
  log(
    renderPreviousBuild(
      await previousBuild({ dir: values.previous, ...(smoke ? { rounds: 2, batch: 20, warmup: 20 } : {}) }),
    ),
  );
}
if (want("backstop")) log(renderBackstop(await backstop(smoke ? { rounds: 2, count: 1000 } : {})));
if (want("tokens")) log(renderTokenFetches(await tokenFetches(smoke ? { calls: 20 } : {})));
if (want("audit")) log(renderAuditThroughput(await auditThroughput(smoke ? { records: 2000 } : {})));
if (want("scan")) log(renderScan(await scan(smoke ? { files: 200, seeds: 10, runs: 1, perFile: 20 } : {})));
if (want("startup")) log(renderStartup(startup(smoke ? { runs: 2 } : {})));
if (want("sweep")) log(renderSweep(await sweepBenchmark(smoke ? { resources: 200, subscriptions: 5 } : {})));
if (want("install") && !smoke) log(renderInstallSize(installSize()));

if (!smoke && only === null) {
  writeFileSync(
    new URL("./RESULTS.md", import.meta.url),
    `# Benchmark results\n\n${machine}\n\nRun with \`npm run bench\`.\n\n${sections.join("\n\n")}\n`,
  );
  console.log("wrote bench/RESULTS.md");
}
