/**
 * DP-3: TLS certificate verification stays on. Three ways switch it off without a word — `tlsOptions` with
 * `rejectUnauthorized: false` (or `checkServerIdentity`, `servername`, …), an `agent` built that way, and
 * `NODE_TLS_REJECT_UNAUTHORIZED=0` — and each is refused with TLS_VERIFICATION_DISABLED, at construction and again
 * on every request at the wire. Custom CAs (`tlsOptions.ca`, `NODE_EXTRA_CA_CERTS`) stay allowed.
 */
import { BaselineViolationError } from "../errors.js";

/** The environment variable that makes Node.js accept any certificate when it is `"0"`. */
export const TLS_REJECT_UNAUTHORIZED_VARIABLE = "NODE_TLS_REJECT_UNAUTHORIZED";

/** `tlsOptions` members that cannot weaken verification (trust anchors and the client's own certificate). */
const SAFE_TLS_KEYS = new Set([
  "ca",
  "cert",
  "key",
  "passphrase",
  "pfx",
  "crl",
  "rejectUnauthorized",
  "minVersion",
  "maxVersion",
]);
const SAFE_MIN_VERSIONS = new Set(["TLSv1.2", "TLSv1.3"]);

/** Why `settings` (a `tlsOptions` object, or an agent's options) weaken verification, or undefined. */
function settingsReason(settings: Record<string, unknown>, what: string, strict: boolean): string | undefined {
  const reject = settings.rejectUnauthorized;
  if (reject !== undefined && reject !== true)
    return `${what} sets rejectUnauthorized to ${reject === false ? "false" : "a value other than true"}`;
  if (settings.checkServerIdentity !== undefined) return `${what} replaces checkServerIdentity (the host name check)`;
  if (settings.servername !== undefined) return `${what} sets servername (the name the certificate is checked against)`;
  const min = settings.minVersion;
  if (min !== undefined && !(typeof min === "string" && SAFE_MIN_VERSIONS.has(min)))
    return `${what} allows TLS versions below 1.2`;
  if (settings.secureProtocol !== undefined || settings.secureContext !== undefined)
    return `${what} replaces the TLS context`;
  if (strict) {
    for (const key of Object.keys(settings)) {
      // The name is the caller's text: shown only when it looks like an option name (never part of a key).
      if (!SAFE_TLS_KEYS.has(key))
        return `${what} sets ${/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(key) ? `"${key}"` : "an option with an unusual name"}, which acs-baseline cannot prove keeps verification on (allowed: ca, cert, key, passphrase, pfx, crl, minVersion, maxVersion)`;
    }
  }
  return undefined;
}

/** Why TLS `settings` (`tlsOptions`, a request's `tlsSettings`) switch verification off, or undefined. */
export function tlsSettingsReason(settings: unknown, what = "tlsOptions"): string | undefined {
  if (settings === undefined || settings === null) return undefined;
  if (typeof settings !== "object") return `${what} is not an object`;
  return settingsReason(settings as Record<string, unknown>, what, true);
}

/** Why an HTTP agent switches verification off, or undefined (its `options` are what it hands to `tls.connect`). */
export function agentReason(agent: unknown, what = "agent"): string | undefined {
  if (agent === undefined || agent === null) return undefined;
  if (typeof agent !== "object") return `${what} is not an agent`;
  const options = (agent as { options?: unknown }).options;
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object") return `${what} has unreadable options`;
  return settingsReason(options as Record<string, unknown>, `${what}`, false);
}

/** Why the process environment switches verification off, or undefined. */
export function environmentReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[TLS_REJECT_UNAUTHORIZED_VARIABLE] === "0"
    ? `${TLS_REJECT_UNAUTHORIZED_VARIABLE}=0 is set in the environment`
    : undefined;
}

/** The refusal for `reason`. */
export function tlsVerificationError(reason: string, subject = "A connection"): BaselineViolationError {
  return new BaselineViolationError(
    "TLS_VERIFICATION_DISABLED",
    `${subject} would not verify the server's TLS certificate: ${reason}. Certificate verification stays on for Microsoft Entra ID and ACS; to trust a private CA use tlsOptions.ca or NODE_EXTRA_CA_CERTS.`,
  );
}

/**
 * Refuses client options (and the environment) that would switch certificate verification off.
 * @throws BaselineViolationError TLS_VERIFICATION_DISABLED
 */
export function assertTlsVerification(
  options: { tlsOptions?: unknown; agent?: unknown } | undefined,
  prefix = "clientOptions",
  env: NodeJS.ProcessEnv = process.env,
): void {
  const reason =
    environmentReason(env) ??
    (options === undefined || options === null
      ? undefined
      : (tlsSettingsReason(options.tlsOptions, `${prefix}.tlsOptions`) ??
        agentReason(options.agent, `${prefix}.agent`)));
  if (reason !== undefined) throw tlsVerificationError(reason, "This configuration");
}
