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
import { SANDBOX_RECYCLE_EXIT_CODE } from "./sandboxProtocol.js";

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
 * True when the process holds no more than half of `limitBytes` after this file, collecting the heap first when it
 * holds more (V8 lets garbage from earlier files pile up: twelve 2.2 MB files in a row held 434 MiB, 197 MiB with a
 * collection after each). `gc` is there when the supervisor started this process with `--expose-gc`. What the heap
 * does not explain is the parser's native memory, which stays: then a fresh child takes the next file.
 */
function roomLeft(limitBytes: number): boolean {
  if (process.memoryUsage.rss() <= limitBytes / 2) return true;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === "function") gc();
  return process.memoryUsage.rss() <= limitBytes / 2;
}

async function main(): Promise<void> {
  const request = JSON.parse(await readText(process.stdin)) as SandboxChildRequest;
  const last = request.files.length - 1;
  request.files.forEach((file, k) => {
    writeAll(`${JSON.stringify({ i: request.first + k, outcome: analyseCode(file, request.maxBytes) })}\n`);
    if (k < last && !roomLeft(request.memoryLimitBytes)) process.exit(SANDBOX_RECYCLE_EXIT_CODE);
  });
}

void main();
