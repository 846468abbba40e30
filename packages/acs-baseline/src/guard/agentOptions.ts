/**
 * IM-1 / DP-3 for HTTP agents: an agent's `options` are spread over every request it carries (Node's
 * `Agent.addRequest`), after the request's own host and port — so `host`, `port`, `socketPath` or `lookup` in them
 * decide where the socket goes, whatever URL the guard checked. Such agents are refused, and the agent a client is
 * configured with is sealed: verification forced on and its options frozen, so no policy can change them later.
 * Its requests are carried by a private twin ({@link carrierOf}): the agent object itself is reachable from every
 * policy (`request.agent`), which could give it a `createConnection` of its own or slip a socket into its pool.
 */
import { Agent as HttpsAgent } from "node:https";
import type { PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";

/** Agent options that decide where a connection goes. */
const DESTINATION_KEYS = ["host", "hostname", "port", "socketPath", "path", "lookup", "createConnection"];

/** Why `agent`'s options send its connections somewhere of their own choosing, or undefined. */
export function agentDestinationReason(agent: unknown, what = "agent"): string | undefined {
  if (typeof agent !== "object" || agent === null) return undefined;
  const options = (agent as { options?: unknown }).options;
  if (typeof options !== "object" || options === null) return undefined;
  for (const key of DESTINATION_KEYS) {
    const value = (options as Record<string, unknown>)[key];
    // Node's Agent sets `path: null` itself.
    if (value !== undefined && value !== null)
      return `${what} sets "${key}" in its options, which decides where its sockets connect whatever the request's URL says`;
  }
  return undefined;
}

/** Sealed agent → the agent that carries its requests. */
const carriers = new WeakMap<object, HttpsAgent>();
/** Every carrier (see {@link isCarrier}). */
const carrierSet = new WeakSet<object>();

/** The connection methods of an agent, pinned on a carrier to the prototype's. */
const CARRIER_METHODS = ["createConnection", "addRequest", "createSocket", "getName", "keepSocketAlive", "reuseSocket"];

/** Settings an agent reads from itself (set from its options, or changed on the agent after it was built). */
const AGENT_SETTINGS = ["keepAlive", "keepAliveMsecs", "maxSockets", "maxFreeSockets", "maxTotalSockets", "scheduling"];

/**
 * A new https.Agent with `agent`'s (frozen) options and settings: the same connections, in a pool nobody else sees.
 * Its options are frozen and its connection methods pinned, in case a reference to it escapes after all.
 */
function twinOf(agent: object, options: object): HttpsAgent {
  const settings: Record<string, unknown> = { ...options };
  settings.rejectUnauthorized ??= true;
  for (const key of AGENT_SETTINGS) {
    const value = (agent as Record<string, unknown>)[key];
    if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") settings[key] = value;
  }
  const twin = new HttpsAgent(settings);
  Object.freeze(twin.options);
  const proto = HttpsAgent.prototype as unknown as Record<string, unknown>;
  for (const name of CARRIER_METHODS)
    Object.defineProperty(twin, name, { value: proto[name], writable: false, configurable: false, enumerable: false });
  carrierSet.add(twin);
  return twin;
}

/** True for a carrier ({@link carrierOf}): a request that carries one must not be handed back to the pipeline. */
export function isCarrier(agent: unknown): boolean {
  return typeof agent === "object" && agent !== null && carrierSet.has(agent);
}

/**
 * The private agent that carries the requests of a sealed agent ({@link sealAgent}), or undefined for any other
 * agent. It is never handed to the SDK or to a policy: the guard swaps it in after its checks, on the copy it sends.
 */
export function carrierOf(agent: unknown): HttpsAgent | undefined {
  return typeof agent === "object" && agent !== null ? carriers.get(agent) : undefined;
}

/**
 * Seals a configured agent: `rejectUnauthorized: true` unless it is set (so `NODE_TLS_REJECT_UNAUTHORIZED` set later
 * cannot weaken its connections) and its options frozen (so a policy cannot give it a port or switch verification
 * off afterwards), and gives it its carrier ({@link carrierOf}). Call only after the agent passed the checks, and
 * only for a plain https.Agent.
 */
export function sealAgent(agent: unknown): void {
  if (typeof agent !== "object" || agent === null || carriers.has(agent)) return;
  const options = (agent as { options?: unknown }).options;
  if (typeof options !== "object" || options === null) return;
  if (!Object.isFrozen(options)) {
    if ((options as Record<string, unknown>).rejectUnauthorized === undefined)
      (options as Record<string, unknown>).rejectUnauthorized = true;
    Object.freeze(options);
  }
  carriers.set(agent, twinOf(agent, options));
}

/**
 * The response (or error) of a sent copy that went with a carrier (see `carrierOf`), naming the caller's request
 * instead of the copy: the HTTP client returns the request it sent, whose agent is the carrier, and a policy must
 * never reach it. Other responses are passed on as they are.
 */
export function withoutCarrier(
  pending: Promise<PipelineResponse>,
  request: PipelineRequest,
  sent: PipelineRequest,
): Promise<PipelineResponse> {
  if (!isCarrier(sent.agent)) return pending;
  const name = (value: unknown): void => {
    const holder = value as { request?: unknown } | null;
    if (typeof holder === "object" && holder !== null && holder.request === sent) {
      try {
        holder.request = request;
      } catch {
        // a frozen error keeps its request: the carrier's options and methods are frozen too
      }
    }
  };
  return pending.then(
    (response) => {
      name(response);
      return response;
    },
    (error: unknown) => {
      name(error);
      throw error;
    },
  );
}
