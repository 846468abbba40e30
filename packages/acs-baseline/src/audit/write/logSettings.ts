/**
 * The recorder's options (public), and what one log makes of them: checkpoint cadence, signer, anchor, rotation and
 * the write-error policy, validated once.
 */
import { dirname, resolve } from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import type { Logger } from "pino";
import type { AuditSigningOptions, CheckpointSigner } from "./signing.js";
import { loadSigner } from "./signing.js";
import type { AnchorEvents, AnchorSink } from "./anchor/anchorSink.js";
import { createFileAnchor } from "./anchor/fileAnchor.js";
import { createBlobAnchor } from "./anchor/blobAnchor.js";
import { checkBlobAnchorOptions, type BlobAnchorOptions } from "./anchor/blobAnchorOptions.js";
import { DeferredAnchor } from "./anchor/deferredAnchor.js";

/**
 * Where and how audit records are written.
 * @public
 */
export interface AuditOptions {
  /**
   * `"stdout"` (default), a file path (appended to, created with mode 0600; the chain continues from the last
   * record already in the file), or a writable stream you own.
   */
  // eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- "stdout" documents the default
  destination?: "stdout" | string | NodeJS.WritableStream;
  /** Your application's pino logger: records are written through a child of it (`destination` is then ignored). */
  logger?: Logger;
  /** Lowest level written (default `info`: everything). */
  level?: "info" | "warn" | "error";
  /** Hash-chain the records (`seq`, `prevHash`, `hash`). Default true. */
  chain?: boolean;
  /**
   * When to write a `log.checkpoint` record (default every 1000 records or 60000 ms, whichever comes first; with no
   * records a checkpoint is still written every `everyMs`, as a heartbeat). Checkpoints are written when `signing`,
   * `anchor` or `checkpoint` is set, and always on close.
   */
  checkpoint?: { everyRecords?: number; everyMs?: number };
  /** Signs every checkpoint with ECDSA P-256 (see docs/audit-log.md): a PEM private key, or a signer that keeps the key off the host. */
  signing?: AuditSigningOptions;
  /**
   * An off-host copy of the checkpoints (`mode: "checkpoints"`, default) or of every record (`"records"`): an Azure
   * Storage append blob (`blob`, through the factory's Entra credential; needs the optional peer `@azure/storage-blob`),
   * or a file on another disk (`file`).
   */
  anchor?: {
    blob?: {
      containerUrl: string;
      blobName?: string;
      mode?: "checkpoints" | "records";
      /** Hosts the container may be on. Default: the Azure Storage blob hosts of the public and sovereign clouds. */
      allowedHosts?: readonly string[];
      /** TLS settings for the storage connection, e.g. the `ca` of a local emulator (Azurite). */
      tlsOptions?: { ca?: string | string[] };
    };
    file?: { path: string; mode?: "checkpoints" | "records" };
  };
  /** File destination: rotate when the file reaches `maxBytes` (renamed to `<file>.1`, older ones shifted, `keep` kept). */
  rotate?: { maxBytes: number; keep: number };
  /** File destination: `reopen()` on SIGHUP (after a rename-based rotation by logrotate). */
  reopenOnSighup?: boolean;
  /**
   * What happens while records cannot be written (disk full, I/O error). `"block"` (default): requests are refused
   * with `AUDIT_WRITE_FAILED` until a write succeeds again. `"warn"`: one process warning, requests go on.
   */
  onWriteError?: "warn" | "block";
  /**
   * File destination: follow a symbolic link, and accept a file that has other names (hard links). Default false:
   * both are refused with `AUDIT_DESTINATION_REFUSED`.
   */
  allowSymlink?: boolean;
}

/** What the recorder needs beyond the options (the factory passes its Entra credential for the blob anchor). */
export interface RecorderContext {
  credential?: () => TokenCredential | undefined;
}

/** Checkpoint and file settings of one log. */
export interface LogSettings {
  signer: CheckpointSigner | undefined;
  /** Write checkpoints at all (signing, anchor or checkpoint options). */
  checkpoints: boolean;
  everyRecords: number;
  everyMs: number;
  anchor: AnchorSink | undefined;
  anchorRecords: boolean;
  block: boolean;
  file: { path: string; allowSymlink: boolean; rotate: { maxBytes: number; keep: number } | undefined } | undefined;
}

/** Where an anchor's reports go (the log writes them as `anchor.failure` / `anchor.recovered` records). */
export interface AnchorReports {
  anchorEvent(
    action: "anchor.failure" | "anchor.recovered",
    info: { attempt: number; code?: string; message?: string; pendingLines?: number },
  ): void;
}

const DEFAULT_EVERY_RECORDS = 1000;
const DEFAULT_EVERY_MS = 60_000;

function positive(v: unknown, fallback: number, what: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new TypeError(`${what} must be a number ≥ 0.`);
  return Math.floor(v);
}

/**
 * The anchor `options.anchor` names, created now (the blob anchor: validated now, connected on first use). A file
 * destination names the default blob (`acs-audit/<host>/<file>.jsonl`), so two logs of one host never share a blob.
 */
function anchorSettings(
  a: AuditOptions["anchor"],
  context: RecorderContext | undefined,
  anchorEvents: AnchorEvents,
  filePath: string | undefined,
): { anchor: AnchorSink | undefined; anchorRecords: boolean } {
  if (a?.file !== undefined) {
    if (typeof a.file.path !== "string") throw new TypeError("audit.anchor.file.path must be a path.");
    return { anchor: createFileAnchor(resolve(a.file.path), anchorEvents), anchorRecords: a.file.mode === "records" };
  }
  if (a?.blob === undefined) return { anchor: undefined, anchorRecords: false };
  const blob: BlobAnchorOptions =
    filePath !== undefined && a.blob.blobName === undefined ? { ...a.blob, auditFileName: filePath } : a.blob;
  if (typeof blob.containerUrl !== "string")
    throw new TypeError("audit.anchor.blob.containerUrl must be the container's https URL.");
  checkBlobAnchorOptions(blob); // refuses http, SAS, keys and foreign hosts now, before any record is written
  const anchor = new DeferredAnchor(async () => {
    const credential = context?.credential?.();
    if (credential === undefined)
      throw Object.assign(new Error("the blob anchor needs the factory's Entra credential"), {
        code: "ANCHOR_NO_CREDENTIAL",
      });
    // @azure/storage-blob (an optional peer) is loaded here, on first use, by the blob anchor itself.
    return createBlobAnchor(blob, credential, anchorEvents);
  }, anchorEvents);
  return { anchor, anchorRecords: blob.mode === "records" };
}

/** Validates `options` and turns them into one log's settings; `events` receives the anchor's reports. */
export function logSettings(
  options: AuditOptions,
  chain: boolean,
  filePath: string | undefined,
  context: RecorderContext | undefined,
  events: () => AnchorReports | undefined,
): LogSettings {
  const wantsCheckpoints =
    options.signing !== undefined || options.anchor !== undefined || options.checkpoint !== undefined;
  if (wantsCheckpoints && !chain)
    throw new TypeError("audit.signing, audit.anchor and audit.checkpoint need the hash chain (chain: true).");
  const everyRecords =
    positive(options.checkpoint?.everyRecords, DEFAULT_EVERY_RECORDS, "audit.checkpoint.everyRecords") ||
    DEFAULT_EVERY_RECORDS;
  const everyMs = positive(options.checkpoint?.everyMs, DEFAULT_EVERY_MS, "audit.checkpoint.everyMs");
  const signer =
    options.signing !== undefined
      ? loadSigner(options.signing, filePath !== undefined ? dirname(filePath) : undefined, (p) => resolve(p))
      : undefined;
  const anchorEvents: AnchorEvents = {
    onFailure: (info) => events()?.anchorEvent("anchor.failure", info),
    onRecovered: (info) => events()?.anchorEvent("anchor.recovered", info),
  };
  const { anchor, anchorRecords } = anchorSettings(options.anchor, context, anchorEvents, filePath);
  const rotate = options.rotate;
  if (
    rotate !== undefined &&
    (typeof rotate.maxBytes !== "number" ||
      !(rotate.maxBytes > 0) ||
      typeof rotate.keep !== "number" ||
      !(rotate.keep >= 1))
  ) {
    throw new TypeError("audit.rotate takes { maxBytes > 0, keep ≥ 1 }.");
  }
  const onWriteError = options.onWriteError ?? "block";
  if (onWriteError !== "block" && onWriteError !== "warn")
    throw new TypeError('audit.onWriteError is "block" or "warn".');
  return {
    signer,
    checkpoints: wantsCheckpoints,
    everyRecords,
    everyMs,
    anchor,
    anchorRecords,
    block: onWriteError === "block",
    file: filePath !== undefined ? { path: filePath, allowSymlink: options.allowSymlink === true, rotate } : undefined,
  };
}
