/**
 * The parser sandbox's supervisor (a script, run by parserSandbox.ts): reads a {@link SandboxRequest} on its standard
 * input, runs the sandbox child on the files, and writes one {@link SandboxLine} per file, in order. When the child
 * dies (a signal such as SIGSEGV, or a non-zero exit), a file overruns its time or the child's resident memory goes
 * past its limit (memoryWatch.ts; the child is killed), the file it was on is reported as failed and a fresh child
 * continues with the files after it; a child that steps aside after a file (`SANDBOX_RECYCLE_EXIT_CODE`) is replaced
 * without a failure. It never parses anything itself.
 */
import { text as readText } from "node:stream/consumers";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { watchMemory } from "./memoryWatch.js";
import { SANDBOX_MIN_MEMORY_BYTES, SANDBOX_RECYCLE_EXIT_CODE } from "./sandboxProtocol.js";
import type { SandboxLine, SandboxRequest } from "./parserSandbox.js";
import type { SandboxChildRequest } from "./sandboxChild.js";

/** The child at work, if any. */
let current: ChildProcess | undefined;

/**
 * The scan is gone (a signal ended it, or the backstop's kill): its process waits for this one synchronously, so it
 * cannot pass a signal on. The child goes at once, not after its file (a hostile parse may hold gigabytes).
 */
function abandon(): void {
  current?.kill("SIGKILL");
  process.exit(1);
}

/** Notices the scanning process's end: this process is handed to another parent, or its output is closed. */
function watchScan(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) abandon();
  }, 100).unref();
  process.stdout.on("error", abandon);
}

function emit(line: SandboxLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** Why the supervisor killed the child, if it did: the file's time ran out, or the memory went past its limit. */
type Kill = { timedOut: true } | { peakBytes: number } | undefined;

const MIB = 1024 * 1024;

/** Why the child stopped before finishing its files. */
function failure(request: SandboxRequest, kill: Kill, code: number | null, signal: string | null): string {
  if (kill !== undefined && "timedOut" in kill)
    return `did not finish within ${Math.round(request.timeoutMs / 100) / 10} s`;
  if (kill !== undefined) return `went past its memory limit of ${Math.round(request.memoryLimitBytes / MIB)} MiB`;
  if (signal !== null) return `crashed with ${signal}`;
  return code === 0 ? "stopped early" : `crashed with exit code ${String(code)}`;
}

/** The child's line for file `expected`, as written (the same index, an outcome), or undefined. */
function childLine(text: string, expected: number): SandboxLine | undefined {
  try {
    const line = JSON.parse(text) as { i?: unknown; outcome?: unknown };
    return line.i === expected && "outcome" in line ? (line as SandboxLine) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a sandbox child on the request's files from `first` on; after it stops early, a fresh one on the rest. */
function runChild(request: SandboxRequest, first: number): void {
  // --expose-gc: the child collects its heap between files once it holds half its memory limit (sandboxChild.ts).
  const child = spawn(process.execPath, ["--expose-gc", request.child], {
    stdio: ["pipe", "pipe", "ignore"],
    windowsHide: true,
  });
  current = child;
  let next = first;
  let kill: Kill;
  let pending = "";
  const killFor = (why: Kill): void => {
    kill ??= why;
    child.kill("SIGKILL");
  };
  const arm = (): NodeJS.Timeout => setTimeout(() => killFor({ timedOut: true }), request.timeoutMs);
  let timer = arm();
  const memory =
    child.pid === undefined
      ? undefined
      : watchMemory(child.pid, request.memoryLimitBytes, ({ peak }) => killFor({ peakBytes: peak }));
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    pending += chunk;
    for (let end = pending.indexOf("\n"); end !== -1; end = pending.indexOf("\n")) {
      const line = childLine(pending.slice(0, end), next);
      pending = pending.slice(end + 1);
      if (line === undefined) continue;
      emit(line);
      next++;
      clearTimeout(timer);
      timer = arm();
    }
  });
  child.stdin.on("error", () => undefined); // a child that dies before reading its request
  let settled = false;
  const stop = (code: number | null, signal: string | null): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    memory?.stop();
    if (next >= request.files.length) return;
    // A child that answered and stepped aside for a fresh one (its native memory stays resident): not a failure.
    if (kill === undefined && code === SANDBOX_RECYCLE_EXIT_CODE && next > first) return runChild(request, next);
    const failed = failure(request, kill, code, signal);
    emit(
      kill !== undefined && "peakBytes" in kill ? { i: next, failed, peakBytes: kill.peakBytes } : { i: next, failed },
    );
    if (next + 1 < request.files.length) runChild(request, next + 1);
  };
  child.on("error", () => stop(null, null)); // it could not start: report the file, try a fresh one
  child.on("close", stop);
  const childRequest: SandboxChildRequest = {
    files: request.files.slice(first),
    maxBytes: request.maxBytes,
    first,
    memoryLimitBytes: request.memoryLimitBytes,
  };
  child.stdin.end(JSON.stringify(childRequest));
}

async function main(): Promise<void> {
  watchScan();
  const request = JSON.parse(await readText(process.stdin)) as SandboxRequest;
  // A request without a usable limit (another build's scanning process) gets the least one, never none.
  const limit = request.memoryLimitBytes;
  if (typeof limit !== "number" || !(limit > 0)) request.memoryLimitBytes = SANDBOX_MIN_MEMORY_BYTES;
  if (request.files.length > 0) runChild(request, 0);
}

void main();
