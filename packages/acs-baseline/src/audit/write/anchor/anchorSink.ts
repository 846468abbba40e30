/**
 * The contract between the audit recorder and an off-host copy of its lines (the blob anchor, the file anchor).
 */

/** An off-host copy of audit lines (checkpoints, or every record). */
export interface AnchorSink {
  /** Queues one complete audit line (canonical JSON, no trailing newline). Never throws, never blocks the caller. */
  append(line: string): void;
  /** Resolves when everything queued so far is stored, or has failed for good and been reported. */
  flush(): Promise<void>;
  /** Flushes, then releases every timer and socket. */
  close(): Promise<void>;
  /**
   * The anchor's last `maxBytes` as text, read synchronously, for the writer's check at start (the file anchor).
   * "" when the anchor does not exist yet.
   * @throws the I/O error when it exists but cannot be read
   */
  readTail?(maxBytes: number): string;
  /**
   * The same, read asynchronously (the blob anchor: the end of its last roll part, at most `maxBytes`); `signal` aborts
   * every request. "" when the anchor does not exist yet.
   * @throws the storage error when it exists but cannot be read (403, network), or the abort
   */
  fetchTail?(maxBytes: number, signal: AbortSignal): Promise<string>;
}

/** What an anchor reports back; the recorder turns these into `anchor.failure` / `anchor.recovered` records. */
export interface AnchorEvents {
  onFailure(info: { attempt: number; code: string; message: string; pendingLines: number }): void;
  onRecovered(info: { attempt: number }): void;
}
