/**
 * A code worker (worker_threads): claims chunks of the scan's source files from a shared counter, analyses them as
 * the main thread would, and posts each chunk's outcomes. A file whose analysis throws is posted as failed, and the
 * main thread analyses it again itself (so its error surfaces exactly as in a single-threaded scan), as it does a file
 * nested too deep to be sure a worker finds what the main thread would.
 */
import { parentPort, workerData } from "node:worker_threads";
import { workerCodeOutcome } from "./codeOutcome.js";
import type { CodeFile, FileOutcome } from "./codeOutcome.js";

/** What the pool hands a worker at start. */
export interface CodeWorkerData {
  files: CodeFile[];
  maxBytes: number;
  /** One Int32: the index of the next unclaimed file. */
  counter: SharedArrayBuffer;
  chunk: number;
}

/** One chunk's outcomes, from file `start` on; `"failed"` where the analysis threw, `"deep"` for the main thread. */
export interface CodeWorkerMessage {
  start: number;
  outcomes: (FileOutcome | "failed" | "deep")[];
}

function run(data: CodeWorkerData): void {
  const counter = new Int32Array(data.counter);
  for (;;) {
    const start = Atomics.add(counter, 0, data.chunk);
    if (start >= data.files.length) return;
    const end = Math.min(start + data.chunk, data.files.length);
    const outcomes: (FileOutcome | "failed" | "deep")[] = [];
    for (let i = start; i < end; i++) {
      try {
        outcomes.push(workerCodeOutcome(data.files[i], data.maxBytes));
      } catch {
        outcomes.push("failed");
      }
    }
    parentPort?.postMessage({ start, outcomes } satisfies CodeWorkerMessage);
  }
}

run(workerData as CodeWorkerData);
