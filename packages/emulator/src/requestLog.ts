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

// A phone number in a path: `+`, `%2B` or `%252B` and 7–15 digits (separators plain or percent-encoded), or a bare
// run of 8–15 digits. The emulator imports nothing from the library, so this is its own copy of the rule.
const PHONE_IN_PATH = /(?:\+|%(?:25)?2[Bb])\d(?:[\d\s().-]|%(?:25)?20){5,20}\d|(?<![\w+.-])\d{8,15}(?![\w-])/g;

/** `path` with every phone number masked to its last four digits (`/phoneNumbers/%2B14255550123` → `/phoneNumbers/***0123`). */
export function maskPhoneNumbersInPath(path: string): string {
  return path.replace(PHONE_IN_PATH, (m) => {
    const digits = m.replace(/%(?:25)?[0-9A-Fa-f]{2}/g, "").replace(/\D/g, "");
    return digits.length < 8 ? "***" : `***${digits.slice(-4)}`;
  });
}

/** Bounded log of requests (paths with phone numbers masked). */
export class RequestLog {
  readonly entries: EmulatorRequest[] = [];

  add(entry: EmulatorRequest): void {
    if (/\d{4}/.test(entry.path)) entry.path = maskPhoneNumbersInPath(entry.path);
    this.entries.push(entry);
    if (this.entries.length > MAX_LOGGED_REQUESTS) this.entries.splice(0, this.entries.length - MAX_LOGGED_REQUESTS);
  }
}
