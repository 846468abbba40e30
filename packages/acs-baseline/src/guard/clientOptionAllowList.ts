/**
 * IM-1: the factory's `clientOptions` reach the credential as well as every client, and some members of the upstream
 * option types move a token request (`enableAzureProxy` sends it to `AZURE_KUBERNETES_TOKEN_PROXY`; `authorityHost`,
 * `additionallyAllowedTenants`, `allowInsecureConnection` …). Only the members listed here are accepted; anything
 * else is refused at construction (CLIENT_OPTION_NOT_ALLOWED).
 */
import { BaselineViolationError } from "../errors.js";
import { scrubText } from "../text/scrub.js";

/** The `clientOptions` members the factory knows (core-client's pipeline options). @public */
export const ALLOWED_CLIENT_OPTIONS: readonly string[] = Object.freeze([
  "additionalPolicies",
  "agent",
  "clientRequestIdHeaderName",
  "httpClient",
  "loggingOptions",
  "proxyOptions",
  "redirectOptions",
  "retryOptions",
  "telemetryOptions",
  "tlsOptions",
  "userAgentOptions",
]);

/** A member name for a message: as written when identifier-like and left alone by the scrubber, else a placeholder. */
function memberName(key: string | symbol): string {
  return typeof key === "string" && /^[A-Za-z_$][\w$]{0,63}$/.test(key) && scrubText(key) === key
    ? `"${key}"`
    : "a member whose name is not shown";
}

/**
 * @throws BaselineViolationError CLIENT_OPTION_NOT_ALLOWED for a member outside {@link ALLOWED_CLIENT_OPTIONS}, and for
 *   `proxyOptions` together with `tlsOptions.ca` (the proxy agent upstream builds does not take the CA, so it would be
 *   silently ignored).
 */
export function assertClientOptionsAllowed(options: unknown, prefix: string): void {
  if (options === undefined || options === null || typeof options !== "object") return;
  for (const key of Reflect.ownKeys(options)) {
    if (typeof key === "string" && ALLOWED_CLIENT_OPTIONS.includes(key)) continue;
    throw new BaselineViolationError(
      "CLIENT_OPTION_NOT_ALLOWED",
      `${prefix} has ${memberName(key)}, which the factory does not accept: options outside its list (${ALLOWED_CLIENT_OPTIONS.join(", ")}) can move where a token request goes (enableAzureProxy, authorityHost, …) past the checks. Remove it; the factory's own options configure the authority and credential.`,
    );
  }
  const { proxyOptions, tlsOptions } = options as { proxyOptions?: unknown; tlsOptions?: { ca?: unknown } };
  if (proxyOptions !== undefined && tlsOptions !== undefined && tlsOptions !== null && tlsOptions.ca !== undefined) {
    throw new BaselineViolationError(
      "CLIENT_OPTION_NOT_ALLOWED",
      `${prefix} sets both proxyOptions and tlsOptions.ca. Upstream builds the proxy's agent without tlsOptions, so the custom CA would be silently ignored and TLS to the endpoint would fail or trust another CA than intended. Trust the CA process-wide with NODE_EXTRA_CA_CERTS instead, or drop the proxy.`,
    );
  }
}
