/**
 * One log: a sink and its chain. Recorders writing to the same file, to stdout, to the same stream or through the same
 * logger share it (one chain per log, never two interleaved). Each recorder's close() writes `log.close`; the sink
 * closes with the last one. This file adds to the chain ({@link ChainWriter}) what concerns the file as a whole:
 * segments (reopen, rotation), the exit flush, the anchor's reports and close.
 */
import { existsSync, renameSync, unlinkSync } from "node:fs";
import { scrubText } from "../record/redaction.js";
import type { ChainStart, Pending } from "./chainWriter.js";
import { ChainWriter, EMPTY_CONTEXT_VALUE } from "./chainWriter.js";
import type { SyncFlushable } from "./exitFlush.js";
import { registerExitFlush, unregisterExitFlush } from "./exitFlush.js";
import type { FileTail } from "./fileTail.js";
import { FileSink, openFileSink, writableBy } from "./fileSink.js";
import type { LogSettings } from "./logSettings.js";
import type { AuditSink } from "./sink.js";

/** The `log` member of a `log.open` record: why a segment starts, and the break it follows. */
function openMember(reason: "break" | "reopen" | "rotate" | "truncated", tail?: FileTail): Record<string, unknown> {
  const log: Record<string, unknown> = { reason };
  if (tail?.breakKind !== undefined) {
    log.break = tail.breakKind;
    // bytes of the lines between the last record and this log.open, newlines included (a torn line gets one from us)
    log.breakBytes = tail.breakBytes + (tail.breakKind === "torn" ? 1 : 0);
  }
  return log;
}

/**
 * The `log.open` a writer starts with: after a break in the file (always), and with checkpoints on every start
 * (`start` for a new log, `restart` when the file has records, `anchor-ahead` when the anchor holds more than the
 * file, naming both ends of the missing stretch).
 */
function startMember(
  tail: FileTail | undefined,
  start: ChainStart,
  checkpoints: boolean,
): { log: Record<string, unknown>; level: "info" | "warn" } | undefined {
  const ahead = start.anchorAhead;
  if (tail?.breakKind !== undefined) {
    return { log: { ...openMember("break", tail), ...(ahead !== undefined ? aheadMember(ahead) : {}) }, level: "warn" };
  }
  if (!checkpoints) return undefined;
  if (ahead !== undefined) return { log: { reason: "anchor-ahead", ...aheadMember(ahead) }, level: "warn" };
  const log: Record<string, unknown> = { reason: tail?.lastRecord !== undefined ? "restart" : "start" };
  if (start.anchorUnread !== undefined) log.anchorUnread = start.anchorUnread;
  return { log, level: "info" };
}

function aheadMember(ahead: NonNullable<ChainStart["anchorAhead"]>): Record<string, unknown> {
  return {
    anchor: { hash: ahead.anchor.hash, seq: ahead.anchor.seq },
    fileEnd: { hash: ahead.file.hash, seq: ahead.file.seq },
  };
}

/** How a log is opened: the file's tail, what was fixed on it, and the anchor's check still running (blob anchor). */
export interface Opening {
  tail?: FileTail;
  notes?: { fixedMode?: number };
  /** The start after the anchor's end is read (never rejects); records wait, in order, until then. */
  later?: Promise<ChainStart>;
}

/** Most records that wait for the anchor's check at start (see {@link SharedLog.enqueue}). */
export const MAX_WAITING_AT_START = 16_384;

export class SharedLog extends ChainWriter implements SyncFlushable {
  refs = 0;
  private readonly onSighup: (() => void) | undefined;
  /**
   * While the anchor's check at start runs: settles it at once as unread, with the reason's code (the exit hook cannot
   * wait; too many records are waiting).
   */
  private settleStart: ((code: string) => void) | undefined;

  constructor(
    readonly key: unknown,
    sink: AuditSink,
    chain: boolean,
    start: ChainStart,
    settings: LogSettings,
    opening?: Opening,
    reopenOnSighup = false,
  ) {
    super(sink, chain, start, settings);
    registerExitFlush(this);
    if (chain && opening?.later !== undefined) {
      this.awaitStart(start, opening.later, opening.tail);
    } else {
      const open = chain ? startMember(opening?.tail, start, settings.checkpoints) : undefined;
      if (open !== undefined) this.enqueue(this.specialItem("log.open", { log: open.log }, open.level), false);
    }
    if (opening?.notes?.fixedMode !== undefined) {
      const mode = opening.notes.fixedMode.toString(8).padStart(4, "0");
      this.enqueue(
        {
          event: {
            action: "config.warning",
            outcome: "success",
            level: "warn",
            controls: ["LT-4"],
            reason: `the audit file was ${writableBy(opening.notes.fixedMode)} (mode ${mode}); its mode was set to 0600`,
          },
          request: undefined,
          ms: Date.now(),
          ctx: EMPTY_CONTEXT_VALUE,
          level: "warn",
          close: false,
        },
        false,
      );
    }
    if (reopenOnSighup && settings.file !== undefined) {
      this.onSighup = () => void this.reopen("reopen").catch(() => undefined);
      process.on("SIGHUP", this.onSighup);
    }
  }

  /**
   * The anchor's check at start, read asynchronously: every record waits (in order, as during a file switch) until
   * `later` gives the chain's start; then the `log.open` (with the time the writer started) goes first.
   */
  private awaitStart(start: ChainStart, later: Promise<ChainStart>, tail: FileTail | undefined): void {
    const startedMs = Date.now();
    const settle = (checked: ChainStart): void => {
      if (this.settleStart === undefined) return;
      this.settleStart = undefined;
      this.continueFrom(checked);
      const open = startMember(tail, checked, this.settings.checkpoints);
      if (open !== undefined)
        this.deferred.unshift(this.specialItem("log.open", { log: open.log }, open.level, startedMs));
      this.switching = undefined;
      this.releaseDeferred();
      this.drain();
    };
    this.settleStart = (code) => settle({ ...start, anchorUnread: code });
    this.switching = later.then(settle);
  }

  override enqueue(item: Pending, urgent: boolean): void {
    if (this.settleStart === undefined) return super.enqueue(item, urgent);
    this.deferred.push(item);
    // memory stays bounded while storage is slow: past this many waiting records the start goes unchecked
    if (this.deferred.length >= MAX_WAITING_AT_START) this.settleStart("ANCHOR_READ_QUEUE_FULL");
  }

  /**
   * Ends the current file with `log.close` and a checkpoint, opens the path again (after renaming the old file to
   * `<file>.1` for a size rotation) and starts it with a `log.open` chained to the old file's last record. Never
   * throws: when the new file cannot be opened, the log goes on in the old one (see {@link startSegment}) and the
   * promise rejects with the reason.
   */
  async reopen(reason: "reopen" | "rotate"): Promise<void> {
    const file = this.settings.file;
    if (file === undefined || !this.chain || this.closing !== undefined) return;
    // While the start check holds the records, nothing is written yet: the reopen comes after it (a logrotate that
    // moved the file during the wait would otherwise see its reopen dropped and the log go on in the moved file).
    if (this.settleStart !== undefined) return this.switching?.then(() => this.reopen(reason));
    if (this.switching !== undefined) return this.switching;
    if (this.settings.signer !== undefined && this.settings.signer.signSync === undefined)
      return this.switchAsync(reason, file);
    // No key, or an in-process one: the switch is synchronous, nothing can interleave.
    this.switching = Promise.resolve();
    let failure: Error | undefined;
    try {
      this.drain(true);
      this.endSegment(reason);
      if (this.settings.checkpoints && !this.headSealed) void this.checkpoint();
      if (this.bytes.length > 0) this.sink.write(this.bytes.take());
      failure = this.startSegment(reason, file);
    } finally {
      this.switching = undefined;
    }
    this.drain();
    if (failure !== undefined) throw failure;
  }

  private endSegment(reason: "reopen" | "rotate"): void {
    this.process({
      event: {
        action: "log.close",
        outcome: "success",
        level: "info",
        controls: ["LT-4"],
        reason: reason === "rotate" ? "size rotation" : "reopened",
      },
      request: undefined,
      ms: Date.now(),
      ctx: this.lastCtx,
      level: "info",
      close: true,
    });
  }

  /**
   * Opens the next file (after the rotation's renames), then closes the old one, handing it the writer lock. When the
   * renames or the open fail (a directory at `<file>.1`, a symlink put at the path), the old file stays the sink: the
   * log goes on in it with a `log.open` and a `config.warning` naming the failure, and a process warning
   * (`ACS_BASELINE_AUDIT_REOPEN_FAILED`) is emitted; returns the error.
   */
  private startSegment(reason: "reopen" | "rotate", file: NonNullable<LogSettings["file"]>): Error | undefined {
    const old = this.sink;
    const oldFile = old instanceof FileSink ? old : undefined;
    let opened: ReturnType<typeof openFileSink>;
    try {
      if (reason === "rotate" && file.rotate !== undefined) rotateFiles(file.path, file.rotate.keep);
      opened = openFileSink(file.path, { allowSymlink: file.allowSymlink, lock: oldFile?.lock });
    } catch (e) {
      return this.switchFailed(reason, oldFile, e);
    }
    // Records the old file could not take (disk full) go first into the new one: the chain stays in order.
    const held = oldFile?.failed === true ? oldFile.takeHeld() : [];
    if (oldFile !== undefined) oldFile.lock = undefined; // the new file at the same path holds it now
    void old.close();
    const { sink, tail } = opened;
    sink.hold(held);
    this.sink = sink;
    this.process(
      this.specialItem("log.open", { log: { ...openMember(reason, tail.breakKind !== undefined ? tail : undefined) } }),
    );
    return undefined;
  }

  /** The next file could not be opened: the chain goes on in the old file, which says why (see startSegment). */
  private switchFailed(reason: "reopen" | "rotate", oldFile: FileSink | undefined, e: unknown): Error {
    const error = e instanceof Error ? e : new Error(String(e));
    const code = (e as { code?: unknown } | undefined)?.code;
    const what = `${reason === "rotate" ? "rotating" : "reopening"} the audit file failed (${typeof code === "string" ? code : "ERROR"})`;
    // a failed rotation is tried again after another maxBytes, not on every batch
    if (oldFile !== undefined && reason === "rotate") oldFile.written = 0;
    this.process(this.specialItem("log.open", { log: openMember(reason) }, "warn"));
    this.process({
      event: {
        action: "config.warning",
        outcome: "failure",
        level: "warn",
        controls: ["LT-4"],
        reason: `${what}: the log goes on in the file it was writing. ${scrubText(error.message).slice(0, 300)}`,
      },
      request: undefined,
      ms: Date.now(),
      ctx: this.lastCtx,
      level: "warn",
      close: false,
    });
    try {
      process.emitWarning(`acs-baseline audit: ${what}; the log goes on in the file it was writing`, {
        code: "ACS_BASELINE_AUDIT_REOPEN_FAILED",
      });
    } catch {
      // a warning listener that throws changes nothing
    }
    return error;
  }

  /** The same with a remote signer: records wait in the queue while the old file's final checkpoint is signed. */
  private async switchAsync(reason: "reopen" | "rotate", file: NonNullable<LogSettings["file"]>): Promise<void> {
    let done!: () => void;
    let failure: Error | undefined;
    this.switching = new Promise<void>((r) => (done = r));
    try {
      this.drain(true);
      this.endSegment(reason);
      await this.seal(true);
      failure = this.startSegment(reason, file);
    } finally {
      this.switching = undefined;
      this.releaseDeferred();
      done();
      this.drain();
    }
    if (failure !== undefined) throw failure;
  }

  /** An anchor's report, as an `anchor.failure` / `anchor.recovered` record. */
  anchorEvent(
    action: "anchor.failure" | "anchor.recovered",
    info: { attempt: number; code?: string; message?: string; pendingLines?: number },
  ): void {
    // During close() too: a failure the closing anchor reports is recorded, and close() seals it with one more
    // checkpoint after the anchor has closed (so the evidence stays in the log and the log still verifies).
    const anchor: Record<string, unknown> = { attempt: Math.floor(Number(info.attempt) || 0) };
    if (info.pendingLines !== undefined) anchor.pendingLines = Math.floor(Number(info.pendingLines) || 0);
    const members: Record<string, unknown> = { anchor };
    if (action === "anchor.failure")
      members.error = {
        code: scrubText(String(info.code ?? "ERROR")).slice(0, 64),
        message: scrubText(String(info.message ?? "")).slice(0, 512),
      };
    try {
      this.enqueue(this.specialItem(action, members, action === "anchor.failure" ? "warn" : "info"), true);
    } catch {
      // never throw into the anchor
    }
  }

  /** Exit hook: everything queued is written before the process ends (and sealed, when the key signs synchronously). */
  flushSync(): void {
    this.settleStart?.("ANCHOR_READ_ABANDONED");
    this.releaseDeferred();
    this.drain(true);
    if (this.settings.checkpoints && this.settings.signer?.signSync !== undefined && this.sinceCheckpoint > 0) {
      void this.checkpoint();
      if (this.bytes.length > 0) this.sink.write(this.bytes.take());
    }
    this.sink.flushSync();
  }

  async close(): Promise<void> {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    if (this.onSighup !== undefined) process.removeListener("SIGHUP", this.onSighup);
    await this.switching;
    try {
      await this.seal(false);
    } catch {
      // still close
    }
    unregisterExitFlush(this);
    const anchor = this.settings.anchor;
    if (anchor !== undefined) {
      try {
        await anchor.close();
      } catch {
        // the anchor reported its failures
      }
      // Closing the anchor may report (anchor.failure for lines it could not store, anchor.recovered): those records
      // come after the final checkpoint, so one more checkpoint seals them. The closed anchor no longer receives it;
      // verify-log then says honestly that the file's last checkpoints are not in the anchor.
      this.settings.anchor = undefined;
      try {
        await this.seal(false);
      } catch {
        // still close
      }
    }
    return this.sink.close();
  }
}

/** `<file>.keep` is dropped, `<file>.n` becomes `<file>.n+1`, `<file>` becomes `<file>.1`. */
function rotateFiles(path: string, keep: number): void {
  const n = Math.max(1, Math.floor(keep));
  try {
    if (existsSync(`${path}.${n}`)) unlinkSync(`${path}.${n}`);
  } catch {
    // best effort
  }
  for (let i = n - 1; i >= 1; i--) {
    try {
      if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    } catch {
      // best effort
    }
  }
  renameSync(path, `${path}.1`);
}
