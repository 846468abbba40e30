/**
 * Analyses a scan's source files on worker threads as well as the main thread. Every thread claims chunks of the file
 * list from one shared counter (so a busy thread never holds work another could do), and each outcome lands in the
 * file's own slot, so the result does not depend on which thread analysed what. A worker that fails to start or
 * dies leaves its files' slots empty: {@link CodeWorkerPool.finish} analyses those on the main thread, with the files
 * whose analysis threw in a worker and the few nested too deep for a worker's result to be sure to match (and those
 * for the parser sandbox, which no thread parses).
 */
import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { codeOutcome } from "./codeOutcome.js";
import type { CodeFile, CodeOutcome } from "./codeOutcome.js";
import type { CodeWorkerData, CodeWorkerMessage } from "./codeWorker.js";
import { CODE_WORKER_SCRIPT } from "./codeWorkerEntry.js";

/** Files claimed at a time: large enough that claiming costs nothing, small enough that threads finish together. */
const CHUNK = 8;

/** Source files analysed on the main thread and `workers` worker threads. */
export class CodeWorkerPool {
  private readonly outcomes: (CodeOutcome | "failed" | "deep" | undefined)[];
  private readonly counter = new SharedArrayBuffer(4);
  private readonly exits: Promise<void>[] = [];
  private reported = 0;

  /**
   * Starts `workers` threads on `files` (none when the worker script is not there, as when run from sources).
   * `script`: the worker's script (tests give one that dies).
   */
  constructor(
    private readonly files: readonly CodeFile[],
    private readonly maxBytes: number,
    workers: number,
    script: string = CODE_WORKER_SCRIPT,
  ) {
    // Filled, not sparse: finish() maps every slot, a dead worker's unreported ones included.
    this.outcomes = new Array<CodeOutcome | "failed" | "deep" | undefined>(files.length).fill(undefined);
    if (workers <= 0 || !existsSync(script)) return;
    const workerData: CodeWorkerData = { files: [...files], maxBytes, counter: this.counter, chunk: CHUNK };
    for (let w = 0; w < workers; w++) this.exits.push(this.startWorker(script, workerData));
  }

  /** Number of worker threads started. */
  get workers(): number {
    return this.exits.length;
  }

  /** Number of files whose outcome a worker reported (failed analyses included). */
  get fromWorkers(): number {
    return this.reported;
  }

  private startWorker(script: string, workerData: CodeWorkerData): Promise<void> {
    return new Promise((resolve) => {
      let worker: Worker;
      try {
        // The main thread's native stack (8 MiB on Linux), not a worker's default 4: the native parser recurses on it.
        worker = new Worker(script, { workerData, resourceLimits: { stackSizeMb: 8 } });
      } catch {
        return resolve();
      }
      worker.on("message", (m: CodeWorkerMessage) => {
        for (let i = 0; i < m.outcomes.length; i++) this.outcomes[m.start + i] = m.outcomes[i];
        this.reported += m.outcomes.length;
      });
      // A worker that throws outside a file's analysis or runs out of memory exits; its unfinished files stay empty.
      worker.on("error", () => undefined);
      worker.on("exit", () => resolve());
    });
  }

  /** Resolves when every worker has exited (the main thread does not take part: tests wait on it). */
  async workersExited(): Promise<void> {
    await Promise.all(this.exits);
  }

  /** Analyses chunks on the calling (main) thread until none is left unclaimed. */
  work(): void {
    const counter = new Int32Array(this.counter);
    for (;;) {
      const start = Atomics.add(counter, 0, CHUNK);
      if (start >= this.files.length) return;
      const end = Math.min(start + CHUNK, this.files.length);
      for (let i = start; i < end; i++) this.outcomes[i] = codeOutcome(this.files[i], this.maxBytes);
    }
  }

  /**
   * Analyses what is left unclaimed, waits for every worker to exit, then analyses on the main thread each file no
   * worker reported (a worker died), whose analysis threw in a worker (it throws here the same way) or that a worker
   * left to it as nested too deep or for the parser sandbox. Returns the outcomes in file order (`"sandbox"` for a
   * file to analyse there).
   */
  async finish(): Promise<CodeOutcome[]> {
    this.work();
    await Promise.all(this.exits);
    return this.outcomes.map((o, i) =>
      o === undefined || o === "failed" || o === "deep" ? codeOutcome(this.files[i], this.maxBytes) : o,
    );
  }
}
