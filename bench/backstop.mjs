// 1d. The wire backstop's cost. While a factory is open it listens on Node's `http.client.request.start` channel, so
//     it runs for every http/https request in the process (to the ACS endpoint or anywhere else), including the raw
//     clients of the end-to-end run. Here real ClientRequest objects (never sent) are published on that channel the
//     way Node publishes them, with no factory open (Node skips the publish then) and with one open: the difference
//     is what the backstop adds to each request, in nanoseconds.
import { channel } from "node:diagnostics_channel";
import { request as httpsRequest } from "node:https";
import { Duplex } from "node:stream";
import { AcsClientFactory } from "acs-baseline";
import { emulatorFactoryOptions, startEmulator } from "acs-baseline-emulator";
import { bootstrapMedianInterval, fmt, median, seededRandom } from "./lib/stats.mjs";

const start = channel("http.client.request.start");
const BEARER = `Bearer ${"e".repeat(1200)}`;

function clientRequest(host, port) {
  const request = httpsRequest({
    host,
    port,
    method: "POST",
    path: "/sms?api-version=2021-03-07",
    headers: { authorization: BEARER, host: `${host}:${port}`, "content-type": "application/json" },
    createConnection: () =>
      new Duplex({
        read() {},
        write(_chunk, _encoding, done) {
          done();
        },
      }),
  });
  request.on("error", () => {});
  return request;
}

/** ns per publish of `request` (what Node does once per request), `count` times. */
function publishCost(request, count) {
  const message = { request };
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) if (start.hasSubscribers) start.publish(message);
  return Number(process.hrtime.bigint() - started) / count;
}

export async function backstop({ rounds = 40, count = 200_000 } = {}) {
  const emu = await startEmulator();
  const app = await emu.createTestApplication();
  const url = new URL(emu.endpoint);
  const toEndpoint = clientRequest(url.hostname, Number(url.port));
  const elsewhere = clientRequest("10.20.30.40", 443);
  const samples = { off: [], endpoint: [], elsewhere: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      samples.off.push(publishCost(toEndpoint, count));
      const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
      try {
        if (round % 2 === 0) {
          samples.endpoint.push(publishCost(toEndpoint, count));
          samples.elsewhere.push(publishCost(elsewhere, count));
        } else {
          samples.elsewhere.push(publishCost(elsewhere, count));
          samples.endpoint.push(publishCost(toEndpoint, count));
        }
      } finally {
        await factory.close();
      }
    }
    const random = seededRandom(5);
    const extra = (name) => {
      const deltas = samples[name].map((v, i) => v - samples.off[i]);
      return { median: median(deltas), interval: bootstrapMedianInterval(deltas, random) };
    };
    return {
      rounds,
      count,
      rows: [
        { name: "a Bearer request to the factory's endpoint", ...extra("endpoint") },
        { name: "a request to another host", ...extra("elsewhere") },
      ],
    };
  } finally {
    toEndpoint.destroy();
    elsewhere.destroy();
    await emu.close();
  }
}

export function renderBackstop(result) {
  return [
    `Wire backstop (what an open factory adds to every http/https request in the process; ${result.rounds} rounds × ${result.count} requests published as Node publishes them)`,
    "",
    "| request | extra per request (ns, 95% CI) |",
    "|---|---|",
    ...result.rows.map(
      (r) => `| ${r.name} | ${fmt(r.median, 0)} (${fmt(r.interval[0], 0)}–${fmt(r.interval[1], 0)}) |`,
    ),
    "",
    "The end-to-end table above runs its raw clients while the factories are open, so this cost is in its raw rows too.",
  ].join("\n");
}
