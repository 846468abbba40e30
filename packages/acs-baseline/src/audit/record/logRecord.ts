/**
 * The records the recorder writes about the log itself (`log.open`, `log.checkpoint`, `anchor.failure`,
 * `anchor.recovered`), as canonical JSON.
 */
import { AUDIT_SCHEMA, canonicalJson } from "./canonical.js";
import type { AuditLevel, ChainPosition, RecordContext } from "./serializeRecord.js";
import { baselineMember } from "./serializeRecord.js";

/** One of the log's own records: its action and members (without the chain, level and time). */
export interface LogRecordInput {
  action: string;
  members: Record<string, unknown>;
}

/** Serialises one of the log's own records in canonical form (members sorted), without `hash`. */
export function serializeLogRecord(
  input: LogRecordInput,
  ctx: RecordContext,
  time: string,
  level: AuditLevel,
  chainPos: ChainPosition | undefined,
): string {
  const { action, members } = input;
  return canonicalJson({
    ...members,
    ...(ctx.endpoint !== undefined ? { acs: { endpoint: ctx.endpoint } } : {}),
    baseline: baselineMember(["LT-4"]),
    event: { action, category: "audit", outcome: action === "anchor.failure" ? "failure" : "success" },
    level,
    ...(chainPos !== undefined ? { prevHash: chainPos.prevHash, seq: chainPos.seq } : {}),
    ...(ctx.principal !== undefined ? { principal: ctx.principal } : {}),
    schema: AUDIT_SCHEMA,
    time,
  });
}
