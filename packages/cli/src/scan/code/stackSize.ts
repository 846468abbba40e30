/**
 * The main thread's native stack, which oxc-parser's recursion runs on in the scanning process. The sandbox's limits
 * were measured on the usual 8 MiB of Linux and macOS; a smaller stack (`ulimit -s 1024`, some containers and CI
 * runners) lets a shallower file crash the parser, so the limits shrink with it (see sandboxRisk.ts); and below
 * about 1 MiB V8's own limit for JavaScript is above the real stack, so templates get a depth limit
 * ({@link maxTemplateDepth}).
 *
 * Linux: the soft limit in `/proc/self/limits`. macOS and the BSDs: `ulimit -s` in `/bin/sh`, once per process.
 * Windows: node.exe's main thread reserves 8 MiB since Node.js 19 (nodejs/node#43632), and no `ulimit` changes it.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** The stack the sandbox's limits were measured with. */
export const MEASURED_STACK_BYTES = 8 * 1024 * 1024;

/** The soft stack limit from `/proc/self/limits` (Linux): bytes, Infinity for `unlimited`, undefined if unreadable. */
function procStackLimit(): number | undefined {
  try {
    const line = /^Max stack size\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "latin1"));
    if (line === null) return undefined;
    return line[1] === "unlimited" ? Infinity : Number(line[1]);
  } catch {
    return undefined;
  }
}

/** `ulimit -s` from the shell (KiB, or `unlimited`), as bytes; undefined if it cannot be run. */
function shellStackLimit(): number | undefined {
  const run = spawnSync("/bin/sh", ["-c", "ulimit -s"], { encoding: "utf8", timeout: 2_000, windowsHide: true });
  const out = typeof run.stdout === "string" ? run.stdout.trim() : "";
  if (out === "unlimited") return Infinity;
  return /^\d+$/.test(out) ? Number(out) * 1024 : undefined;
}

/** The platform's stack limit of this process's main thread, in bytes (Infinity: unlimited). */
function readStackLimit(): number {
  let limit: number | undefined;
  if (process.platform === "linux") limit = procStackLimit();
  else if (process.platform !== "win32") limit = shellStackLimit();
  return limit === undefined || Number.isNaN(limit) || limit <= 0 ? MEASURED_STACK_BYTES : limit;
}

let limit: number | undefined;
let scale: number | undefined;

/** The main thread's stack limit in bytes (Infinity: unlimited), read once per process. */
export function mainStackBytes(): number {
  limit ??= readStackLimit();
  return limit;
}

/**
 * The main thread's stack as a share of the 8 MiB the limits were measured with: 1 for 8 MiB or more (and for
 * unlimited), 1/8 for `ulimit -s 1024`. Read once per process (every thread of it sees the same limit).
 */
export function stackScale(): number {
  scale ??= Math.min(1, mainStackBytes() / MEASURED_STACK_BYTES);
  return scale;
}

/** The stack below which V8's own limit for JavaScript (about 984 KB by default) may not stop a recursion in time. */
const JAVASCRIPT_SAFE_STACK_BYTES = 2 * 1024 * 1024;
/** Stack per bracket level of the template analysers' recursion: Bicep `[` 2,147 levels within V8's 984 KB limit. */
const TEMPLATE_LEVEL_BYTES = 512;

/**
 * The deepest bracket nesting of a template the scanning process analyses, or Infinity. The template analysers
 * recurse in JavaScript, whose overflow V8 turns into an error the scan catches, as long as the real stack is larger
 * than V8's limit; below about 1 MiB it is not (`ulimit -s 512`: Bicep or Terraform nested 50,000 deep crashed the
 * scan with SIGSEGV), so a stack under 2 MiB allows a quarter of what it holds at 512 bytes a level (512 KiB: 256).
 */
export function maxTemplateDepth(): number {
  const stack = mainStackBytes();
  return stack >= JAVASCRIPT_SAFE_STACK_BYTES ? Infinity : Math.floor(stack / 4 / TEMPLATE_LEVEL_BYTES);
}
