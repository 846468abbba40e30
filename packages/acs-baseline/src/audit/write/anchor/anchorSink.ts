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
}

/** What an anchor reports back; the recorder turns these into `anchor.failure` / `anchor.recovered` records. */
export interface AnchorEvents {
  onFailure(info: { attempt: number; code: string; message: string; pendingLines: number }): void;
  onRecovered(info: { attempt: number }): void;
}
