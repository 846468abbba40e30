/**
 * The requests of the estate tools' ARM SDK clients (sweep's Resource Graph, readiness's resource and Activity Log).
 * Each still goes through the ARM session's request guard, and before it:
 * - every request is bound to the command's deadline, next pages and the SDK's retry waits included (an SDK pager
 *   sends its `nextLink` pages without the abort signal the first page was given), and a list whose `nextLink`
 *   repeats or that runs past 1,000 pages is given up on: the runtime's `armRequestPolicies`, as posture's clients;
 * - a request to another host than the ARM endpoint (a `nextLink` or a redirect elsewhere) is refused with a reason
 *   that names the ARM endpoint (the guard's own refusal is worded for the ACS endpoint);
 * - each request is counted, and a 429 can be handed to the caller before the SDK's retry sleeps its `Retry-After`.
 */
import type { ArmSession } from "acs-baseline/internal";
import { armRequestPolicies, describeArmError, isBaselineViolationError } from "acs-baseline/internal";

type GuardedOptions = ArmSession["guardedClientOptions"];
type HttpClient = GuardedOptions["httpClient"];
type PipelineResponse = Awaited<ReturnType<HttpClient["sendRequest"]>>;

/** A request addressed to another host than the ARM endpoint: never sent (the ARM token goes only to the endpoint). */
export class OffEndpointError extends Error {
  constructor(armEndpoint: string) {
    super(
      `ARM's answer pointed the next request to another host than the ARM endpoint ${armEndpoint} (a nextLink or a redirect); the ARM token goes only to that endpoint, so the request was not sent`,
    );
    this.name = "OffEndpointError";
  }
}

/** A 429, handed to the caller instead of the SDK's retry (which would sleep the whole `Retry-After` first). */
export class ThrottledError extends Error {
  constructor(readonly response: PipelineResponse) {
    super("throttled (429)");
    this.name = "ThrottledError";
  }
}

/** What {@link estateClientOptions} reports and changes. */
export interface EstateRequestHooks {
  /** Called once for each request the guard let through (answered, or failed on the network). */
  onSent?: () => void;
  /** Throw {@link ThrottledError} for a 429, so that the SDK does not retry it itself. */
  throwOnThrottle?: boolean;
}

/** Whether `url` is on the ARM endpoint's origin (an unparsable URL is left to the guard, which refuses it). */
function onEndpoint(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return true;
  }
}

/**
 * Client options for an estate ARM SDK client: the session's guarded options, every request bound to `signal` and
 * pinned to the ARM endpoint before the guard (see the module comment), with `hooks`.
 */
export function estateClientOptions(
  session: ArmSession,
  signal: AbortSignal,
  hooks: EstateRequestHooks = {},
): GuardedOptions {
  const guarded = session.guardedClientOptions;
  const origin = new URL(session.armEndpoint).origin;
  const httpClient: HttpClient = {
    async sendRequest(request) {
      if (!onEndpoint(request.url, origin)) throw new OffEndpointError(session.armEndpoint);
      let response: PipelineResponse;
      try {
        response = await guarded.httpClient.sendRequest(request);
      } catch (error) {
        // A request the guard refused was never sent; any other failure happened on the way (it counts).
        if (!isBaselineViolationError(error)) hooks.onSent?.();
        throw error;
      }
      hooks.onSent?.();
      if (response.status === 429 && hooks.throwOnThrottle === true) throw new ThrottledError(response);
      return response;
    },
  };
  return { ...guarded, httpClient, additionalPolicies: armRequestPolicies(signal) };
}

/** A secret-free reason for a failed ARM read: {@link OffEndpointError}'s own, else posture's description. */
export function describeEstateError(error: unknown): string {
  return error instanceof OffEndpointError ? error.message : describeArmError(error);
}
