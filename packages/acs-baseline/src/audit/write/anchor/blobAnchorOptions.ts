/** The blob anchor's options, and their synchronous check (no storage, no `@azure/storage-blob`). */
import { assertTlsVerification } from "../../../guard/tlsVerification.js";
import { defaultAnchorBlobName, positiveInt } from "./blobClient.js";
import { DEFAULT_STORAGE_HOSTS, validateBlobName, validateContainerUrl } from "./containerUrl.js";
import type { ValidatedContainer } from "./containerUrl.js";

/** Largest append block the anchor sends (the service limit for older API versions; 100 MiB on newer ones). */
export const MAX_APPEND_BLOCK_BYTES = 4 * 1024 * 1024;
/** Most blocks an append blob can hold. */
export const MAX_BLOCKS_PER_APPEND_BLOB = 50_000;

/** Options of `createBlobAnchor`. */
export interface BlobAnchorOptions {
  /** `https://<account>.blob.core.windows.net/<container>`: no SAS, no key, no query. The container must exist. */
  containerUrl: string;
  /** Blob name. Default {@link defaultAnchorBlobName}: `acs-audit/<host>/<audit file name>.jsonl`. */
  blobName?: string;
  /** What the recorder sends: checkpoints only (default) or every record. The anchor stores whatever it is given. */
  mode?: "checkpoints" | "records";
  /** The audit file, for the default blob name (its base name is used). */
  auditFileName?: string;
  /** Hosts the container may be on. Default: `*.blob.core.windows.net`, `*.blob.core.usgovcloudapi.net`, `*.blob.core.chinacloudapi.cn`. */
  allowedHosts?: readonly string[];
  /** TLS settings for the storage connection (e.g. `ca` of a local emulator). */
  tlsOptions?: { ca?: string | string[] };
  /** Most lines queued in memory. Default 100,000. */
  maxQueuedLines?: number;
  /** Most bytes queued in memory (UTF-8). Default 32 MiB. */
  maxQueuedBytes?: number;
  /** Backoff: first delay (default 500 ms) and cap (default 30 s); each delay is uniformly random in [0, min(cap, first·2^n)]. */
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Longest `flush()` / `close()` waits while storage fails. Default 10 s. */
  flushTimeoutMs?: number;
  /** Timeout of one storage request. Default 30 s. */
  requestTimeoutMs?: number;
  /** Largest append block in bytes. Default and maximum 4 MiB (smaller values are for tests). */
  maxBlockBytes?: number;
  /** Blocks per blob before rolling to the next. Default and maximum 50,000 (smaller values are for tests). */
  maxBlocksPerBlob?: number;
}

/**
 * Checks anchor options synchronously, without loading `@azure/storage-blob` or contacting storage, so a factory can
 * refuse a bad configuration at construction. `createBlobAnchor` (blobAnchor.ts) runs the same checks.
 * @throws the same BaselineViolationErrors as `createBlobAnchor` (blobAnchor.ts); TypeError for a bad `mode`; RangeError for a
 * bad tuning number
 */
export function checkBlobAnchorOptions(options: BlobAnchorOptions): { target: ValidatedContainer; blobName: string } {
  const target = validateContainerUrl(options.containerUrl, options.allowedHosts ?? DEFAULT_STORAGE_HOSTS);
  const blobName = validateBlobName(options.blobName ?? defaultAnchorBlobName(options.auditFileName));
  if (options.mode !== undefined && options.mode !== "checkpoints" && options.mode !== "records") {
    throw new TypeError('audit anchor mode must be "checkpoints" or "records"');
  }
  positiveInt(options.requestTimeoutMs, 30_000, 600_000, "requestTimeoutMs");
  assertTlsVerification({ tlsOptions: options.tlsOptions }, "audit.anchor.blob");
  return { target, blobName };
}
