// 6. Install footprint: `npm install --omit=dev` of the packed acs-baseline tarball in an empty project, against the
//    raw SDK set an app would install without it (bench/lib/installInventory.mjs). Needs the npm registry.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inventory, RAW_SDK_SET } from "./lib/installInventory.mjs";
import { fmt, ratio } from "./lib/stats.mjs";

const ROOT = new URL("..", import.meta.url).pathname;
const QUIET = { ...process.env, npm_config_fund: "false", npm_config_audit: "false", npm_config_loglevel: "error" };

function install(dir, specs) {
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "bench-consumer", version: "1.0.0", private: true }));
  execFileSync("npm", ["install", "--omit=dev", "--no-package-lock", ...specs], {
    cwd: dir,
    env: QUIET,
    stdio: "ignore",
  });
  return inventory(dir);
}

export function installSize() {
  const work = mkdtempSync(join(tmpdir(), "acs-baseline-install-"));
  try {
    const [{ filename }] = JSON.parse(
      execFileSync("npm", ["pack", "-w", "acs-baseline", "--json", "--pack-destination", work], {
        cwd: ROOT,
        env: QUIET,
        encoding: "utf8",
      }),
    );
    const rawDir = mkdtempSync(join(work, "raw-"));
    const oursDir = mkdtempSync(join(work, "ours-"));
    const raw = install(rawDir, RAW_SDK_SET);
    const ours = install(oursDir, [join(work, filename)]);
    return { raw, ours, extra: [...ours.names.keys()].filter((n) => !raw.names.has(n)) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function renderInstallSize(r) {
  return [
    "Install footprint (`npm install --omit=dev` in an empty project)",
    "",
    "| install | packages | MB on disk | packages ratio | size ratio |",
    "|---|---|---|---|---|",
    `| raw SDK set (${RAW_SDK_SET.join(", ")}) | ${r.raw.packages} | ${fmt(r.raw.bytes / 1e6, 1)} | 1.000 | 1.000 |`,
    `| acs-baseline (its peers give the same SDK set) | ${r.ours.packages} | ${fmt(r.ours.bytes / 1e6, 1)} | ${fmt(ratio(r.ours.packages, r.raw.packages))} | ${fmt(ratio(r.ours.bytes, r.raw.bytes))} |`,
    "",
    `Packages beyond the raw set: ${r.extra.join(", ") || "none"} (budget: at most 3; CI's .ci/consumers.mjs fails above it).`,
  ].join("\n");
}
