// The parser sandbox's memory limit rests on reading another process's resident memory: through /proc on Linux and
// through `ps` on macOS and the BSDs (tried here on Linux too). A real process that takes 192 MiB must be seen past a
// 96 MiB limit, once, with the peak; one that stays small must not; a process that is gone is no error.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { procResidentMemory, watchMemory } from "../../packages/cli/src/scan/code/memoryWatch.js";
import type { MemorySource, ResidentMemory } from "../../packages/cli/src/scan/code/memoryWatch.js";

const MIB = 1024 * 1024;
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill("SIGKILL");
});

/** A node process that fills `mib` MiB (touched, so resident) and then waits. */
function holding(mib: number): ChildProcess {
  const script = `globalThis.held = Buffer.alloc(${mib} * 1024 * 1024, 1); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["-e", script], { stdio: "ignore" });
  started.push(child);
  return child;
}

/** What `watchMemory` reported within `ms` (undefined: nothing), and its peak then. */
function watchFor(pid: number, limit: number, source: MemorySource, ms: number) {
  return new Promise<{ over: ResidentMemory[]; peak: number }>((resolve) => {
    const over: ResidentMemory[] = [];
    const watch = watchMemory(pid, limit, (m) => over.push(m), source);
    setTimeout(() => {
      watch.stop();
      resolve({ over, peak: watch.peak });
    }, ms);
  });
}

const sources: MemorySource[] =
  process.platform === "linux" ? ["proc", "ps"] : process.platform === "win32" ? [] : ["ps"];

describe.skipIf(sources.length === 0)("watchMemory", () => {
  for (const source of sources) {
    it(`sees a process past its limit once, with its peak (${source})`, async () => {
      const child = holding(192);
      const { over, peak } = await watchFor(child.pid ?? -1, 96 * MIB, source, 2_000);
      expect(over).toHaveLength(1);
      expect(over[0].peak).toBeGreaterThan(96 * MIB);
      expect(over[0].peak).toBeLessThan(1024 * MIB);
      expect(peak).toBe(over[0].peak);
    }, 10_000);

    it(`leaves a process under its limit alone, and a process that is gone (${source})`, async () => {
      const child = holding(1);
      const small = await watchFor(child.pid ?? -1, 512 * MIB, source, 600);
      expect(small.over).toEqual([]);
      expect(small.peak).toBeGreaterThan(0);
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
      const gone = await watchFor(child.pid ?? -1, 1, source, 400);
      expect(gone.over).toEqual([]);
    }, 10_000);
  }

  it.skipIf(process.platform !== "linux")("reads /proc's VmRSS and the kernel's peak", () => {
    const own = procResidentMemory(process.pid);
    expect(own?.rss).toBeGreaterThan(MIB);
    expect(own?.peak).toBeGreaterThanOrEqual(own?.rss ?? Infinity);
    expect(procResidentMemory(2 ** 22 + 12_345)).toBeUndefined();
  });
});
