/** What the emulator received, without secrets: no assertions, tokens, secrets, bodies or phone numbers. */
import type { EmulatorSide } from "./faults.js";
import { PHONE_PATTERNS, percentDecoded } from "./phoneNumbers.js";

/** One request the emulator received. @public */
export interface EmulatorRequest {
  /** ISO-8601 time the request arrived. */
  time: string;
  side: EmulatorSide;
  method: string;
  /** Path without the query string; phone numbers in it are masked to their last four digits. */
  path: string;
  /** Status answered; 0 when the connection was dropped. */
  status: number;
  /** Client (application) ID: from the token request, or from the Bearer token on ACS. */
  clientId?: string;
  /** OAuth grant type on token requests. */
  grantType?: string;
  /** Authorization scheme on ACS requests (`Bearer`, `HMAC-SHA256`, … or `none`). */
  authScheme?: string;
  /** True when a client assertion was presented again (accepted until it expires, as Entra does). */
  assertionReused?: boolean;
  /** SHA-256 thumbprint of the certificate that signed the client assertion. */
  certificateThumbprint?: string;
  /** Subject (`sub`) of the federated token presented as client assertion (workload identity federation). */
  federatedSubject?: string;
  /** Error code answered, if any. */
  error?: string;
  /** True when an injected fault answered. */
  fault?: boolean;
}

/** Largest number of requests kept; older ones are dropped. */
export const MAX_LOGGED_REQUESTS = 50_000;

/**
 * `text` with every phone number masked to its last four digits: the runtime scrubber's phone patterns (E.164 in any
 * spelling, with Unicode dashes and spaces, a middle dot, commas or `+` between the groups; national formats such as
 * `(425)555-0123`, `425.555.0123`, `1-425-555-0123`; plain, percent-encoded or full-width), from the emulator's copy of
 * the rule (`phoneNumbers.ts`).
 */
function masked(text: string): string {
  let out = text;
  for (const [pattern, replace] of PHONE_PATTERNS) out = out.replace(pattern, replace);
  return out;
}

/** Control characters (a decoded `%0A`), written back percent-encoded: a logged path never holds one. */
const CONTROL = /\p{Cc}/gu;

/** `segment` percent-decoded up to four times, a malformed escape (`%ZZ`, a lone `%`) kept, the others decoded. */
function decoded(segment: string): string {
  return percentDecoded(segment, 4);
}

/** `path` with every phone number masked to its last four digits (`/phoneNumbers/%2B14255550123` → `/phoneNumbers/***0123`). */
export function maskPhoneNumbersInPath(path: string): string {
  const segments = path.split("/").map((segment) => {
    const plain = decoded(segment);
    const out = masked(plain);
    return out !== plain ? out.replace(CONTROL, encodeURIComponent) : segment;
  });
  // Then the whole path: a number can span segments (`+1/425/555/0123`).
  return masked(segments.join("/"));
}

/** Bounded log of requests (paths with phone numbers masked). */
export class RequestLog {
  readonly entries: EmulatorRequest[] = [];

  add(entry: EmulatorRequest): void {
    if (/[\p{Nd}%]/u.test(entry.path)) entry.path = maskPhoneNumbersInPath(entry.path);
    this.entries.push(entry);
    if (this.entries.length > MAX_LOGGED_REQUESTS) this.entries.splice(0, this.entries.length - MAX_LOGGED_REQUESTS);
  }
}
