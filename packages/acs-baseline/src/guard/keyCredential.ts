/** IM-1: only Microsoft Entra TokenCredentials are accepted; key and SAS credentials are refused. */
import type { TokenCredential } from "@azure/core-auth";
import { BaselineViolationError } from "../errors.js";

/** True when `value` is a TokenCredential (has a `getToken` function). */
export function isTokenCredential(value: unknown): value is TokenCredential {
  return typeof value === "object" && value !== null && typeof (value as { getToken?: unknown }).getToken === "function";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object" && typeof value !== "function") return `a ${typeof value}`;
  const v = value as Record<string, unknown>;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  if (name === "AzureNamedKeyCredential" || ("name" in v && "key" in v)) return "an AzureNamedKeyCredential (name + key)";
  if (name === "AzureKeyCredential" || "key" in v) return "an access-key credential (AzureKeyCredential or { key })";
  if (name === "AzureSASCredential" || "signature" in v) return "a shared access signature credential (AzureSASCredential)";
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

/** An ACS access key as the portal and `az communication list-key` show it: 64 bytes, base64 (88 characters). */
const ACS_ACCESS_KEY_SHAPE = /^[A-Za-z0-9+/]{86}==$/;

/**
 * Refuses a client secret that is an ACS access key (a key pasted where the Entra client secret belongs).
 * @throws BaselineViolationError KEY_CREDENTIAL_REFUSED
 */
export function assertNotAccessKey(clientSecret: unknown): void {
  if (typeof clientSecret === "string" && ACS_ACCESS_KEY_SHAPE.test(clientSecret.trim())) {
    throw new BaselineViolationError(
      "KEY_CREDENTIAL_REFUSED",
      "clientSecret has the shape of an ACS access key (88 base64 characters), not of a Microsoft Entra client secret. Access keys are refused: use the service principal's certificate (or its Entra client secret), never a key of the ACS resource.",
    );
  }
}
