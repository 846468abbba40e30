// 4. Scan: files per second of `acs-baseline scan` over two generated trees of ≥ 5,000 files (one in five an ARM,
//    Bicep or Terraform template), side by side with secretlint (recommended preset) on the same tree, and how many
//    of the seeded ACS key-auth cases each finds:
//    - mixed: one ordinary JavaScript/TypeScript file in 20 imports an ACS SDK. Target: ≥ 2× secretlint's files/s.
//    - all-ACS: every ordinary JavaScript/TypeScript file imports an ACS SDK (an ACS-heavy app). Target: ≥ 1×.
//    The ACS-importing files use Microsoft Entra ID: a finding on one of them is a false positive, and is counted.
//    Files/s is wall-clock. acs-baseline can analyse JavaScript/TypeScript on worker threads as well (the "threads"
//    column; by default one less than the CPU count, up to 4), so it is also timed in the other mode (`--jobs 1` when
//    the default uses workers, else `--jobs 2`), and each run's CPU seconds (user + system of the scanner's process
//    and all its threads, from /proc/self/stat's waited-for-children times: Linux only, 10 ms ticks) are shown too.
// `node bench/scan.mjs [--smoke]` runs this benchmark alone (CI runs it through `node bench/run.mjs --smoke`).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { generateScanTree } from "./lib/scanTree.mjs";
import { perFileCost } from "./lib/scanPerFile.mjs";
import { fmt } from "./lib/stats.mjs";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const TREES = [
  { name: "mixed (1 JS/TS file in 20 imports an ACS SDK)", acsEvery: 20, target: 2 },
  { name: "all-ACS (every JS/TS file imports an ACS SDK)", acsEvery: 1, target: 1 },
];

function countFiles(dir, filter = () => true) {
  let n = 0;
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    n += statSync(p).isDirectory() ? countFiles(p, filter) : filter(entry) ? 1 : 0;
  }
  return n;
}

/** CPU seconds of this process's waited-for children (Linux), or NaN elsewhere. */
function childrenCpuSeconds() {
  try {
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis): cutime is the
    // 14th and cstime the 15th of them, in clock ticks (100 per second on Linux).
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

function timed(command, args, cwd) {
  const cpuBefore = childrenCpuSeconds();
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, cpuS: childrenCpuSeconds() - cpuBefore, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function foundFiles(tree, ours, theirs) {
  const ourFindings = JSON.parse(ours.stdout);
  const ourFiles = new Set(
    (Array.isArray(ourFindings) ? ourFindings : (ourFindings.findings ?? [])).map((f) =>
      relative(tree, resolve(tree, f.file ?? f.path)),
    ),
  );
  let theirFiles = new Set();
  try {
    theirFiles = new Set(
      JSON.parse(theirs.stdout)
        .filter((r) => r.messages.length > 0)
        .map((r) => relative(tree, r.filePath)),
    );
  } catch {
    // secretlint prints nothing parseable when it finds nothing
  }
  return { ourFiles, theirFiles };
}

function listFiles(dir, filter, out = []) {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) listFiles(p, filter, out);
    else if (filter(entry)) out.push(p);
  }
  return out;
}

async function scanOneTree({ files, seeds, runs, acsEvery, perFile }) {
  const tree = mkdtempSync(join(tmpdir(), "acs-scan-bench-"));
  try {
    const seeded = generateScanTree(tree, { files, seeds, acsEvery });
    const total = countFiles(tree);
    const iac = countFiles(tree, (name) => /\.(bicep|tf|json)$/.test(name) && !name.startsWith("config"));
    const secretlintrc = join(tree, ".secretlintrc.json");
    writeFileSync(secretlintrc, JSON.stringify({ rules: [{ id: "@secretlint/secretlint-rule-preset-recommend" }] }));
    const code = listFiles(tree, (name) => /^file\d+\.(js|ts)$/.test(name));
    // The threads the scan analyses files with (workers start only when enough source files need the parse: every
    // ACS-importing and seeded source file does), and the other mode, timed as a third row.
    const cli = await import(join(ROOT, "packages/cli/dist/esm/scan/scan.js"));
    const toParse = Math.round(code.length / acsEvery) + seeded.filter((s) => /\.[cm]?[jt]s$/.test(s)).length;
    const threadsWith = (jobs) => (toParse >= cli.MIN_PARSED_FILES_FOR_WORKERS ? jobs : 1);
    const ourThreads = threadsWith(cli.defaultScanJobs());
    const otherJobs = ourThreads > 1 ? 1 : 2;
    const bin = join(ROOT, "packages/cli/dist/esm/bin.js");
    const runOurs = () => timed(process.execPath, [bin, "scan", ".", "--format", "json"], tree);
    const runOther = () =>
      timed(process.execPath, [bin, "scan", ".", "--format", "json", "--jobs", `${otherJobs}`], tree);
    const secretlint = join(ROOT, "node_modules/secretlint/bin/secretlint.js");
    const runTheirs = () =>
      timed(process.execPath, [secretlint, "**/*", "--format", "json", "--secretlintrc", secretlintrc], tree);
    // Interleaved runs, median wall time of each: one run of each is at the mercy of whatever else the machine does.
    const oursRuns = [];
    const otherRuns = [];
    const theirsRuns = [];
    for (let r = 0; r < runs; r++) {
      oursRuns.push(runOurs());
      theirsRuns.push(runTheirs());
      otherRuns.push(runOther());
    }
    const median = (list) => [...list].sort((a, b) => a.ms - b.ms)[Math.floor(list.length / 2)];
    const ours = median(oursRuns);
    const other = median(otherRuns);
    const theirs = median(theirsRuns);
    const { ourFiles, theirFiles } = foundFiles(tree, ours, theirs);
    const otherFiles = foundFiles(tree, other, theirs).ourFiles;
    const seededSet = new Set(seeded);
    const row = (name, threads, run, found) => ({
      name,
      threads,
      files: total,
      ms: run.ms,
      cpuS: run.cpuS,
      filesPerSecond: (total * 1000) / run.ms,
      seededFound: seeded.filter((s) => found.has(s)).length,
      seeded: seeded.length,
      unexpected: [...found].filter((f) => !seededSet.has(f)).length,
      exit: run.status,
    });
    const rows = [
      row("acs-baseline scan", ourThreads, ours, ourFiles),
      row("secretlint (recommended preset)", 1, theirs, theirFiles),
      row(`acs-baseline scan --jobs ${otherJobs}`, threadsWith(otherJobs), other, otherFiles),
    ];
    const cost = perFile > 0 ? await perFileCost(code.slice(0, perFile)) : undefined;
    return { iac, runs, acsFiles: Math.round(code.length / acsEvery), rows, cost };
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

/** Both trees; on the all-ACS tree, also the CPU per ACS-importing file before (ESLint) and now (oxc-parser). */
export async function scan({ files = 5000, seeds = 50, runs = 5, perFile = 400 } = {}) {
  const trees = [];
  for (const t of TREES) {
    trees.push({
      ...t,
      ...(await scanOneTree({ files, seeds, runs, acsEvery: t.acsEvery, perFile: t.acsEvery === 1 ? perFile : 0 })),
    });
  }
  return { trees };
}

export function renderScan(result) {
  const lines = [];
  for (const t of result.trees) {
    lines.push(
      `Scan, ${t.name}: generated tree, ${t.iac} of the files ARM/Bicep/Terraform templates, about ${t.acsFiles} files importing an ACS SDK with Entra ID, seeded ACS key-auth cases; median of ${t.runs} interleaved runs each`,
      "",
      "| scanner | threads | files | seconds | files/s | CPU s | seeded cases found | files with findings not seeded | exit |",
      "|---|---|---|---|---|---|---|---|---|",
    );
    for (const r of t.rows) {
      lines.push(
        `| ${r.name} | ${r.threads} | ${r.files} | ${fmt(r.ms / 1000, 2)} | ${fmt(r.filesPerSecond, 0)} | ${fmt(r.cpuS, 2)} | ${r.seededFound}/${r.seeded} | ${r.unexpected} | ${r.exit} |`,
      );
    }
    const [ours, theirs, other] = t.rows;
    const ratio = fmt(ours.filesPerSecond / theirs.filesPerSecond, 2);
    const otherRatio = fmt(other.filesPerSecond / theirs.filesPerSecond, 2);
    const threads = (n) => `${n} thread${n === 1 ? "" : "s"}`;
    lines.push(
      "",
      `Speed ratio (acs-baseline / secretlint, wall clock): ${ratio} × by default (${threads(ours.threads)}), ${otherRatio} × with ${other.name.slice("acs-baseline scan ".length)} (${threads(other.threads)}) (target ≥ ${t.target}, all seeded cases found). Threads: the threads analysing files (the runtime's garbage collector has helper threads in every row).`,
      "",
    );
    if (t.cost !== undefined) {
      const { files: n, eslintMs, oxcMs } = t.cost;
      lines.push(
        `CPU per ACS-importing file (${n} files, in process): ESLint's Linter with the rule ${fmt(eslintMs, 2)} ms, oxc-parser with the shared analysis ${fmt(oxcMs, 2)} ms (${fmt(eslintMs / oxcMs, 1)}× less).`,
        "",
      );
    }
  }
  return lines.join("\n").trimEnd();
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { smoke: { type: "boolean", default: false } } });
  console.log(renderScan(await scan(values.smoke ? { files: 200, seeds: 10, runs: 1, perFile: 20 } : {})));
}
