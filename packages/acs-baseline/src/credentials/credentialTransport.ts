/**
 * The HttpClient of the factory's Entra credential: the same transport checks as the ACS request guard
 * (no `requestOverrides`, TLS verification on), a bound on every attempt, and a way to abort every request still
 * in flight — so a timed-out token fetch or `factory.close()` really ends the socket instead of leaving it open.
 */
import type { HttpClient, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { BaselineViolationError } from "../errors.js";
import type { AgentAllowance } from "../guard/proxyAgent.js";
import { tlsTrustRefusal } from "../guard/tlsTrust.js";
import {
  blockedError,
  sealSnapshot,
  setOwn,
  snapshotOf,
  transportRefusal,
  withOwnHeaders,
} from "../guard/requestGuard.js";
import { handBack } from "../guard/handBack.js";
import type { CredentialDestination } from "./credentialDestinations.js";
import { matchDestination } from "./credentialDestinations.js";

/** An HttpClient whose in-flight requests can be aborted together. */
export interface CredentialTransport extends HttpClient {
  /** Aborts every request in flight (the HTTP client rejects them with an AbortError and closes their sockets). */
  abortAll(): void;
  /** How many TLS_CERTIFICATE_NOT_TRUSTED refusals this transport has returned so far (a mark for {@link tlsRefusalSince}). */
  tlsRefusalCount(): number;
  /** The latest TLS_CERTIFICATE_NOT_TRUSTED refusal returned after `mark` ({@link tlsRefusalCount}), if any. */
  tlsRefusalSince(mark: number): BaselineViolationError | undefined;
}

/**
 * Wraps `inner` for the credential.
 * @param timeoutMs - bound for one attempt when the request has none (0 = none)
 * @param onBlocked - called with a refusal before it is thrown (for the audit log)
 * @param agents - the agents that may carry requests (the configured one; a proxy agent when a proxy is configured)
 * @param destinations - where requests may go (scheme, host, port), fixed now; anything else is refused
 *   (AUTHORITY_NOT_ALLOWED naming the host). A plain-http destination (a local managed-identity endpoint) is sent
 *   without any agent, so never through a proxy.
 */
export function createCredentialTransport(
  inner: HttpClient,
  timeoutMs: number,
  onBlocked: ((error: BaselineViolationError) => void) | undefined,
  agents: AgentAllowance,
  destinations: readonly CredentialDestination[],
): CredentialTransport {
  const pinned = Object.freeze(destinations.map((d) => Object.freeze({ ...d })));
  const inflight = new Set<AbortController>();
  let tlsRefusals = 0;
  let lastTlsRefusal: BaselineViolationError | undefined;
  // A certificate Node.js does not verify becomes a refusal naming the Entra host (MSAL would hide it in its own error).
  const mapTlsFailure = (error: unknown, url: string): Promise<never> => {
    const refusal = tlsTrustRefusal(error, url);
    if (refusal === undefined) return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    tlsRefusals++;
    lastTlsRefusal = refusal;
    return Promise.reject(refusal);
  };
  return {
    sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      // What is checked is what is sent: a snapshot of the request (its body carries the client secret or assertion).
      const sent = snapshotOf(request);
      const unreadable = withOwnHeaders(sent);
      if (unreadable !== undefined) {
        onBlocked?.(unreadable);
        return Promise.reject(unreadable);
      }
      const destination = matchDestination(sent.url, pinned);
      if (destination instanceof BaselineViolationError) {
        onBlocked?.(destination);
        return Promise.reject(destination);
      }
      if (destination.protocol === "http:") setOwn(sent, "agent", undefined);
      const refused = transportRefusal(sent, agents);
      if (refused !== undefined) {
        const error = blockedError(sent.method, refused[0], refused[1]);
        onBlocked?.(error);
        return Promise.reject(error);
      }
      sealSnapshot(sent, undefined, destination);
      if (timeoutMs > 0 && !(sent.timeout > 0)) sent.timeout = timeoutMs;
      const controller = new AbortController();
      const outer = sent.abortSignal;
      const forward = () => controller.abort();
      if (outer !== undefined) {
        if (outer.aborted) controller.abort();
        else outer.addEventListener("abort", forward, { once: true });
      }
      setOwn(sent, "abortSignal", controller.signal);
      inflight.add(controller);
      const done = () => {
        inflight.delete(controller);
        outer?.removeEventListener("abort", forward);
      };
      let result: Promise<PipelineResponse>;
      try {
        result = handBack(inner.sendRequest(sent), request, sent);
      } catch (error) {
        done();
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const url = sent.url;
      return result.finally(done).catch((error: unknown) => mapTlsFailure(error, url));
    },
    abortAll(): void {
      for (const controller of inflight) controller.abort();
      inflight.clear();
    },
    tlsRefusalCount: () => tlsRefusals,
    tlsRefusalSince: (mark) => (tlsRefusals > mark ? lastTlsRefusal : undefined),
  };
}
