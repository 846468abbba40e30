// CPU per audit batch as a function of its size: a copy of this build whose queue drains every 2 ms (see
// bench/attribution.mjs), `perBatch` request records written, then a 4 ms sleep (one batch each), 200 times; minus
// 200 idle sleeps. `node bench/lib/drainProbe.mjs <perBatch>` (e.g. 1 and 50).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeVariants } from "../attribution.mjs";
import { REQUEST_EVENT as EVENT } from "./requestEvent.mjs";

const perBatch = Number(process.argv[2] ?? 1);
const entry = writeVariants(["queue drained every 2 ms"])["queue drained every 2 ms"];
const { createAuditRecorder } = await import(pathToFileURL(entry).href);
const dir = mkdtempSync(join(tmpdir(), "acs-drain-probe-"));
const recorder = createAuditRecorder({ destination: join(dir, "audit.log"), chain: true });
recorder.setEndpoint("contoso.communication.azure.com");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const cycles = async (write) => {
  const before = process.cpuUsage();
  for (let i = 0; i < 200; i++) {
    if (write) for (let j = 0; j < perBatch; j++) recorder.write(EVENT);
    await sleep(4);
  }
  const used = process.cpuUsage(before);
  return used.user + used.system;
};
await cycles(true); // warm-up
const idle = await cycles(false);
const busy = await cycles(true);
const perCycle = (busy - idle) / 200;
console.log(
  `${perBatch} records per batch: ${perCycle.toFixed(1)} µs per batch beyond an idle sleep, ${(perCycle / perBatch).toFixed(2)} µs per record`,
);
await recorder.close();
rmSync(dir, { recursive: true, force: true });
