/**
 * Watches another process's resident memory (the parser sandbox's child) and reports when it goes past a limit.
 * oxc-parser's arena allocates outside V8's heap (so `--max-old-space-size` does not bound it) and its raw transfer
 * reserves a large buffer up front (so an address-space limit, `ulimit -v`/`-d`, stops the child from starting): what
 * can be bounded is what the process really holds, sampled from outside.
 *
 * Linux: `/proc/<pid>/status` (`VmRSS`, and `VmHWM`, the kernel's own peak), every 50 ms. macOS and the BSDs: `ps -o
 * rss=` every 100 ms (a process start each time: slower, and no kernel peak), as on Linux without `/proc`. Windows:
 * not watched (there is no way without a native module); the time limit still applies.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";

/** Resident memory of a process, in bytes: now, and the highest seen (the kernel's high-water mark where known). */
export interface ResidentMemory {
  rss: number;
  peak: number;
}

/** How often the memory is sampled through `/proc` (Linux), in ms. */
const PROC_INTERVAL_MS = 50;
/** How often the memory is sampled through `ps` (macOS, BSD), in ms. */
const PS_INTERVAL_MS = 100;
const KIB = 1024;

/** Reads `VmRSS` and `VmHWM` from `/proc/<pid>/status` (Linux), or undefined when the process is gone. */
export function procResidentMemory(pid: number): ResidentMemory | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "latin1");
  } catch {
    return undefined;
  }
  const rss = /^VmRSS:\s*(\d+)\s*kB/m.exec(status);
  if (rss === null) return undefined;
  const hwm = /^VmHWM:\s*(\d+)\s*kB/m.exec(status);
  const now = Number(rss[1]) * KIB;
  return { rss: now, peak: hwm === null ? now : Math.max(now, Number(hwm[1]) * KIB) };
}

/** Reads a process's memory and reports it (undefined: the process is gone, or it could not be read). */
type Sampler = (pid: number, report: (memory: ResidentMemory | undefined) => void) => void;

const procSampler: Sampler = (pid, report) => report(procResidentMemory(pid));

const psSampler: Sampler = (pid, report) => {
  execFile("ps", ["-o", "rss=", "-p", String(pid)], { timeout: 1_000, windowsHide: true }, (error, stdout) => {
    const kib = Number.parseInt(String(stdout).trim(), 10);
    report(error === null && Number.isFinite(kib) ? { rss: kib * KIB, peak: kib * KIB } : undefined);
  });
};

/** How a process's memory is read: `/proc` (Linux) or `ps` (other POSIX systems). */
export type MemorySource = "proc" | "ps";

/** This platform's {@link MemorySource} (`ps` on Linux without `/proc`), or undefined (Windows). */
function platformSource(): MemorySource | undefined {
  if (process.platform === "win32") return undefined;
  return process.platform === "linux" && procResidentMemory(process.pid) !== undefined ? "proc" : "ps";
}

const SAMPLERS: Record<MemorySource, { sample: Sampler; intervalMs: number }> = {
  proc: { sample: procSampler, intervalMs: PROC_INTERVAL_MS },
  ps: { sample: psSampler, intervalMs: PS_INTERVAL_MS },
};

/** A running watch: the highest resident memory seen so far (0 before the first sample), and its end. */
export interface MemoryWatch {
  readonly peak: number;
  stop(): void;
}

/**
 * Samples `pid`'s resident memory until stopped, and calls `over` once, with what it saw, when the memory is past
 * `limitBytes`. Where the platform cannot be watched, nothing is sampled (the watch's peak stays 0). `source`: the
 * platform's own unless given (a test seam, to try `ps` on Linux).
 */
export function watchMemory(
  pid: number,
  limitBytes: number,
  over: (memory: ResidentMemory) => void,
  source: MemorySource | undefined = platformSource(),
): MemoryWatch {
  const sampler = source === undefined ? undefined : SAMPLERS[source];
  let peak = 0;
  let stopped = false;
  let busy = false;
  const timer =
    sampler === undefined
      ? undefined
      : setInterval(() => {
          if (busy) return; // a `ps` still running
          busy = true;
          sampler.sample(pid, (memory) => {
            busy = false;
            if (stopped || memory === undefined) return;
            peak = Math.max(peak, memory.peak);
            if (memory.rss <= limitBytes && memory.peak <= limitBytes) return;
            stop();
            over({ rss: memory.rss, peak });
          });
        }, sampler.intervalMs);
  function stop(): void {
    stopped = true;
    if (timer !== undefined) clearInterval(timer);
  }
  return {
    get peak() {
      return peak;
    },
    stop,
  };
}
