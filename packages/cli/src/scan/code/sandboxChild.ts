/**
 * The parser sandbox's child (a script, run by sandboxSupervisor.ts): reads a {@link SandboxChildRequest} on its
 * standard input, then reads and analyses each file as the scanning process would (`analyseCode`), writing one line
 * `{"i": index, "outcome": …}` per file as soon as it is done, so the line is out before the next file could crash
 * the process.
 */
import { text as readText } from "node:stream/consumers";
import { writeSync } from "node:fs";
import { analyseCode } from "./codeOutcome.js";
import type { CodeFile } from "./codeOutcome.js";

/**
 * What the child reads: the files, the size limit, the index of its first file in the whole request, and the memory
 * limit its supervisor kills it past.
 */
export interface SandboxChildRequest {
  files: CodeFile[];
  maxBytes: number;
  first: number;
  memoryLimitBytes: number;
}

const retry = new Int32Array(new SharedArrayBuffer(4));

/** Writes `text` to standard output synchronously, all of it (waiting out a full non-blocking pipe). */
function writeAll(text: string): void {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; ) {
    try {
      at += writeSync(1, bytes, at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      Atomics.wait(retry, 0, 0, 1);
    }
  }
}

/**
 * Collects the heap once the process holds more than half of `limitBytes` (V8 lets garbage from earlier files pile
 * up: twelve 2.2 MB files in a row held 434 MiB, 197 MiB with a collection after each), so that only the file being
 * parsed counts against the limit. `gc` is there when the supervisor started this process with `--expose-gc`.
 */
function collectAbove(limitBytes: number): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === "function" && process.memoryUsage.rss() > limitBytes / 2) gc();
}

async function main(): Promise<void> {
  const request = JSON.parse(await readText(process.stdin)) as SandboxChildRequest;
  request.files.forEach((file, k) => {
    writeAll(`${JSON.stringify({ i: request.first + k, outcome: analyseCode(file, request.maxBytes) })}\n`);
    collectAbove(request.memoryLimitBytes);
  });
}

void main();
