/** What a line must look like to be judged as a record, and the small readers the checks share. */
import { AUDIT_SCHEMA, RECORD_MEMBERS } from "../record/canonical.js";

const MEMBER_SET = new Set(RECORD_MEMBERS);
/** A record hash: 64 lowercase hex digits. */
export const HEX64 = /^[0-9a-f]{64}$/;

/** A parsed line, as far as the checks read it. */
export interface Rec {
  seq?: unknown;
  prevHash?: unknown;
  hash?: unknown;
  schema?: unknown;
  time?: unknown;
  event?: { action?: unknown };
  log?: { firstSeq?: unknown; records?: unknown; reason?: unknown; break?: unknown; breakBytes?: unknown };
  checkpoint?: { alg?: unknown; seq?: unknown; hash?: unknown; keyId?: unknown; prevSig?: unknown; sig?: unknown };
}

/** An audit record, or a line that was one (an edited `schema` must not turn a record into a skipped line). */
export function looksLikeRecord(rec: unknown): rec is Rec {
  if (typeof rec !== "object" || rec === null || Array.isArray(rec)) return false;
  const r = rec as Rec;
  if (r.schema === AUDIT_SCHEMA) return true;
  if (typeof r.schema === "string" && r.schema.startsWith("acs-baseline.audit")) return true;
  return typeof r.hash === "string" && typeof r.prevHash === "string";
}

/** Milliseconds of an ISO time, or undefined. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

/** The record's own members (those of {@link RECORD_MEMBERS}) without `hash`. */
export function ownMembers(rec: Record<string, unknown>): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  for (const k of Object.keys(rec)) if (k !== "hash" && MEMBER_SET.has(k)) own[k] = rec[k];
  return own;
}

/** A duration for a reason or a warning. */
export function fmtMs(ms: number): string {
  return ms >= 60_000
    ? `${(ms / 60_000).toFixed(1)} min`
    : ms >= 1000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.round(ms)} ms`;
}
