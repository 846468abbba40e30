/**
 * The one error type acs-baseline throws when a configuration or a request would break the baseline.
 * @packageDocumentation
 */

/**
 * Why acs-baseline refused something. Each code maps to exactly one baseline control (see {@link baselineControlForCode}).
 * @public
 */
export type BaselineViolationCode =
  | "CONNECTION_STRING_REFUSED"
  | "KEY_CREDENTIAL_REFUSED"
  | "INSECURE_ENDPOINT"
  | "ENDPOINT_NOT_ALLOWED"
  | "ENDPOINT_NOT_CONFIGURED"
  | "CREDENTIAL_NOT_CONFIGURED"
  | "SECRET_FALLBACK_DISABLED"
  | "CERTIFICATE_INVALID"
  | "CERTIFICATE_EXPIRED"
  | "KEY_AUTH_BLOCKED"
  | "AUTHORITY_NOT_ALLOWED"
  | "AUDIT_LOGGER_INCOMPATIBLE"
  | "AUDIT_DESTINATION_REFUSED"
  | "AUDIT_WRITE_FAILED"
  | "LOCAL_AUTH_ENABLED"
  | "CUSTOM_TRANSPORT_REFUSED"
  | "TLS_VERIFICATION_DISABLED"
  | "USE_CREATE_CHAT_CLIENT"
  | "POSTURE_UNVERIFIED"
  | "CLIENT_OPTION_NOT_ALLOWED"
  | "AUTHORITY_SAME_ORIGIN"
  | "AUTHORITY_UNRESOLVED"
  | "TLS_CERTIFICATE_NOT_TRUSTED";

/**
 * A control ID of the Azure security baseline for Azure Communication Services, written as the baseline writes it.
 * @public
 */
export type BaselineControlId =
  | "NS-1"
  | "NS-2"
  | "IM-1"
  | "IM-3"
  | "IM-7"
  | "IM-8"
  | "PA-7"
  | "PA-8"
  | "DP-1"
  | "DP-2"
  | "DP-3"
  | "DP-4"
  | "DP-5"
  | "DP-6"
  | "DP-7"
  | "AM-2"
  | "LT-1"
  | "LT-4"
  | "BR-1";

const CONTROL_BY_CODE: Readonly<Record<BaselineViolationCode, BaselineControlId>> = Object.freeze({
  CONNECTION_STRING_REFUSED: "IM-1",
  KEY_CREDENTIAL_REFUSED: "IM-1",
  INSECURE_ENDPOINT: "DP-3",
  ENDPOINT_NOT_ALLOWED: "DP-3",
  ENDPOINT_NOT_CONFIGURED: "DP-3",
  CREDENTIAL_NOT_CONFIGURED: "IM-3",
  SECRET_FALLBACK_DISABLED: "IM-3",
  CERTIFICATE_INVALID: "IM-3",
  CERTIFICATE_EXPIRED: "IM-3",
  KEY_AUTH_BLOCKED: "IM-1",
  AUTHORITY_NOT_ALLOWED: "IM-1",
  AUDIT_LOGGER_INCOMPATIBLE: "LT-4",
  AUDIT_DESTINATION_REFUSED: "LT-4",
  AUDIT_WRITE_FAILED: "LT-4",
  LOCAL_AUTH_ENABLED: "IM-1",
  CUSTOM_TRANSPORT_REFUSED: "IM-1",
  TLS_VERIFICATION_DISABLED: "DP-3",
  USE_CREATE_CHAT_CLIENT: "IM-1",
  POSTURE_UNVERIFIED: "IM-1",
  CLIENT_OPTION_NOT_ALLOWED: "IM-1",
  AUTHORITY_SAME_ORIGIN: "IM-1",
  AUTHORITY_UNRESOLVED: "IM-1",
  TLS_CERTIFICATE_NOT_TRUSTED: "DP-3",
});

/**
 * The baseline control a refusal code is evidence for.
 * @public
 */
export function baselineControlForCode(code: BaselineViolationCode): BaselineControlId {
  return CONTROL_BY_CODE[code];
}

/**
 * Thrown when a configuration, credential or request would break the ACS security baseline.
 *
 * @remarks
 * The message says what was refused, why, and how to fix it. It never contains a key, a secret, a password,
 * a token or any part of them; neither do `stack`, `util.inspect(error)` or `JSON.stringify(error)`. There is no
 * `cause`: upstream errors can echo secrets (the upstream SDK's "Invalid connection string" does), so they are
 * never attached.
 * @public
 */
export class BaselineViolationError extends Error {
  /** Always `"BaselineViolationError"`. */
  override readonly name = "BaselineViolationError" as const;
  /** Why the baseline refused. */
  readonly code: BaselineViolationCode;
  /** The baseline control ID this refusal enforces, e.g. `IM-1`. */
  readonly control: BaselineControlId;

  /**
   * @param code - why it was refused
   * @param message - what was refused, why, and how to fix it; must not contain any secret
   */
  constructor(code: BaselineViolationCode, message: string) {
    const control = CONTROL_BY_CODE[code];
    super(`[${control} ${code}] ${message}`);
    this.code = code;
    this.control = control;
  }

  /** A plain, secret-free representation (used by `JSON.stringify`). */
  toJSON(): { name: string; code: BaselineViolationCode; control: BaselineControlId; message: string } {
    return { name: this.name, code: this.code, control: this.control, message: this.message };
  }
}

/**
 * True when `value` is a {@link BaselineViolationError} (also across module copies, e.g. ESM and CommonJS builds).
 * @public
 */
export function isBaselineViolationError(value: unknown): value is BaselineViolationError {
  return (
    value instanceof BaselineViolationError ||
    (typeof value === "object" &&
      value !== null &&
      (value as { name?: unknown }).name === "BaselineViolationError" &&
      typeof (value as { code?: unknown }).code === "string" &&
      typeof (value as { control?: unknown }).control === "string")
  );
}
