/**
 * IM-8 for what Entra answers: @azure/identity and MSAL copy the token endpoint's `error_description` into the error
 * they throw (its message and stack, `errorMessage`, `errorResponse.errorDescription`, and again in the `cause` MSAL's
 * error is wrapped in). An authority, proxy or error page that echoes the request puts the signed client assertion or
 * the client secret there, and so into the caller's logs. The errors of the credentials the factory builds are
 * scrubbed as an ACS error is (`scrubText`, and the configured secret wherever it is echoed), in place: their class,
 * name and code stay, so a caller's handling still works.
 */
import type { TokenCredential } from "@azure/core-auth";
import { isBaselineViolationError } from "../errors.js";
import { withoutEchoes } from "./contentEchoes.js";
import { scrubText } from "../text/scrub.js";

/** How many nested errors (`cause`, `errors`) are scrubbed. */
const MAX_ERRORS = 8;

/**
 * `credential` whose `getToken` rejections are scrubbed ({@link scrubCredentialError}) before anyone sees them.
 * @param echoes - secrets of the configuration (the client secret) to redact wherever an answer echoes them
 */
export function scrubbingErrors(credential: TokenCredential, echoes: readonly string[]): TokenCredential {
  return {
    getToken: (scopes, options) =>
      credential.getToken(scopes, options).catch((error: unknown) => {
        scrubCredentialError(error, echoes);
        throw error;
      }),
  };
}

type ErrorFields = Record<string, unknown> & {
  message?: unknown;
  stack?: unknown;
  errorResponse?: unknown;
  cause?: unknown;
  errors?: unknown;
};

/**
 * Scrubs a credential's error in place (never throws): message, stack, `errorMessage`, `code`, the string members of
 * `errorResponse` (`errorDescription`, …), then its `cause` and `errors` (bounded). Our own refusals are left as
 * they are (they hold no secret and say what to do).
 */
export function scrubCredentialError(error: unknown, echoes: readonly string[]): void {
  // As sent (a form body percent-encodes the secret) and as written back: plain, percent- or form-encoded.
  const secrets = [
    ...new Set(
      echoes
        .filter((e) => e.length > 0)
        .flatMap((e) => [e, encodeURIComponent(e), new URLSearchParams({ s: e }).toString().slice(2)]),
    ),
  ];
  const clean = (text: string): string => scrubText(secrets.length > 0 ? withoutEchoes(text, secrets) : text);
  const pending: unknown[] = [error];
  const seen = new Set<unknown>();
  while (pending.length > 0 && seen.size < MAX_ERRORS) {
    const current = pending.shift();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    if (isBaselineViolationError(current)) continue;
    try {
      scrubOne(current as ErrorFields, clean);
      const { cause, errors } = current as ErrorFields;
      pending.push(cause);
      if (Array.isArray(errors)) pending.push(...(errors as unknown[]).slice(0, MAX_ERRORS));
    } catch {
      // the caller's error matters more than its scrubbing
    }
  }
}

/** One error's own text fields, cleaned in place. */
function scrubOne(e: ErrorFields, clean: (text: string) => string): void {
  const message = e.message;
  if (typeof message === "string") {
    const scrubbed = clean(message);
    if (typeof e.stack === "string") e.stack = scrubStack(e.stack, message, scrubbed, clean);
    if (scrubbed !== message) e.message = scrubbed;
  } else if (typeof e.stack === "string") {
    e.stack = scrubStack(e.stack, "", "", clean);
  }
  for (const key of ["errorMessage", "code", "errorCode", "subError"]) cleanField(e, key, clean);
  const response = e.errorResponse;
  if (typeof response === "object" && response !== null) {
    for (const key of Object.keys(response)) cleanField(response as Record<string, unknown>, key, clean);
  }
}

/** `holder[key]` cleaned in place when it is a string that cleaning changes (each value cleaned once). */
function cleanField(holder: Record<string, unknown>, key: string, clean: (text: string) => string): void {
  const value = holder[key];
  if (typeof value !== "string") return;
  const scrubbed = clean(value);
  if (scrubbed !== value) holder[key] = scrubbed;
}

/** The stack with its copy of the message replaced by the scrubbed one, then each line scrubbed (a frame stays). */
function scrubStack(stack: string, message: string, scrubbed: string, clean: (text: string) => string): string {
  const replaced = message.length > 0 ? stack.split(message).join(scrubbed) : stack;
  return replaced.split("\n").map(clean).join("\n");
}
