/**
 * The parser sandbox, scanning side. A source file the native parser could crash on (`needsSandbox`) is analysed in
 * a child process, never in the scanning one: one supervisor process (sandboxSupervisor.ts) runs one sandbox child
 * (sandboxChild.ts) for all of a scan's such files, and starts a fresh child for the rest after one crashes or
 * overruns its time. The child runs the same analysis as the scanning process (`analyseCode`), so both find the same;
 * a file the parser could not finish gets a parse-error finding and the text rules over it.
 */
import { spawnSync } from "node:child_process";
import { totalmem } from "node:os";
import { readScanned } from "../readScanned.js";
import type { CodeFile, FileOutcome } from "./codeOutcome.js";
import { unparsedFindings } from "./jsAnalysis.js";
import { SANDBOX_CHILD_SCRIPT, SANDBOX_SUPERVISOR_SCRIPT } from "./sandboxEntry.js";
import { SANDBOX_MIN_MEMORY_BYTES } from "./sandboxProtocol.js";

/** Most time one file may take in the sandbox (the first one includes the child's start-up). */
export const SANDBOX_FILE_TIMEOUT_MS = 10_000;
/** Allowance per process start on top of the files' time, for the backstop on the whole run. */
const START_MS = 5_000;

const MIB = 1024 * 1024;
export { SANDBOX_MIN_MEMORY_BYTES };

/**
 * The resident memory the sandbox child is killed past (its file then gets a parse-error finding): 256 MiB plus 64
 * bytes per byte of the largest file the scan reads (`maxBytes`), capped at half the machine's memory, and never under
 * {@link SANDBOX_MIN_MEMORY_BYTES} (which the default 2 MiB file limit gives). Measured peaks of the
 * whole child process on minified bundles: 2.2 MB 196 MiB, 5 MB 315 MiB, 10 MB 528 MiB (about 50 bytes per byte over
 * a 90 MiB base); a hostile 10,045-character `f<A<…` text reaches 1.6 GB within 1.3 s without the limit.
 */
export function sandboxMemoryLimit(maxBytes: number): number {
  const scaled = 256 * MIB + 64 * maxBytes;
  return Math.max(SANDBOX_MIN_MEMORY_BYTES, Math.min(scaled, totalmem() / 2));
}

/** What the supervisor reads on its standard input. */
export interface SandboxRequest {
  files: CodeFile[];
  maxBytes: number;
  /** The sandbox child's script. */
  child: string;
  timeoutMs: number;
  /** The child's resident memory past which the supervisor kills it (see {@link sandboxMemoryLimit}). */
  memoryLimitBytes: number;
}

/**
 * One line of the supervisor's output: file `i`'s outcome, or why the parser could not finish it (with the child's
 * peak resident memory when it was killed past its memory limit).
 */
export type SandboxLine = { i: number; outcome: FileOutcome } | { i: number; failed: string; peakBytes?: number };

/** Test seams: other scripts (one that hangs or dies), a shorter time per file and another memory limit. */
export interface SandboxOptions {
  supervisor?: string;
  child?: string;
  timeoutMs?: number;
  memoryLimitBytes?: number;
}

/** True for an outcome as the child writes it (a finding list, a skip reason, or null). */
function isOutcome(value: unknown): value is FileOutcome {
  if (value === null) return true;
  if (typeof value !== "object") return false;
  const o = value as { findings?: unknown; skip?: unknown };
  return Array.isArray(o.findings) || typeof o.skip === "string";
}

/** The answer for each file from the supervisor's output lines: an outcome, or why the parser did not finish. */
function readAnswers(stdout: string, count: number): (FileOutcome | string | undefined)[] {
  const answers = new Array<FileOutcome | string | undefined>(count).fill(undefined);
  for (const line of stdout.split("\n")) {
    let parsed: Partial<{ i: unknown; outcome: unknown; failed: unknown }>;
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      continue;
    }
    const i = parsed.i;
    if (typeof i !== "number" || !Number.isInteger(i) || i < 0 || i >= count) continue;
    if (typeof parsed.failed === "string") answers[i] = parsed.failed.slice(0, 120);
    else if (isOutcome(parsed.outcome)) answers[i] = parsed.outcome;
  }
  return answers;
}

/** A file the parser did not finish: read here (reading is safe), a parse-error finding and its text searched. */
function unfinished(file: CodeFile, maxBytes: number, reason: string): FileOutcome {
  const read = readScanned(file.absolute, maxBytes);
  if (read === undefined) return null;
  if ("skip" in read) return read;
  return { findings: unparsedFindings(file.display, read.text, `the parser ${reason}`) };
}

/**
 * A process group of its own for the supervisor (POSIX), so that one the backstop kills does not leave its child
 * behind. Node.js's spawnSync takes `detached` (it is passed to libuv) though its types do not list it.
 */
const OWN_GROUP: object = { detached: true };

/** Kills what is left of the sandbox's process group (the child of a supervisor that was killed). */
function killGroup(pid: number | undefined): void {
  if (pid === undefined || pid <= 0 || process.platform === "win32") return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // nothing left
  }
}

/**
 * Analyses `files` in the sandbox and returns their outcomes in order. Waits for the sandbox (synchronously, so the
 * public `scanPaths` can use it); a file the sandbox did not finish gets a parse-error finding, never an exception.
 */
export function sandboxOutcomes(
  files: readonly CodeFile[],
  maxBytes: number,
  options: SandboxOptions = {},
): FileOutcome[] {
  if (files.length === 0) return [];
  const timeoutMs = options.timeoutMs ?? SANDBOX_FILE_TIMEOUT_MS;
  const child = options.child ?? SANDBOX_CHILD_SCRIPT;
  const memoryLimitBytes = options.memoryLimitBytes ?? sandboxMemoryLimit(maxBytes);
  const request: SandboxRequest = { files: [...files], maxBytes, child, timeoutMs, memoryLimitBytes };
  const run = spawnSync(process.execPath, [options.supervisor ?? SANDBOX_SUPERVISOR_SCRIPT], {
    input: JSON.stringify(request),
    encoding: "utf8",
    // The child's stderr (a Rust panic's message) is dropped by the supervisor; the supervisor's own is not shown.
    stdio: ["pipe", "pipe", "ignore"],
    maxBuffer: 1024 * 1024 * 1024,
    // A backstop only: the supervisor times each file itself.
    timeout: files.length * (timeoutMs + START_MS) + START_MS,
    killSignal: "SIGKILL",
    windowsHide: true,
    ...OWN_GROUP,
  });
  if (run.signal !== null || run.error !== undefined) killGroup(run.pid);
  const answers = readAnswers(typeof run.stdout === "string" ? run.stdout : "", files.length);
  return files.map((file, i) => {
    const answer = answers[i] ?? "sandbox did not answer";
    return typeof answer === "string" ? unfinished(file, maxBytes, answer) : answer;
  });
}
