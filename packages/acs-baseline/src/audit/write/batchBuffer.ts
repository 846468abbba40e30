/**
 * The bytes of one batch of audit lines. Each record is encoded to UTF-8 once, straight into the batch; its hash is
 * taken over exactly those bytes (what the canonical-JSON contract hashes), and the batch goes to the sink as one
 * Buffer. No per-line strings, no rope of lines to flatten and re-encode at write time. The memory is reused from
 * batch to batch (fresh memory costs page faults on every batch).
 */
import { sha256HexOfBytes } from "../record/canonical.js";

/** Initial size: a full batch of `request` records (256 × ~0.7 KB) fits without growing. */
const INITIAL_BYTES = 256 * 1024;
/** `,"hash":"<64 hex>"}\n` replaces the closing brace of a chained record. */
const HASH_MEMBER_BYTES = 76;

export class BatchBuffer {
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  private used = 0;

  /** Bytes in the batch. */
  get length(): number {
    return this.used;
  }

  /**
   * Appends the canonical JSON of one record as a line. With `chain`, the record's hash (SHA-256, hex, of the UTF-8
   * bytes of `json`) is added as its last member and returned.
   */
  appendLine(json: string, chain: boolean): string | undefined {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    const room = json.length * 3 + HASH_MEMBER_BYTES + 1;
    if (this.used + room > this.buf.length) this.grow(this.used + room);
    const start = this.used;
    const n = this.buf.write(json, start, "utf8");
    if (!chain) {
      this.buf[start + n] = 0x0a;
      this.used = start + n + 1;
      return undefined;
    }
    const hash = sha256HexOfBytes(this.buf.subarray(start, start + n));
    const brace = start + n - 1;
    this.used = brace + this.buf.write(`,"hash":"${hash}"}\n`, brace, "latin1");
    return hash;
  }

  /**
   * The batch so far; the next batch starts empty. The bytes are valid until the next `appendLine`: a consumer that
   * keeps them longer must copy them.
   */
  take(): Buffer {
    const out = this.buf.subarray(0, this.used);
    this.used = 0;
    return out;
  }

  private grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(needed, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }
}
