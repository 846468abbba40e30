// 1d. Attribution by ablation: what each suspect costs end to end. The same SmsClient.send workload as the
//     request-overhead benchmark (emulator in its own process, shuffled rounds, several fresh processes), with the
//     factory (audit on, chained, signed) next to copies of this build in which one suspect is switched off. A copy
//     is this build's dist/esm with one text replacement, written under node_modules/.acs-variants/ (so it resolves
//     the same dependencies) and loaded as a second module instance. The paired difference "factory − copy" per
//     round is what that suspect costs per request. Measurement only: a copy is never a supported configuration.
//     `node bench/attribution.mjs [--forks=3] [--rounds=40] [--batch=100] [--concurrency=1] [--suspects=name,name] [--without-factory] [--smoke]
//     `--without-factory`: only raw, raw-2 and the copies in each process (a copy is then the only acs-baseline code
//     running, e.g. to compare two copies across processes by their paired difference to raw).`
import { spawn } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bootstrapMedianInterval, fmt, median, seededRandom } from "./lib/stats.mjs";

const DIST = fileURLToPath(new URL("../packages/acs-baseline/dist/esm/", import.meta.url));
export const VARIANT_ROOT = fileURLToPath(new URL("../node_modules/.acs-variants/", import.meta.url));

/** Each suspect: the file under dist/esm and the text replaced to switch it off. */
export const SUSPECTS = {
  // The control: a copy with nothing switched off. A copy is a second module instance with its own JIT state, so
  // compare a suspect's copy with this one ("control − copy"), not only with the factory.
  "unpatched copy": [],
  "no env read per request": [["guard/requestGuard.js", "        environmentReason();", "        undefined;"]],
  "no guard copy (check in place)": [
    [
      "guard/requestGuard.js",
      "    const sent = snapshotOf(request, target.sealedTls);\n    const unreadable = withOwnHeaders(sent);",
      "    const sent = request;\n    const unreadable = undefined;",
    ],
    [
      "guard/requestGuard.js",
      "    sealSnapshot(sent, target.sealedTls, target);\n    return sent;",
      "    return sent;",
    ],
  ],
  "no request records": [
    [
      "audit/write/auditPolicy.js",
      "            const start = performance.now();",
      "            return next(request);\n            const start = performance.now();",
    ],
  ],
  "records built but not queued": [
    [
      "audit/write/recorder.js",
      "        if (this.closing !== undefined || this.log.closing !== undefined || this.minRank > 30)\n            return;",
      "        return;",
    ],
  ],
  "queue drained every 2 ms": [["audit/write/chainWriter.js", "const BATCH_MS = 50;", "const BATCH_MS = 2;"]],
  "CommonJS http client (the SDK's copy)": [
    [
      "clients/clientPipeline.js",
      'import { createDefaultHttpClient } from "@azure/core-rest-pipeline";',
      'import { createRequire } from "node:module";\nconst { createDefaultHttpClient } = createRequire(import.meta.url)("@azure/core-rest-pipeline");',
    ],
  ],
  "timer list kept alive": [
    [
      "guard/requestGuard.js",
      "export function guardHttpClient(inner, target, onBlocked, timeoutMs = 0, agents = {}, sealedTls) {\n",
      "export function guardHttpClient(inner, target, onBlocked, timeoutMs = 0, agents = {}, sealedTls) {\n    if (timeoutMs > 0) setInterval(() => undefined, timeoutMs).unref();\n",
    ],
  ],
  get "CommonJS http client + timer list kept alive"() {
    return [...this["CommonJS http client (the SDK's copy)"], ...this["timer list kept alive"]];
  },
  // Round 2 (issue 26): the audit batch written from the request path once it is due, instead of on its own timer.
  "batch drained when 40 ms old (no timer wake-up)": [
    [
      "audit/write/chainWriter.js",
      "        else if (this.timer === undefined) {\n            this.timer = setTimeout(() => this.drain(), BATCH_MS);",
      "        else if (this.immediate === undefined && item.ms - this.pending[0].ms >= 40) {\n            this.immediate = setImmediate(() => this.drain());\n            this.immediate.unref();\n        }\n        else if (this.timer === undefined) {\n            this.timer = setTimeout(() => this.drain(), BATCH_MS);",
    ],
  ],
  "batch drained before the next record would pass 50 ms": [
    [
      "audit/write/chainWriter.js",
      "        else if (this.timer === undefined) {\n            this.timer = setTimeout(() => this.drain(), BATCH_MS);\n            this.timer.unref();\n        }\n",
      "        else if (this.timer === undefined) {\n            this.timer = setTimeout(() => this.drain(), BATCH_MS);\n            this.timer.unref();\n            this.batchStartMs = item.ms;\n        }\n        else if (this.immediate === undefined && item.ms - this.batchStartMs + (item.ms - this.lastQueuedMs) >= BATCH_MS) {\n            this.immediate = setImmediate(() => this.drain());\n            this.immediate.unref();\n        }\n        this.lastQueuedMs = item.ms;\n",
    ],
  ],
  "no TLS-trust catch (one promise step less)": [
    [
      "guard/requestGuard.js",
      "            return handBack(inner.sendRequest(sent), request, sent, (error) => tlsTrustRefusal(error, url) ?? error);",
      "            return inner.sendRequest(sent);",
    ],
  ],
  "guard policy check skipped": [
    [
      "guard/requestGuard.js",
      "            if (transport === false) {\n                checkPrepared(request, fixed, onBlocked, transport);",
      "            if (transport === false) {",
    ],
  ],
  "guard HttpClient passes the request through (no copy or checks)": [
    [
      "guard/requestGuard.js",
      "                sent = checkedCopy(request, fixed, onBlocked, agents);",
      "                sent = request;",
    ],
  ],
  "guard HttpClient copies and seals but checks nothing": [
    [
      "guard/requestGuard.js",
      "    checkPrepared(sent, target, onBlocked, transport);\n    sealSnapshot(sent, target.sealedTls, target);",
      "    sealSnapshot(sent, target.sealedTls, target);",
    ],
  ],
  "guard HttpClient copies and checks but does not seal": [
    [
      "guard/requestGuard.js",
      "    checkPrepared(sent, target, onBlocked, transport);\n    sealSnapshot(sent, target.sealedTls, target);\n    return sent;",
      "    checkPrepared(sent, target, onBlocked, transport);\n    return sent;",
    ],
  ],
  "promise step ×10": [
    [
      "guard/requestGuard.js",
      "            return handBack(inner.sendRequest(sent), request, sent,",
      "            return handBack(inner.sendRequest(sent).then((x) => x).then((x) => x).then((x) => x).then((x) => x).then((x) => x).then((x) => x).then((x) => x).then((x) => x).then((x) => x), request, sent,",
    ],
  ],
  // Round 3: the floor. Every per-request step of the factory bypassed at once (no request record, no guard check in
  // the policy, the HttpClient passes the request through with no copy, checks, seal, timeout or catch): what is left
  // is the cost of the factory's client being built differently (its extra pass-through steps and module instance).
  get "bare: every per-request step bypassed"() {
    return [
      ...this["no request records"],
      ...this["guard policy check skipped"],
      ...this["guard HttpClient passes the request through (no copy or checks)"],
      [
        "guard/requestGuard.js",
        "            if (timeoutMs > 0 && !(sent.timeout > 0))\n                sent.timeout = timeoutMs;",
        "",
      ],
      ...this["no TLS-trust catch (one promise step less)"],
    ];
  },
  // Round 3: does handing the HTTP client a copy make the code after it slower (another object shape in the SDK's
  // response path), or is it the copy's own cost? Measurement only: sending the original is not safe.
  "copy checked then original sent": [
    [
      "guard/requestGuard.js",
      "                sent = checkedCopy(request, fixed, onBlocked, agents);",
      "                checkedCopy(request, fixed, onBlocked, agents);\n                sent = request;",
    ],
  ],
  // Amplified: the suspect done ten times instead of once; (factory − this) / 9 is the cost of one.
  "env read ×10": [
    [
      "guard/requestGuard.js",
      "        environmentReason();",
      "        (environmentReason() ?? environmentReason() ?? environmentReason() ?? environmentReason() ?? environmentReason() ?? environmentReason() ?? environmentReason() ?? environmentReason() ?? environmentReason() ?? environmentReason());",
    ],
  ],
  "guard copy ×10": [
    [
      "guard/requestGuard.js",
      "    const sent = snapshotOf(request, target.sealedTls);\n",
      "    for (let i = 0; i < 9; i++) sealSnapshot(snapshotOf(request, target.sealedTls), target.sealedTls);\n    const sent = snapshotOf(request, target.sealedTls);\n",
    ],
  ],
  "record fields ×10": [
    [
      "audit/write/auditPolicy.js",
      "    if (fast !== undefined) {",
      "    for (let i = 0; i < 9; i++) globalThis.__sink = [traceOf(request, active), pathOf(request.url), correlationOf(response), performance.now()];\n    if (fast !== undefined) {",
    ],
  ],
};

/** Writes one patched copy of dist/esm per suspect; returns name → entry path. */
export function writeVariants(names = Object.keys(SUSPECTS)) {
  const entries = {};
  for (const name of names) {
    const dir = `${VARIANT_ROOT}${name.replace(/[^a-z]+/g, "-")}/`;
    rmSync(dir, { recursive: true, force: true });
    cpSync(DIST, dir, { recursive: true });
    for (const [file, from, to] of SUSPECTS[name]) {
      const text = readFileSync(dir + file, "utf8");
      if (!text.includes(from)) throw new Error(`suspect "${name}": ${file} no longer contains the text to replace`);
      writeFileSync(dir + file, text.replace(from, to));
    }
    entries[name] = `${dir}index.js`;
  }
  return entries;
}

function runFork(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [new URL("./lib/attributionFork.mjs", import.meta.url).pathname, JSON.stringify(options)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (out += chunk));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`attribution fork exited with ${code}`)),
    );
  });
}

export async function attribution({
  forks = 3,
  rounds = 40,
  batch = 100,
  warmup = 300,
  concurrency = 1,
  suspects,
  withoutFactory = false,
} = {}) {
  const variants = writeVariants(suspects);
  const results = [];
  for (let f = 0; f < forks; f++)
    results.push(await runFork({ rounds, batch, warmup, concurrency, seed: 31 + f, variants, withoutFactory }));
  const names = results[0].names;
  const cpu = Object.fromEntries(names.map((n) => [n, results.flatMap((r) => r.cpu[n])]));
  const random = seededRandom(5);
  const paired = (a, b) => cpu[a].map((v, i) => v - cpu[b][i]);
  const rows = names.map((name) => {
    const vsRaw = paired(name, "raw");
    const vsFactory = names.includes("factory") ? paired("factory", name) : [];
    return {
      name,
      cpu: median(cpu[name]),
      vsRaw: median(vsRaw),
      vsRawInterval: bootstrapMedianInterval(vsRaw, random),
      saved: median(vsFactory),
      savedInterval: bootstrapMedianInterval(vsFactory, random),
      ...(names.includes("unpatched copy") ? controlled(paired("unpatched copy", name), random) : {}),
    };
  });
  return { forks, rounds, batch, concurrency, rows };
}

const controlled = (diffs, random) => ({
  vsControl: median(diffs),
  vsControlInterval: bootstrapMedianInterval(diffs, random),
});

export function renderAttribution(result) {
  const lines = [
    `Attribution by ablation (SmsClient.send end to end, ${result.forks} processes × ${result.rounds} rounds × ${result.batch} requests, ${result.concurrency} in flight; factory = audit on, chained, signed)`,
    "",
    "| client | CPU/request (µs) | − raw (µs, 95% CI) | factory − this (µs, 95% CI) | unpatched copy − this (µs, 95% CI) |",
    "|---|---|---|---|---|",
  ];
  const ci = (v, i) =>
    v === undefined || !Number.isFinite(v) ? "n/a" : `${fmt(v, 1)} (${fmt(i[0], 1)}–${fmt(i[1], 1)})`;
  for (const r of result.rows) {
    lines.push(
      `| ${r.name} | ${fmt(r.cpu, 1)} | ${ci(r.vsRaw, r.vsRawInterval)} | ${ci(r.saved, r.savedInterval)} | ${ci(r.vsControl, r.vsControlInterval)} |`,
    );
  }
  lines.push(
    "",
    "Paired per-round median differences. raw-2 (a second raw client) shows the noise; a suspect's cost is best read against the unpatched copy (same kind of module instance).",
  );
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      forks: { type: "string" },
      rounds: { type: "string" },
      batch: { type: "string" },
      concurrency: { type: "string" },
      suspects: { type: "string" },
      "without-factory": { type: "boolean", default: false },
      smoke: { type: "boolean", default: false },
    },
  });
  const options = values.smoke ? { forks: 1, rounds: 2, batch: 5, warmup: 10 } : {};
  for (const key of ["forks", "rounds", "batch", "concurrency"])
    if (values[key] !== undefined) options[key] = Number(values[key]);
  if (values.suspects !== undefined) options.suspects = values.suspects.split(",");
  options.withoutFactory = values["without-factory"];
  console.log(renderAttribution(await attribution(options)));
}
