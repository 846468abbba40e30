/**
 * IM-1 / DP-3 for client options: a caller-supplied HttpClient, or an agent that is not a plain `https.Agent`, is
 * refused (CUSTOM_TRANSPORT_REFUSED) unless explicitly allowed, and TLS verification must stay on
 * (TLS_VERIFICATION_DISABLED). One rule for every place that builds a credential or SDK client from caller options:
 * the factory, its `createClient`, and `checkPosture`.
 */
import { Agent as HttpsAgent } from "node:https";
import { types } from "node:util";
import type { CommonClientOptions } from "@azure/core-client";
import { BaselineViolationError } from "../errors.js";
import { agentDestinationReason, sealAgent } from "./agentOptions.js";
import { assertTlsVerification } from "./tlsVerification.js";

const AGENT_METHODS = [
  "createConnection",
  "addRequest",
  "createSocket",
  "getName",
  "keepSocketAlive",
  "reuseSocket",
  "destroy",
];

/**
 * True for an instance of node:https Agent itself (not a subclass, not a Proxy: its traps could answer the checks with
 * one `createConnection` and the HTTP client with another) whose connection methods are not replaced.
 */
export function isStockHttpsAgent(agent: unknown): boolean {
  if (typeof agent !== "object" || agent === null || types.isProxy(agent)) return false;
  if (Object.getPrototypeOf(agent) !== HttpsAgent.prototype) return false;
  if (AGENT_METHODS.some((name) => Object.prototype.hasOwnProperty.call(agent, name))) return false;
  return hasPlainOptions(agent);
}

/**
 * Node gives every agent its own plain `options` object of data members. An accessor (on the agent, or in the
 * options) or a Proxy could answer the checks with one value and the agent's connections with another.
 */
function hasPlainOptions(agent: object): boolean {
  const own = Object.getOwnPropertyDescriptor(agent, "options");
  if (own === undefined || !("value" in own)) return false;
  const options: unknown = own.value;
  if (typeof options !== "object" || options === null || types.isProxy(options)) return false;
  return Object.values(Object.getOwnPropertyDescriptors(options)).every((d) => "value" in d);
}

/**
 * Refuses a caller-supplied HttpClient or a non-stock agent (unless allowed), an agent whose options choose where it
 * connects (always), and options that switch TLS verification off; then seals a plain https.Agent (see
 * {@link sealAgent}).
 * @throws BaselineViolationError CUSTOM_TRANSPORT_REFUSED, TLS_VERIFICATION_DISABLED
 */
export function checkTransportOptions(
  options: CommonClientOptions | undefined,
  prefix: string,
  allowCustomHttpClient: boolean,
): void {
  if (options !== undefined && options !== null && options.httpClient !== undefined && !allowCustomHttpClient) {
    throw new BaselineViolationError(
      "CUSTOM_TRANSPORT_REFUSED",
      `${prefix}.httpClient is set. A caller-supplied HttpClient runs after the request guard and could rewrite the URL or the Authorization header, so it is refused. Remove it (proxy and TLS settings have their own options), or set allowCustomHttpClient: true to accept the risk (each use is audited).`,
    );
  }
  if (
    options !== undefined &&
    options !== null &&
    options.agent !== undefined &&
    !allowCustomHttpClient &&
    !isStockHttpsAgent(options.agent)
  ) {
    throw new BaselineViolationError(
      "CUSTOM_TRANSPORT_REFUSED",
      `${prefix}.agent is not a plain https.Agent. An agent decides where the socket goes and whether it speaks TLS, so only node:https Agents (any options that keep verification on) are accepted. Use proxyOptions for a proxy, or set allowCustomHttpClient: true to accept the risk (each use is audited).`,
    );
  }
  const destination =
    options !== undefined && options !== null ? agentDestinationReason(options.agent, `${prefix}.agent`) : undefined;
  if (destination !== undefined) {
    throw new BaselineViolationError(
      "CUSTOM_TRANSPORT_REFUSED",
      `${destination.replace(/^./, (c) => c.toUpperCase())}, so requests (and the credential's token requests) could go to another server than the checked endpoint or authority. Remove it: the endpoint decides where ACS requests go, proxyOptions sets a proxy.`,
    );
  }
  assertTlsVerification(options, prefix);
  if (options !== undefined && options !== null && options.agent !== undefined && isStockHttpsAgent(options.agent))
    sealAgent(options.agent);
}
