/**
 * Which source files the scan never parses in its own process: oxc-parser's native parser recurses without a stack
 * guard, so a hostile file can crash the process (SIGSEGV) or abort it (an arena "out of memory" panic), with no
 * exception to catch. Whether a file could is decided from its text alone, so every path (the public `scanPaths`,
 * worker threads, the sandbox itself) routes the same file the same way. See docs/scan.md ("The parser sandbox") for
 * the measurements behind the limits.
 */
import { existsSync } from "node:fs";
import { SANDBOX_CHILD_SCRIPT, SANDBOX_SUPERVISOR_SCRIPT } from "./sandboxEntry.js";
import { needsParse } from "./sourceFindings.js";
import { stackScale } from "./stackSize.js";

/**
 * Longest text parsed in the scanning process. The smallest crash measured without `<` (Linux, 8 MiB stack,
 * oxc-parser 0.158) among shapes the bracket-depth check does not bound is 41,956 characters (`a:` labels; arrows
 * `a=>` at 43,624): this is under a quarter of it (and under two thirds of `(((…`, 15,912, which that check stops).
 */
export const MAX_IN_PROCESS_CHARS = 10_000;
/**
 * Most `<` in a text parsed in the scanning process. Each `<` after a name opens a speculative TypeScript type-argument
 * parse: `a<a<a<…` overflows the native stack at 5,805 of them (11,618 characters) and takes memory quadratic in
 * their number (about 300 MB for 2,000); this is under a fifth of it.
 */
export const MAX_IN_PROCESS_ANGLES = 1_000;

/** True when `text` holds more than `limit` `<` (counting stops there). */
export function anglesOver(text: string, limit: number): boolean {
  let count = 0;
  for (let at = text.indexOf("<"); at !== -1; at = text.indexOf("<", at + 1)) if (++count > limit) return true;
  return false;
}

let limits: { chars: number; angles: number } | undefined;

/**
 * {@link MAX_IN_PROCESS_CHARS} and {@link MAX_IN_PROCESS_ANGLES} for this process's main-thread stack: both were
 * measured on 8 MiB, and the depth at which the parser crashes shrinks with the stack (`ulimit -s 1024`: an eighth),
 * so they shrink with it (never grow). Every thread of a process gets the same limits, so routing stays the same.
 */
export function inProcessLimits(): { chars: number; angles: number } {
  if (limits === undefined) {
    const scale = stackScale();
    limits = { chars: Math.floor(MAX_IN_PROCESS_CHARS * scale), angles: Math.floor(MAX_IN_PROCESS_ANGLES * scale) };
  }
  return limits;
}

/**
 * True when `text` is parsed (see `needsParse`) and long enough, or holds enough `<`, that the native parser could
 * crash on it (see {@link inProcessLimits}): such a file is analysed in the sandbox process, never in the scanning one.
 */
export function needsSandbox(text: string): boolean {
  const { chars, angles } = inProcessLimits();
  if (text.length <= angles) return false;
  if (text.length <= chars && !anglesOver(text, angles)) return false;
  return needsParse(text);
}

let available: boolean | undefined;

/**
 * True when the sandbox's scripts are there: in the built package (ESM and CommonJS alike), and run from the
 * TypeScript sources when the package has been built (the build's scripts are used). Otherwise such files are
 * analysed in process, as before the sandbox.
 */
export function sandboxAvailable(): boolean {
  available ??= existsSync(SANDBOX_SUPERVISOR_SCRIPT) && existsSync(SANDBOX_CHILD_SCRIPT);
  return available;
}
