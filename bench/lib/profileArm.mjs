// One arm of the end-to-end profile (bench/profileRequest.mjs starts one process per arm and run): builds one client
// against the emulator (in its own process, so its CPU is not in the profile), warms it up, then sends `requests`
// messages with `concurrency` in flight under the V8 sampling profiler. Prints one JSON document on stdout: CPU µs
// per request (process.cpuUsage, profiler running) and self time per function in µs per request.
import { Session } from "node:inspector/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AcsClientFactory } from "acs-baseline";
import { emulatorFactoryOptions } from "acs-baseline-emulator";
import { rawSmsClient } from "./rawClient.mjs";
import { sendBatch } from "./sendBatch.mjs";
import { signedAudit, signingKeyFile } from "./signingKey.mjs";
import { startEmulatorProcess } from "./startEmulatorProcess.mjs";

/** The arms: what each builds, given the emulator, the shared TLS options and a scratch folder. */
export const ARMS = {
  raw: (emu, tls) => rawSmsClient(emu, tls),
  "factory, no audit": (emu, tls, dir, opened) =>
    opened(new AcsClientFactory(emulatorFactoryOptions(emu, emu, { clientOptions: tls }))),
  factory: (emu, tls, dir, opened) => {
    const key = signingKeyFile();
    const audit = signedAudit(join(dir, "audit.log"), key.path);
    return opened(new AcsClientFactory(emulatorFactoryOptions(emu, emu, { clientOptions: tls, audit })), key.remove);
  },
};

/** Self time per call frame (function, file, line), in µs, from a V8 CPU profile. */
export function selfTimes(profile) {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byNode.get(profile.samples[i]);
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const f = node.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
    totals.set(key, (totals.get(key) ?? 0) + dt);
  }
  return totals;
}

/** A file URL shortened to what tells the reader whose code it is. */
export function shortUrl(url) {
  if (url === "") return "";
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) return url.slice(modules + "node_modules/".length);
  const packages = url.indexOf("/packages/");
  if (packages >= 0) return url.slice(packages + 1);
  return url.replace(/^file:\/\//, "");
}

/**
 * Starts the emulator in its own process and builds one arm's client against it, with a scratch folder named after
 * `prefix`. `close()` closes the arm's factories, stops the emulator and removes the folder.
 */
export async function openArm(arm, prefix) {
  const emu = await startEmulatorProcess();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const cleanup = [];
  const opened = (factory, removeKey) => {
    cleanup.push(async () => {
      await factory.close();
      removeKey?.();
    });
    return factory.createSmsClient();
  };
  const client = ARMS[arm](emu, { tlsOptions: { ca: emu.caCertificatePem } }, dir, opened);
  return {
    client,
    async close() {
      for (const c of cleanup) await c();
      await emu.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function profileArm({ arm, requests, warmup, concurrency, intervalUs }) {
  const { client, close } = await openArm(arm, "acs-profile-");
  const session = new Session();
  session.connect();
  try {
    await sendBatch(client, warmup, concurrency);
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: intervalUs });
    await session.post("Profiler.start");
    const before = process.cpuUsage();
    const started = process.hrtime.bigint();
    await sendBatch(client, requests, concurrency);
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const cpu = process.cpuUsage(before);
    const { profile } = await session.post("Profiler.stop");
    const self = Object.fromEntries([...selfTimes(profile)].map(([k, us]) => [k, us / requests]));
    return {
      arm,
      requests,
      concurrency,
      cpuPerRequestUs: (cpu.user + cpu.system) / requests,
      throughput: (requests * 1000) / wallMs,
      self,
    };
  } finally {
    session.disconnect();
    await close();
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  process.stdout.write(JSON.stringify(await profileArm(JSON.parse(process.argv[2]))));
}
