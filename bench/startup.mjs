// 5. Start-up: wall time for a fresh Node process to import acs-baseline, against the same process importing what an
//    app that sends SMS with Microsoft Entra ID and logs with pino imports without it: @azure/communication-sms +
//    @azure/identity + pino. Also: acs-baseline plus building its first SmsClient (the client package is loaded then,
//    lazily), and an empty Node process. The cases alternate in every run; ratios are paired per run (this case's
//    time / upstream's time in the same run), median with a bootstrap 95% interval.
import { spawnSync } from "node:child_process";
import { bootstrapMedianInterval, fmt, median, seededRandom } from "./lib/stats.mjs";

const UPSTREAM = "upstream (@azure/communication-sms + @azure/identity + pino)";
const FIRST_SMS_CLIENT = [
  "const { AcsClientFactory } = await import('acs-baseline');",
  "const credential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3600000 }) };",
  "const factory = new AcsClientFactory({ endpoint: 'https://contoso.communication.azure.com', credential });",
  "factory.createSmsClient(); await factory.close();",
].join(" ");

const UPSTREAM_CLIENT = "upstream + new SmsClient()";
const FIRST_CLIENT = "acs-baseline + first createSmsClient()";
const CASES = {
  "node (empty)": "",
  [UPSTREAM]: "await import('@azure/communication-sms'); await import('@azure/identity'); await import('pino');",
  "acs-baseline (import)": "await import('acs-baseline');",
  // What an app pays before its first send: the same set with its SmsClient built (the like-for-like case for the
  // next row, whose client package loads only when the first client is created).
  [UPSTREAM_CLIENT]: [
    "const { SmsClient } = await import('@azure/communication-sms'); await import('@azure/identity'); await import('pino');",
    "const credential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3600000 }) };",
    "new SmsClient('https://contoso.communication.azure.com', credential);",
  ].join(" "),
  [FIRST_CLIENT]: FIRST_SMS_CLIENT,
};

export function startup({ runs = 20 } = {}) {
  const times = Object.fromEntries(Object.keys(CASES).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, code] of Object.entries(CASES)) {
      const started = process.hrtime.bigint();
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { stdio: "ignore" });
      if (r.status !== 0) throw new Error(`start-up case "${name}" failed with exit ${r.status}`);
      times[name].push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  const random = seededRandom(17);
  const base = times[UPSTREAM];
  const clientRatios = times[FIRST_CLIENT].map((ms, i) => ms / times[UPSTREAM_CLIENT][i]);
  return {
    runs,
    rows: Object.entries(times).map(([name, t]) => {
      const ratios = t.map((ms, i) => ms / base[i]);
      return { name, ms: median(t), ratio: median(ratios), interval: bootstrapMedianInterval(ratios, random) };
    }),
    firstClient: { ratio: median(clientRatios), interval: bootstrapMedianInterval(clientRatios, random) },
  };
}

export function renderStartup(result) {
  const lines = [
    `Start-up (wall time of a fresh process, median of ${result.runs} runs each, cases alternating)`,
    "",
    "| import | ms | ratio to upstream (paired, 95% CI) |",
    "|---|---|---|",
  ];
  for (const r of result.rows)
    lines.push(`| ${r.name} | ${fmt(r.ms, 1)} | ${fmt(r.ratio)} (${fmt(r.interval[0])}–${fmt(r.interval[1])}) |`);
  const first = result.firstClient;
  lines.push(
    "",
    `Like for like, with the first SmsClient built: ${FIRST_CLIENT} / ${UPSTREAM_CLIENT} = ${fmt(first.ratio)} (${fmt(first.interval[0])}–${fmt(first.interval[1])}), paired per run.`,
    "",
    "Target: acs-baseline (import) ≤ 1.05 × upstream. The ACS client packages load when the first client of their kind is created.",
  );
  return lines.join("\n");
}
