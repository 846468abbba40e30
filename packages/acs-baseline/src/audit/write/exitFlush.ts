/**
 * Flushes open audit sinks when the process ends. pino users lose lines on `process.exit()` because asynchronous
 * destinations keep records in memory (or in a transport's worker thread) until the event loop writes them, and
 * `process.exit()`, a fatal exception or a signal's default action end the process without another loop turn.
 * Our sinks buffer synchronously, so a synchronous flush here is enough:
 * - `exit` (normal end, `process.exit()`, uncaught exception, unhandled rejection): flush.
 * - `SIGTERM`, `SIGINT`, `SIGHUP`: flush; if nobody else listens for the signal, re-raise it with the default
 *   action so the process still dies of that signal (exit status 128+n, as without us).
 */

/** Something that can write out its buffered records synchronously. */
export interface SyncFlushable {
  flushSync(): void;
}

const open = new Set<SyncFlushable>();
const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
let installed = false;

function flushAll(): void {
  for (const sink of open) {
    try {
      sink.flushSync();
    } catch {
      // Nothing left to do at exit; never turn an exit into a crash.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  flushAll();
  if (process.listenerCount(signal) === 1) {
    // We were the only listener: restore the default action and re-raise.
    uninstall();
    process.kill(process.pid, signal);
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", flushAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.removeListener("exit", flushAll);
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

/** Registers a sink to be flushed at process end. */
export function registerExitFlush(sink: SyncFlushable): void {
  open.add(sink);
  install();
}

/** Unregisters a sink (after it was closed). */
export function unregisterExitFlush(sink: SyncFlushable): void {
  open.delete(sink);
  if (open.size === 0) uninstall();
}
