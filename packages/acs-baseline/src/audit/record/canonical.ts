/**
 * Canonical JSON and hashing for the audit chain. The definition is part of the record contract (docs/audit-log.md)
 * so that anyone can re-verify a log without acs-baseline.
 */
import * as crypto from "node:crypto";
import { createHash } from "node:crypto";

/** The schema identifier written on every record. */
export const AUDIT_SCHEMA = "acs-baseline.audit/1";

/** `prevHash` of the first record of a log: 64 zeros. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * The top-level members that belong to an `acs-baseline.audit/1` record. The hash covers exactly these (minus
 * `hash`); members a host logger adds (its `pid`, `hostname`, bindings, numeric level…) are not part of the record.
 */
export const RECORD_MEMBERS: readonly string[] = Object.freeze([
  "acs",
  "anchor",
  "baseline",
  "certificate",
  "checkpoint",
  "error",
  "event",
  "hash",
  "http",
  "level",
  "log",
  "posture",
  "prevHash",
  "principal",
  "schema",
  "seq",
  "span",
  "time",
  "token",
  "trace",
  "variables",
]);
const MEMBER_SET = new Set(RECORD_MEMBERS);

/**
 * Canonical JSON: object members sorted by key (UTF-16 code-unit order, as `Array.prototype.sort`), recursively;
 * members whose value is `undefined` dropped; arrays keep their order; serialised by `JSON.stringify` (no white
 * space).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) out[key] = sortDeep(member);
  }
  return out;
}

/** SHA-256 of the UTF-8 bytes of `text`, lowercase hex. */
export function sha256Hex(text: string): string {
  return oneShot !== undefined ? oneShot("sha256", text, "hex") : createHash("sha256").update(text, "utf8").digest("hex");
}

/** SHA-256 of `bytes`, lowercase hex. */
export function sha256HexOfBytes(bytes: Uint8Array): string {
  return oneShot !== undefined ? oneShot("sha256", bytes, "hex") : createHash("sha256").update(bytes).digest("hex");
}
// crypto.hash (Node >= 20.12 / 21.7) avoids a Hash object per record.
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: "hex") => string }).hash;

/**
 * The hash a record must carry: SHA-256 (hex) of the canonical JSON of the record's own members
 * ({@link RECORD_MEMBERS}) without `hash`.
 */
export function computeRecordHash(record: Readonly<Record<string, unknown>>): string {
  const own: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    if (key !== "hash" && MEMBER_SET.has(key)) own[key] = record[key];
  }
  return sha256Hex(canonicalJson(own));
}
