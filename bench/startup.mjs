// 5. Start-up: time for a fresh Node process to import acs-baseline, versus importing the upstream ACS and identity
//    packages alone, versus an empty Node process. Alternating runs; medians.
import { spawnSync } from "node:child_process";
import { fmt, median, ratio } from "./lib/stats.mjs";

const CASES = {
  "node (empty)": "",
  "upstream (@azure/identity + communication-sms + communication-identity)":
    "await import('@azure/identity'); await import('@azure/communication-sms'); await import('@azure/communication-identity');",
  "acs-baseline": "await import('acs-baseline');",
};

export function startup({ runs = 15 } = {}) {
  const times = Object.fromEntries(Object.keys(CASES).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, code] of Object.entries(CASES)) {
      const started = process.hrtime.bigint();
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { stdio: "ignore" });
      if (r.status !== 0) throw new Error(`start-up case "${name}" failed with exit ${r.status}`);
      times[name].push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  const base = median(times["upstream (@azure/identity + communication-sms + communication-identity)"]);
  return {
    runs,
    rows: Object.entries(times).map(([name, t]) => ({ name, ms: median(t), ratio: ratio(median(t), base) })),
  };
}

export function renderStartup(result) {
  const lines = [`Start-up (median of ${result.runs} fresh processes each)`, "", "| import | ms | ratio to upstream |", "|---|---|---|"];
  for (const r of result.rows) lines.push(`| ${r.name} | ${fmt(r.ms, 1)} | ${fmt(r.ratio)} |`);
  return lines.join("\n");
}
