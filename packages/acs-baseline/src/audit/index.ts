/**
 * The audit log: structured, hash-chained, crash-safe records of every security-relevant step.
 * @packageDocumentation
 */
export type { AuditAction, AuditEventInput, AuditPrincipal, CredentialType } from "./events.js";
export { createAuditRecorder, type AuditOptions, type AuditRecorder } from "./recorder.js";
export type { AuditSigningOptions } from "./signing.js";
export { createAuditPolicy } from "./auditPolicy.js";
export {
  verifyLog,
  verifyLogText,
  type VerifyLogResult,
  type VerifyLogOptions,
  type AuditLogProblem,
  type AuditLogProblemKind,
} from "./verifyLog.js";
export { formatAuditRecord, formatAuditLog, escapeForTerminal } from "./format.js";
