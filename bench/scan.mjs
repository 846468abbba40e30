// 4. Scan: files per second of `acs-baseline scan` over a generated tree of ≥ 5,000 files (one in five an ARM, Bicep
//    or Terraform template), side by side with secretlint (recommended preset) on the same tree, and how many of the
//    seeded ACS key-auth cases each finds. Target: acs-baseline ≥ 2× secretlint's files/s.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateScanTree } from "./lib/scanTree.mjs";
import { fmt } from "./lib/stats.mjs";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

function countFiles(dir, filter = () => true) {
  let n = 0;
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    n += statSync(p).isDirectory() ? countFiles(p, filter) : filter(entry) ? 1 : 0;
  }
  return n;
}

function timed(command, args, cwd) {
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function scan({ files = 5000, seeds = 50, runs = 5 } = {}) {
  const tree = mkdtempSync(join(tmpdir(), "acs-scan-bench-"));
  try {
    const seeded = generateScanTree(tree, { files, seeds });
    const total = countFiles(tree);
    const iac = countFiles(tree, (name) => /\.(bicep|tf|json)$/.test(name) && !name.startsWith("config"));

    writeFileSync(join(tree, ".secretlintrc.json"), JSON.stringify({ rules: [{ id: "@secretlint/secretlint-rule-preset-recommend" }] }));
    const runOurs = () => timed(process.execPath, [join(ROOT, "packages/cli/dist/esm/bin.js"), "scan", ".", "--format", "json"], tree);
    const runTheirs = () =>
      timed(
        process.execPath,
        [join(ROOT, "node_modules/secretlint/bin/secretlint.js"), "**/*", "--format", "json", "--secretlintrc", join(tree, ".secretlintrc.json")],
        tree,
      );
    // Interleaved runs, median wall time of each: one run of each is at the mercy of whatever else the machine does.
    const oursRuns = [];
    const theirsRuns = [];
    for (let r = 0; r < runs; r++) {
      oursRuns.push(runOurs());
      theirsRuns.push(runTheirs());
    }
    const median = (list) => [...list].sort((a, b) => a.ms - b.ms)[Math.floor(list.length / 2)];
    const ours = median(oursRuns);
    const theirs = median(theirsRuns);
    const ourFindings = JSON.parse(ours.stdout);
    const ourFiles = new Set(
      (Array.isArray(ourFindings) ? ourFindings : ourFindings.findings ?? []).map((f) => relative(tree, resolve(tree, f.file ?? f.path))),
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
    const row = (name, run, found) => ({
      name,
      files: total,
      ms: run.ms,
      filesPerSecond: (total * 1000) / run.ms,
      seededFound: seeded.filter((s) => found.has(s)).length,
      seeded: seeded.length,
      exit: run.status,
    });
    return { iac, runs, rows: [row("acs-baseline scan", ours, ourFiles), row("secretlint (recommended preset)", theirs, theirFiles)] };
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

export function renderScan(result) {
  const lines = [
    `Scan (generated tree, ${result.iac ?? "?"} of the files ARM/Bicep/Terraform templates, seeded ACS key-auth cases; median of ${result.runs ?? 1} interleaved runs each)`,
    "",
    "| scanner | files | seconds | files/s | seeded cases found | exit |",
    "|---|---|---|---|---|---|",
  ];
  for (const r of result.rows) {
    lines.push(`| ${r.name} | ${r.files} | ${fmt(r.ms / 1000, 2)} | ${fmt(r.filesPerSecond, 0)} | ${r.seededFound}/${r.seeded} | ${r.exit} |`);
  }
  const [ours, theirs] = result.rows;
  lines.push("", `Speed ratio (acs-baseline / secretlint): ${fmt(ours.filesPerSecond / theirs.filesPerSecond, 2)} × (target ≥ 2, all seeded cases found).`);
  return lines.join("\n");
}
