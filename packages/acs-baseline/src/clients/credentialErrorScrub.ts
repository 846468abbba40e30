/**
 * IM-8 for what Entra answers: @azure/identity and MSAL copy the token endpoint's answer into the error they throw
 * (`error_description` into its message and stack, `errorMessage`, `errorResponse.errorDescription`; `error_codes[0]`
 * into `errorNo`; `trace_id` and `claims` into `traceId` and `claims`), and again into the `cause` MSAL's error is
 * wrapped in. An authority, proxy or error page that echoes the request puts the signed client assertion or the client
 * secret there, and so into the caller's logs. The errors of the credentials the factory builds are scrubbed as an
 * ACS error is (`scrubText`, and the configured secret wherever it is echoed), in place and member by member, whatever
 * the members are named: their class, name and code stay, so a caller's handling still works.
 */
import type { TokenCredential } from "@azure/core-auth";
import { isBaselineViolationError } from "../errors.js";
import { withoutEchoes } from "./contentEchoes.js";
import { REDACTED, scrubText } from "../text/scrub.js";

/** How deep the scrub goes from the thrown error (its `cause` is one level, the cause's `errorResponse` two, …). */
const MAX_DEPTH = 8;
/** How many objects (errors, plain objects, arrays) one error's scrub visits at most. */
const MAX_OBJECTS = 64;
/** How many members of one object are read at most (an array's first elements). */
const MAX_MEMBERS = 256;
/** How many characters one error's scrub cleans at most; a string beyond that is replaced whole by `[REDACTED]`. */
const MAX_CHARACTERS = 4 * 1024 * 1024;

/**
 * `credential` whose `getToken` rejections are scrubbed ({@link scrubCredentialError}) before anyone sees them.
 * @param echoes - secrets of the configuration (the client secret) to redact wherever an answer echoes them
 */
export function scrubbingErrors(credential: TokenCredential, echoes: readonly string[]): TokenCredential {
  return {
    getToken: (scopes, options) =>
      credential.getToken(scopes, options).catch((error: unknown) => {
        // The caller's own scopes and options (kept by AuthenticationRequiredError) are theirs, not Entra's answer.
        scrubCredentialError(error, echoes, [scopes, options]);
        throw error;
      }),
  };
}

/**
 * A JWT-looking run, wherever it starts (glued to a word, as an echo may write it) and however it ends (cut short): a
 * signed client assertion or a federated token, whole or in part.
 */
const JWT_RUN = /eyJ[\w-]{20,}(?:\.[\w-]*)*/g;

/** How to clean a string: as free text, or only of the configured secrets. */
interface Cleaner {
  /** {@link scrubText}, after the configured secrets in every spelling an echo gives them. */
  text: (text: string) => string;
  /** Only the configured secrets removed. */
  echoes: (text: string) => string;
}

/** The cleaner for a configuration's secrets (`echoes`). */
function cleaner(echoes: readonly string[]): Cleaner {
  // As sent (a form body percent-encodes the secret) and as written back: plain, percent- or form-encoded.
  const secrets = [
    ...new Set(
      echoes
        .filter((e) => e.length > 0)
        .flatMap((e) => [e, encodeURIComponent(e), new URLSearchParams({ s: e }).toString().slice(2)]),
    ),
  ];
  const withoutSecrets = (text: string): string => (secrets.length > 0 ? withoutEchoes(text, secrets) : text);
  return { text: (text) => scrubText(withoutSecrets(text).replace(JWT_RUN, REDACTED)), echoes: withoutSecrets };
}

/** What the scrub walks through: an error, an array or a plain object (an answer's parsed JSON). */
function isWalkable(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value) || isErrorLike(value)) return true;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** An error, of this realm or another. */
function isErrorLike(value: object): boolean {
  return value instanceof Error || Object.prototype.toString.call(value) === "[object Error]";
}

/**
 * Scrubs a credential's error in place (never throws): every own string member (enumerable or not, string or symbol
 * key) of the error, of its `cause` and `errors`, and of the errors, arrays and plain objects they hold
 * (`errorResponse`, `error_codes`, …), the stack with its copy of the message; bounded ({@link MAX_DEPTH},
 * {@link MAX_OBJECTS}, {@link MAX_MEMBERS}, {@link MAX_CHARACTERS}), each object once. Accessors other than an error's
 * `stack` are not called. Our own refusals are left as they are (they hold no secret and say what to do).
 * @param spare - objects left untouched (the caller's own scopes and options)
 */
export function scrubCredentialError(error: unknown, echoes: readonly string[], spare: readonly unknown[] = []): void {
  const clean = cleaner(echoes);
  const seen = new Set<unknown>(spare);
  const pending: [object, number][] = typeof error === "object" && error !== null ? [[error, 0]] : [];
  const budget = { objects: MAX_OBJECTS, characters: MAX_CHARACTERS };
  for (let next = 0; next < pending.length && budget.objects > 0; next++) {
    const [current, depth] = pending[next];
    if (seen.has(current)) continue;
    seen.add(current);
    budget.objects--;
    try {
      if (isBaselineViolationError(current)) continue;
      const nested = scrubObject(current, clean, budget);
      if (depth < MAX_DEPTH) for (const child of nested) pending.push([child, depth + 1]);
    } catch {
      // the caller's error matters more than its scrubbing
    }
  }
}

/** One object's own members cleaned in place; returns the walkable objects it holds. */
function scrubObject(holder: object, clean: Cleaner, budget: { characters: number }): object[] {
  const error = isErrorLike(holder);
  if (error) scrubMessageAndStack(holder, clean.text, budget);
  const nested: object[] = [];
  for (const key of membersOf(holder, MAX_MEMBERS)) {
    if (error && (key === "message" || key === "stack")) continue;
    const descriptor = Object.getOwnPropertyDescriptor(holder, key);
    if (descriptor === undefined || !("value" in descriptor)) continue;
    const value: unknown = descriptor.value;
    if (typeof value === "string") {
      budget.characters -= value.length;
      const scrubbed = budget.characters < 0 ? REDACTED : cleanMember(value, clean);
      if (scrubbed !== value) redefine(holder, key, scrubbed);
    } else if (isWalkable(value)) {
      nested.push(value);
    }
  }
  return nested;
}

/** Longest member read as JSON (a claims challenge); a longer one is cleaned as text. */
const MAX_JSON_MEMBER = 16_384;
/** How many keys and values of a JSON member are cleaned one by one; beyond that it is cleaned as text. */
const MAX_JSON_PARTS = 256;
/** A text of digits only (a Unix time in a claims challenge, `nbf`), not a phone number: Entra never sees one. */
const DIGITS = /^\d+$/;

/**
 * A string member cleaned: as text, unless it holds a JSON object or array (MSAL's `claims`, a claims challenge), which
 * is cleaned key by key and value by value (a value of digits only of the configured secrets alone) and kept as written
 * only when it is exactly what it parses to and nothing changed, so a challenge that holds no secret stays usable as it
 * was; otherwise it is written again from the cleaned parse.
 */
function cleanMember(value: string, clean: Cleaner): string {
  const json = value.length <= MAX_JSON_MEMBER && /^\s*[[{]/.test(value) ? parsedJson(value) : undefined;
  if (json === undefined) return clean.text(value);
  const parts = { left: MAX_JSON_PARTS };
  const cleaned = cleanJson(json, clean, parts, 0);
  if (parts.left < 0) return clean.text(value);
  const written = JSON.stringify(cleaned);
  // Kept as written only when the text is exactly what was parsed: a key written twice (`{"x":"<secret>","x":"1"}`)
  // parses to its last value, and the first would survive in the original text.
  return written === value ? value : written;
}

function parsedJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** A parsed JSON value with its keys and strings cleaned (a copy); `parts.left` below 0 when it was too big. */
function cleanJson(value: unknown, clean: Cleaner, parts: { left: number }, depth: number): unknown {
  if (--parts.left < 0 || depth > MAX_DEPTH) {
    parts.left = -1;
    return null;
  }
  if (typeof value === "string") return DIGITS.test(value) ? clean.echoes(value) : clean.text(value);
  if (Array.isArray(value)) return value.map((v: unknown) => cleanJson(v, clean, parts, depth + 1));
  if (typeof value !== "object" || value === null) return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) out[clean.text(k)] = cleanJson(v, clean, parts, depth + 1);
  return out;
}

/** The first `limit` own keys of `holder` (an array's indices read without listing them all). */
function membersOf(holder: object, limit: number): (string | symbol)[] {
  if (!Array.isArray(holder)) return Reflect.ownKeys(holder).slice(0, limit);
  const count = Math.min(holder.length, limit);
  return Array.from({ length: count }, (_, i) => String(i));
}

/** `holder[key] = value`, keeping the member's attributes; a frozen member is left as it is. */
function redefine(holder: object, key: string | symbol, value: string): void {
  try {
    Object.defineProperty(holder, key, { value });
  } catch {
    // not writable and not configurable: nothing more can be done
  }
}

/** An error's message and stack, the stack's copy of the message replaced by the scrubbed one. */
function scrubMessageAndStack(
  e: { message?: unknown; stack?: unknown },
  clean: (text: string) => string,
  budget: { characters: number },
): void {
  const message = typeof e.message === "string" ? e.message : "";
  const stack = e.stack;
  budget.characters -= message.length + (typeof stack === "string" ? stack.length : 0);
  const affordable = budget.characters >= 0;
  const scrubbed = affordable ? clean(message) : REDACTED;
  if (typeof stack === "string")
    assign(e, "stack", affordable ? scrubStack(stack, message, scrubbed, clean) : REDACTED);
  if (scrubbed !== message) assign(e, "message", scrubbed);
}

/** `holder[key] = value` (through a setter, as V8's `stack` has one), else defined as a member of its own. */
function assign(holder: object, key: string, value: string): void {
  try {
    (holder as Record<string, unknown>)[key] = value;
  } catch {
    redefine(holder, key, value);
  }
}

/** The stack with its copy of the message replaced by the scrubbed one, then each line scrubbed (a frame stays). */
function scrubStack(stack: string, message: string, scrubbed: string, clean: (text: string) => string): string {
  const replaced = message.length > 0 ? stack.split(message).join(scrubbed) : stack;
  return replaced.split("\n").map(clean).join("\n");
}
