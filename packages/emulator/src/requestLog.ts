/** What the emulator received, without secrets: no assertions, tokens, secrets, bodies or phone numbers. */
import type { EmulatorSide } from "./faults.js";

/** One request the emulator received. @public */
export interface EmulatorRequest {
  /** ISO-8601 time the request arrived. */
  time: string;
  side: EmulatorSide;
  method: string;
  /** Path without the query string. */
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

/** Bounded log of requests. */
export class RequestLog {
  readonly entries: EmulatorRequest[] = [];

  add(entry: EmulatorRequest): void {
    this.entries.push(entry);
    if (this.entries.length > MAX_LOGGED_REQUESTS) this.entries.splice(0, this.entries.length - MAX_LOGGED_REQUESTS);
  }
}
