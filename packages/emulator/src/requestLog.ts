/** What the emulator received, without secrets: no assertions, tokens, secrets, bodies or phone numbers. */
import type { EmulatorSide } from "./faults.js";

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

// A phone number in a path: a `+` (plain, percent-encoded any number of times, full-width or `\u002B` text) and 7–15
// digits with optional separators (plain or percent-encoded), a bare run of 8–15 digits, or a national format of
// grouped digits (10 or more). Segments are also looked at percent-decoded (up to four times) and NFKC-normalised
// (full-width digits). The emulator imports nothing from the library, so this is its own copy of the rule.
const P = "(?:\\+|%(?:25)*2[Bb]|\\\\u002[Bb]|\\uFF0B)";
const D = "[0-9\\uFF10-\\uFF19]";
const S = "(?:[\\s()./_-]|%(?:25)*(?:20|2[89DdEeFf]|5[Ff]))";
const PHONE_IN_PATH = new RegExp(
  `${P}${S}*${D}(?:${D}|${S}){5,24}${D}|(?<![\\w+.-])${D}{8,15}(?![\\w-])|(?<![\\w+.-])\\(?${D}{2,4}\\)?(?:[\\s-]{1,2}\\(?${D}{2,4}\\)?){2,4}(?![\\w-])`,
  "g",
);

function masked(text: string): string {
  return text.replace(PHONE_IN_PATH, (m) => {
    const digits = m
      .replace(/\\u002[Bb]/g, "")
      .replace(/%(?:25)*[0-9A-Fa-f]{2}/g, "")
      .normalize("NFKC")
      .replace(/\D/g, "");
    if (digits.length < 10 && !/^[+%\\\uFF0B]/.test(m) && !/^\d+$/.test(m)) return m; // grouped digits: dates and the like stay
    return digits.length < 8 ? "***" : `***${digits.slice(-4)}`;
  });
}

function decoded(segment: string): string {
  let text = segment;
  for (let i = 0; i < 4 && text.includes("%"); i++) {
    try {
      const next = decodeURIComponent(text);
      if (next === text) break;
      text = next;
    } catch {
      break;
    }
  }
  return text.normalize("NFKC");
}

/** `path` with every phone number masked to its last four digits (`/phoneNumbers/%2B14255550123` → `/phoneNumbers/***0123`). */
export function maskPhoneNumbersInPath(path: string): string {
  const segments = path.split("/").map((segment) => {
    const plain = decoded(segment);
    const out = masked(plain);
    return out !== plain ? out : segment;
  });
  // Then the whole path: a number can span segments (`+1/425/555/0123`).
  return masked(segments.join("/"));
}

/** Bounded log of requests (paths with phone numbers masked). */
export class RequestLog {
  readonly entries: EmulatorRequest[] = [];

  add(entry: EmulatorRequest): void {
    if (/[\d%\uFF10-\uFF19]/.test(entry.path)) entry.path = maskPhoneNumbersInPath(entry.path);
    this.entries.push(entry);
    if (this.entries.length > MAX_LOGGED_REQUESTS) this.entries.splice(0, this.entries.length - MAX_LOGGED_REQUESTS);
  }
}
