/** IM-1: only Microsoft Entra TokenCredentials are accepted; key and SAS credentials are refused. */
import type { TokenCredential } from "@azure/core-auth";
import { BaselineViolationError } from "../errors.js";

/** True when `value` is a TokenCredential (has a `getToken` function). */
export function isTokenCredential(value: unknown): value is TokenCredential {
  return (
    typeof value === "object" && value !== null && typeof (value as { getToken?: unknown }).getToken === "function"
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object" && typeof value !== "function") return `a ${typeof value}`;
  const v = value as Record<string, unknown>;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  if (name === "AzureNamedKeyCredential" || ("name" in v && "key" in v))
    return "an AzureNamedKeyCredential (name + key)";
  if (name === "AzureKeyCredential" || "key" in v) return "an access-key credential (AzureKeyCredential or { key })";
  if (name === "AzureSASCredential" || "signature" in v)
    return "a shared access signature credential (AzureSASCredential)";
  return "an object without getToken";
}

/**
 * Refuses any `credential` that is not a TokenCredential.
 * @throws BaselineViolationError KEY_CREDENTIAL_REFUSED
 */
export function assertTokenCredential(value: unknown): asserts value is TokenCredential {
  if (!isTokenCredential(value)) {
    throw new BaselineViolationError(
      "KEY_CREDENTIAL_REFUSED",
      `The credential option is ${describe(value)}. Access keys and SAS credentials are refused: ACS must be reached with Microsoft Entra ID. Pass a TokenCredential (e.g. workload identity), or configure tenantId, clientId and a certificate and let AcsClientFactory build it.`,
    );
  }
}

/** ACS access keys are 64 random bytes (the portal and `az communication list-key` show them as 88 base64 characters). */
const ACS_ACCESS_KEY_BYTES = 64;
/** 64 bytes in base64 or base64url: 86 characters of either alphabet, padded (`==`) or not. */
const BASE64_64_BYTES = /^[A-Za-z0-9+/_-]{86}(?:==?)?$/;
/** 64 bytes in hex. */
const HEX_64_BYTES = /^[0-9A-Fa-f]{128}$/;
/** White space and invisible characters a paste can carry (zero-width, word joiner, BOM, NBSP, line breaks). */
const INVISIBLE = /[\s\u00a0\u180e\u200b-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/g;
/** Surrounding quotes: "…", '…', `…`. */
const QUOTED = /^(["'`])([\s\S]*)\1$/;
/** A leading `accesskey=` (any case), as in a connection string. */
const ACCESS_KEY_PREFIX = /^accesskey=/i;

/**
 * `value` as it would be if pasted from a connection string or a key listing: without white space or invisible
 * characters, surrounding quotes, an `accesskey=` prefix or URL-encoding (`%3D` padding).
 */
function normaliseKeyCandidate(value: string): string {
  let text = value;
  for (let round = 0; round < 4; round++) {
    const before = text;
    text = text.replace(INVISIBLE, "");
    if (text.includes("%")) {
      try {
        text = decodeURIComponent(text);
      } catch {
        // not URL-encoded after all
      }
    }
    text = text.replace(QUOTED, "$2").replace(ACCESS_KEY_PREFIX, "");
    if (text === before) break;
  }
  return text;
}

/**
 * True when `value` is an ACS access key in any likely shape: after {@link normaliseKeyCandidate}, base64 or
 * base64url (padded or not) of exactly 64 bytes, or 128 hex digits. Microsoft Entra client secrets (about 40
 * characters of letters, digits, `~ . _ -`) never are.
 */
export function isAccessKeyShaped(value: string): boolean {
  if (value.length < 86 || value.length > 1024) return false;
  const text = normaliseKeyCandidate(value);
  if (HEX_64_BYTES.test(text)) return true;
  if (!BASE64_64_BYTES.test(text)) return false;
  const unpadded = text.replace(/=+$/, "");
  // Either alphabet, or a mix of both (decoders accept that too).
  return Buffer.from(unpadded.replace(/-/g, "+").replace(/_/g, "/"), "base64").length === ACS_ACCESS_KEY_BYTES;
}

/**
 * Refuses a client secret that is an ACS access key (a key pasted where the Entra client secret belongs), in any of
 * the shapes {@link isAccessKeyShaped} knows. The message never echoes the value.
 * @throws BaselineViolationError KEY_CREDENTIAL_REFUSED
 */
export function assertNotAccessKey(clientSecret: unknown): void {
  if (typeof clientSecret === "string" && isAccessKeyShaped(clientSecret)) {
    throw new BaselineViolationError(
      "KEY_CREDENTIAL_REFUSED",
      "clientSecret has the shape of an ACS access key (64 bytes as base64, base64url or hex), not of a Microsoft Entra client secret. Access keys are refused: use the service principal's certificate (or its Entra client secret), never a key of the ACS resource.",
    );
  }
}
