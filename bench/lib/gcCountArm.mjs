// Garbage collections during `requests` sends of one arm (run under `node --trace-gc`; the caller counts the lines).
// usage: node --trace-gc bench/lib/gcCountArm.mjs <arm> <requests> <concurrency>
import { openArm } from "./profileArm.mjs";
import { sendBatch } from "./sendBatch.mjs";

const [arm, requests, concurrency] = process.argv.slice(2);
const { client, close } = await openArm(arm, "acs-gc-");
await sendBatch(client, 2000, Number(concurrency));
console.log("--- measured ---");
const before = process.cpuUsage();
await sendBatch(client, Number(requests), Number(concurrency));
const cpu = process.cpuUsage(before);
console.log(`--- done --- cpu/request ${((cpu.user + cpu.system) / Number(requests)).toFixed(1)} µs`);
await close();
