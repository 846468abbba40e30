/**
 * DP-3: a server certificate Node.js would not verify (an unknown CA, a self-signed certificate, an expired one, a
 * host name it does not cover) becomes one refusal that names the host and the two ways to trust a CA, wherever it
 * surfaces: a token request through the credential transport, an ACS request through the guarded HttpClient, an ARM
 * request of the posture check. Without it, a missing CA reaches the caller as an opaque MSAL or network error.
 */
import { BaselineViolationError } from "../errors.js";

/** Node.js (OpenSSL) error codes of a failed server-certificate verification, with what each means. */
const TLS_TRUST_CODES: Readonly<Record<string, string>> = Object.freeze({
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its issuer is not a trusted CA",
  UNABLE_TO_GET_ISSUER_CERT: "its issuer is not a trusted CA",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "its issuer is not a trusted CA",
  SELF_SIGNED_CERT_IN_CHAIN: "its chain ends in a CA that is not trusted",
  DEPTH_ZERO_SELF_SIGNED_CERT: "it is self-signed",
  CERT_UNTRUSTED: "it is not trusted",
  CERT_SIGNATURE_FAILURE: "its signature does not verify",
  CERT_HAS_EXPIRED: "it has expired",
  CERT_NOT_YET_VALID: "it is not valid yet",
  CERT_REVOKED: "it is revoked",
  CERT_REJECTED: "it is rejected",
  INVALID_CA: "a CA in its chain is not valid",
  ERR_TLS_CERT_ALTNAME_INVALID: "it does not name this host",
  HOSTNAME_MISMATCH: "it does not name this host",
});

/** The Node.js TLS error code in `error` (its own `code`, or its `cause`'s), when it is a certificate failure. */
export function tlsTrustCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && Object.prototype.hasOwnProperty.call(TLS_TRUST_CODES, code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The host of `url` as the message shows it (IPv6 without brackets), or `the server` when it cannot be read. */
function hostOf(url: string | undefined): string {
  try {
    const host = new URL(url ?? "").hostname.toLowerCase();
    const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
    return /^[a-z0-9.:-]{1,253}$/.test(bare) ? bare : "the server";
  } catch {
    return "the server";
  }
}

/**
 * The refusal for a certificate `host` does not verify:
 * `TLS: certificate of <host> not trusted; pass tlsOptions.ca or NODE_EXTRA_CA_CERTS (<code>: <why>).`
 */
export function tlsNotTrustedError(host: string, code: string): BaselineViolationError {
  const why = TLS_TRUST_CODES[code] ?? "it does not verify";
  return new BaselineViolationError(
    "TLS_CERTIFICATE_NOT_TRUSTED",
    `TLS: certificate of ${host} not trusted; pass tlsOptions.ca or NODE_EXTRA_CA_CERTS (${code}: ${why}).`,
  );
}

/**
 * `error` as a TLS_CERTIFICATE_NOT_TRUSTED refusal naming the host of `url`, when Node.js failed to verify the
 * server's certificate; otherwise undefined. Nothing of `error` but its code is kept (its message can echo a URL).
 */
export function tlsTrustRefusal(error: unknown, url: string | undefined): BaselineViolationError | undefined {
  const code = tlsTrustCode(error);
  return code === undefined ? undefined : tlsNotTrustedError(hostOf(url), code);
}
