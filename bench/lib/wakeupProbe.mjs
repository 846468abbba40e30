// What one event-loop wake-up, and one fstat + write in a timer, cost in CPU on this machine: 300 cycles of a 4 ms
// sleep, alone and with one more timer (or setImmediate) per cycle. `node bench/lib/wakeupProbe.mjs`
import { fstatSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { setImmediate } from "node:timers";
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
const fd = openSync(`${tmpdir()}/acs-wakeup-probe.log`, "a");
const buf = Buffer.alloc(700, 97);
async function cycle(label, extra) {
  const t = process.cpuUsage();
  for (let i = 0; i < 300; i++) {
    extra?.();
    await sleep(4);
  }
  const c = process.cpuUsage(t);
  console.log(label, ((c.user + c.system) / 300).toFixed(1), "µs per cycle");
}
for (let k = 0; k < 2; k++) {
  await cycle("idle sleep");
  await cycle("+ extra 2 ms timer", () => setTimeout(() => {}, 2));
  await cycle("+ extra timer doing fstat+write", () =>
    setTimeout(() => {
      fstatSync(fd);
      writeSync(fd, buf);
    }, 2),
  );
  await cycle("+ extra setImmediate", () => setImmediate(() => {}));
}
rmSync(`${tmpdir()}/acs-wakeup-probe.log`, { force: true });
