/**
 * The contract between the parts that observe security-relevant steps (factory, credentials, guard, policies)
 * and the audit sink that writes them. Observers describe *what happened*; the sink adds time, schema, principal,
 * sequence and hash chain, applies redaction, and writes.
 */
import type { BaselineControlId } from "../../errors.js";

/**
 * What a record is about. Documented in docs/audit-log.md.
 * @public
 */
export type AuditAction =
  | "credential.resolve"
  | "credential.rotate"
  | "client.create"
  | "token.acquire"
  | "request"
  | "refuse"
  | "config.warning"
  | "log.close"
  | "log.open"
  | "log.checkpoint"
  | "anchor.failure"
  | "anchor.recovered"
  | "posture.check";

/**
 * Kind of credential the factory resolved.
 * @public
 */
export type CredentialType = "certificate" | "workload-identity" | "secret" | "managed-identity" | "external";

/**
 * Who is acting: filled once by the factory, repeated on every record.
 * @public
 */
export interface AuditPrincipal {
  /** Microsoft Entra tenant (directory) ID. */
  tenantId?: string;
  /** Application (client) ID of the service principal. */
  clientId?: string;
  /** Which credential the factory resolved. */
  credentialType?: CredentialType;
  /** SHA-256 thumbprint (hex) of the certificate in use, when a certificate is used. */
  certificateThumbprint?: string;
}

/**
 * One security-relevant step, as reported by an observer. Never put secrets, tokens, bodies or phone numbers here:
 * the recorder scrubs every string as a second line of defence (docs/audit-log.md).
 * @public
 */
export interface AuditEventInput {
  /** What happened. */
  action: AuditAction;
  /** How it ended. */
  outcome: "success" | "failure";
  /** Defaults to `info` for success, `error` for failure. */
  level?: "info" | "warn" | "error";
  /** Reason on failures and warnings (secret-free). */
  reason?: string;
  /** Control IDs this record is evidence for. */
  controls: readonly BaselineControlId[];
  /** Overrides for the principal (e.g. a new thumbprint after rotation). */
  principal?: AuditPrincipal;
  /** Client class on `client.create` and `request`. */
  client?: string;
  /** The HTTP attempt, on `request`. */
  http?: {
    method: string;
    /** Path only, never the query string. */
    path: string;
    status?: number;
    requestId?: string;
    /** Correlation id returned by the service (e.g. `x-ms-request-id`, `MS-CV`). */
    correlationId?: string;
    durationMs: number;
  };
  /** The token's expiry (ISO-8601) and scope, on `token.acquire`; never the token. */
  token?: { expiresOn?: string; scope?: string };
  /** Error code and a secret-free message, on failures. */
  error?: { code?: string; message?: string };
  /** Names (never values) of environment variables involved, e.g. key material found in the environment. */
  variables?: readonly string[];
  /** The OpenTelemetry trace the request belongs to (`trace.id`, `span.id`), on `request`. */
  trace?: { traceId: string; spanId: string };
  /** Expiry of the certificate in use (certificate warnings). */
  certificate?: { notAfter?: string; daysRemaining?: number };
  /** The posture check, on `posture.check` (its evidence goes in `reason`). */
  posture?: { check: string; status: "pass" | "fail" | "warn" | "unknown"; resourceId: string };
}
