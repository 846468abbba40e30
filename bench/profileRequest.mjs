// 1c. Where the end-to-end CPU goes: SmsClient.send against the emulator under the V8 sampling profiler, one fresh
//     process per arm and run, arms interleaved (raw, factory, factory-signed, raw, …). Reports, per arm, CPU µs per
//     request and the top self-time functions per request (median over the runs), and what the factory spends
//     beyond raw, by function and by where the code lives (node internals, the Azure SDK, acs-baseline, …).
//     `node bench/profileRequest.mjs [--runs=3] [--requests=20000] [--concurrency=1] [--top=5] [--json=FILE] [--smoke]`
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { fmt, median } from "./lib/stats.mjs";

const ARM_NAMES = ["raw", "factory, no audit", "factory"];

function runArm(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [new URL("./lib/profileArm.mjs", import.meta.url).pathname, JSON.stringify(options)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (out += chunk));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`profile arm exited with ${code}`)),
    );
  });
}

/** Where a call frame's code lives, from its key (`name file:line`). */
export function placeOf(key) {
  const space = key.lastIndexOf(" ");
  const file = key.slice(space + 1).replace(/:\d+$/, "");
  if (file === "") return key.startsWith("(") ? key.slice(0, space) : "native (V8 builtins)"; // (garbage collector), (program), …
  if (file.startsWith("node:")) {
    const parts = file.slice(5).split("/");
    return `node:${parts[0] === "internal" ? parts.slice(1, -1).join("/") || parts.at(-1) : parts[0]}`;
  }
  if (file.startsWith("packages/acs-baseline/")) return "acs-baseline";
  if (file.startsWith("@")) return file.split("/").slice(0, 2).join("/");
  return file.split("/")[0];
}

const medianOf = (runs, pick) => median(runs.map(pick));

function summarise(results, arm) {
  const runs = results.filter((r) => r.arm === arm);
  const keys = new Set(runs.flatMap((r) => Object.keys(r.self)));
  const self = new Map([...keys].map((k) => [k, medianOf(runs, (r) => r.self[k] ?? 0)]));
  const places = new Map();
  for (const r of runs) {
    const mine = new Map();
    for (const [k, us] of Object.entries(r.self)) mine.set(placeOf(k), (mine.get(placeOf(k)) ?? 0) + us);
    for (const [p, us] of mine) (places.get(p) ?? places.set(p, []).get(p)).push(us);
  }
  const placeMedians = new Map(
    [...places].map(([p, list]) => [p, median([...list, ...Array(runs.length - list.length).fill(0)])]),
  );
  return {
    arm,
    runs: runs.length,
    cpu: runs.map((r) => r.cpuPerRequestUs),
    profiled: runs.map((r) => Object.values(r.self).reduce((a, b) => a + b, 0)),
    self,
    places: placeMedians,
  };
}

export async function profileRequest({
  runs = 3,
  requests = 20_000,
  warmup = 2000,
  concurrency = 1,
  intervalUs = 50,
} = {}) {
  const results = [];
  for (let run = 0; run < runs; run++) {
    for (const arm of ARM_NAMES) results.push(await runArm({ arm, requests, warmup, concurrency, intervalUs }));
  }
  return { runs, requests, concurrency, intervalUs, arms: ARM_NAMES.map((a) => summarise(results, a)), results };
}

const top = (map, n, filter = () => true) =>
  [...map]
    .filter(filter)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);

export function renderProfileRequest(result, n = 5) {
  const lines = [
    `End-to-end profile (SmsClient.send against the emulator, ${result.runs} processes per arm interleaved, ${result.requests} requests each, ${result.concurrency} in flight, sampling every ${result.intervalUs} µs; µs per request, median over the processes)`,
    "",
    "| arm | CPU/request (µs, per process) | profiled/request (µs) |",
    "|---|---|---|",
  ];
  for (const a of result.arms)
    lines.push(`| ${a.arm} | ${a.cpu.map((v) => fmt(v, 1)).join(", ")} | ${fmt(median(a.profiled), 1)} |`);
  for (const a of result.arms) {
    lines.push("", `Top ${n} self-time functions, ${a.arm}`, "", "| function (file:line) | µs/request |", "|---|---|");
    for (const [k, us] of top(a.self, n, ([k]) => !k.startsWith("(idle)"))) lines.push(`| \`${k}\` | ${fmt(us, 2)} |`);
  }
  for (const a of result.arms.slice(1)) {
    lines.push(
      "",
      `Top ${n} acs-baseline functions by self time, ${a.arm}`,
      "",
      "| function (file:line) | µs/request |",
      "|---|---|",
    );
    for (const [k, us] of top(a.self, n, ([k]) => placeOf(k) === "acs-baseline"))
      lines.push(`| \`${k}\` | ${fmt(us, 2)} |`);
  }
  const raw = result.arms[0];
  for (const a of result.arms.slice(1)) {
    const diff = new Map(
      [...new Set([...a.places.keys(), ...raw.places.keys()])].map((p) => [
        p,
        (a.places.get(p) ?? 0) - (raw.places.get(p) ?? 0),
      ]),
    );
    lines.push(
      "",
      `${a.arm} − raw, by where the code lives (µs/request; the largest differences)`,
      "",
      "| code | raw | this arm | difference |",
      "|---|---|---|---|",
    );
    for (const [p, d] of [...diff]
      .filter(([p]) => p !== "(idle)")
      .sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]))
      .slice(0, 12)) {
      lines.push(`| ${p} | ${fmt(raw.places.get(p) ?? 0, 2)} | ${fmt(a.places.get(p) ?? 0, 2)} | ${fmt(d, 2)} |`);
    }
    const fdiff = new Map(
      [...new Set([...a.self.keys(), ...raw.self.keys()])].map((k) => [
        k,
        (a.self.get(k) ?? 0) - (raw.self.get(k) ?? 0),
      ]),
    );
    lines.push(
      "",
      `${a.arm} − raw, by function (µs/request; the largest increases)`,
      "",
      "| function (file:line) | difference |",
      "|---|---|",
    );
    for (const [k, d] of top(fdiff, 15, ([k]) => !k.startsWith("(idle)"))) lines.push(`| \`${k}\` | ${fmt(d, 2)} |`);
  }
  return lines.join("\n");
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { values } = parseArgs({
    options: {
      runs: { type: "string" },
      requests: { type: "string" },
      concurrency: { type: "string" },
      top: { type: "string" },
      smoke: { type: "boolean", default: false },
      json: { type: "string" },
    },
  });
  const options = values.smoke ? { runs: 1, requests: 50, warmup: 10 } : {};
  if (values.runs !== undefined) options.runs = Number(values.runs);
  if (values.requests !== undefined) options.requests = Number(values.requests);
  if (values.concurrency !== undefined) options.concurrency = Number(values.concurrency);
  const result = await profileRequest(options);
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(result.results));
  console.log(renderProfileRequest(result, values.top !== undefined ? Number(values.top) : 5));
}
