// Garbage collections during `requests` sends of one arm (run under `node --trace-gc`; the caller counts the lines).
// usage: node --trace-gc bench/lib/gcCountArm.mjs <arm> <requests> <concurrency>
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARMS } from "./profileArm.mjs";
import { sendBatch } from "./sendBatch.mjs";
import { startEmulatorProcess } from "./startEmulatorProcess.mjs";

const [arm, requests, concurrency] = process.argv.slice(2);
const emu = await startEmulatorProcess();
const dir = mkdtempSync(join(tmpdir(), "acs-gc-"));
const cleanup = [];
const opened = (factory, removeKey) => {
  cleanup.push(async () => {
    await factory.close();
    removeKey?.();
  });
  return factory.createSmsClient();
};
const client = ARMS[arm](emu, { tlsOptions: { ca: emu.caCertificatePem } }, dir, opened);
await sendBatch(client, 2000, Number(concurrency));
console.log("--- measured ---");
const before = process.cpuUsage();
await sendBatch(client, Number(requests), Number(concurrency));
const cpu = process.cpuUsage(before);
console.log(`--- done --- cpu/request ${((cpu.user + cpu.system) / Number(requests)).toFixed(1)} µs`);
for (const c of cleanup) await c();
await emu.stop();
rmSync(dir, { recursive: true, force: true });
