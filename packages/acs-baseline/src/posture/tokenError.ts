/**
 * A secret-free reason for a failed token request, for posture's `unknown` evidence and doctor's token line. Follows
 * `cause`: @azure/identity 4.x wraps MSAL's error (`errorCode` "invalid_client", `errorMessage` "AADSTS7000215: …") in
 * an `AuthenticationRequiredError` whose own fields say nothing.
 */
import { isBaselineViolationError } from "../errors.js";
import { safeCode } from "./readArm.js";

/** How many `cause` links are followed. */
const MAX_DEPTH = 5;

interface TokenErrorFields {
  name?: unknown;
  errorCode?: unknown;
  errorMessage?: unknown;
  message?: unknown;
  errorResponse?: { error?: unknown; errorDescription?: unknown };
  cause?: unknown;
}

/** The `AADSTS` codes in a text (digits only: nothing else of the description is kept). */
function aadstsCodes(text: unknown): string[] {
  return typeof text === "string" ? [...text.matchAll(/AADSTS\d{1,10}/g)].map((m) => m[0]) : [];
}

/**
 * The error's name, the OAuth error code (`invalid_client`, …) and the AADSTS code, from the error and its `cause`
 * chain (bounded); our own refusal anywhere in the chain is given as is (it says what to do and holds no secret).
 * Only code-shaped values are kept (`safeCode`): no description, message text or secret.
 */
export function describeTokenError(error: unknown): string {
  const names: string[] = [];
  const codes: string[] = [];
  const aadsts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH && typeof current === "object" && current !== null; depth++) {
    if (seen.has(current)) break;
    seen.add(current);
    // Our own refusal (TLS_CERTIFICATE_NOT_TRUSTED toward Entra, a blocked request), however deep MSAL wrapped it.
    if (isBaselineViolationError(current)) return current.message;
    const e = current as TokenErrorFields;
    const name = safeCode(e.name);
    if (name !== undefined) names.push(name);
    for (const code of [e.errorResponse?.error, e.errorCode]) {
      const safe = safeCode(code);
      if (safe !== undefined && safe !== "unrecognised code") codes.push(safe);
    }
    aadsts.push(...aadstsCodes(e.errorResponse?.errorDescription), ...aadstsCodes(e.errorMessage));
    aadsts.push(...aadstsCodes(e.message));
    current = e.cause;
  }
  // "AuthenticationRequiredError ServerError invalid_client AADSTS7000215": names, OAuth error, AADSTS code.
  const parts = [...new Set([...(names.length > 0 ? names : ["Error"]), ...codes, ...aadsts])];
  return parts.join(" ");
}
