/**
 * The audit log: structured, hash-chained, crash-safe records of every security-relevant step.
 * @packageDocumentation
 */
export type { AuditAction, AuditEventInput, AuditPrincipal, CredentialType } from "./record/events.js";
export { createAuditRecorder, type AuditOptions, type AuditRecorder } from "./write/recorder.js";
export type { AuditSigningOptions } from "./write/signing.js";
export { createAuditPolicy } from "./write/auditPolicy.js";
export {
  verifyLog,
  verifyLogText,
  type VerifyLogResult,
  type VerifyLogOptions,
  type AuditLogProblem,
  type AuditLogProblemKind,
} from "./verify/verifyLog.js";
export { formatAuditRecord, formatAuditLog, escapeForTerminal } from "./record/format.js";
