/**
 * IM-1 / DP-3 for HTTP agents: an agent's `options` are spread over every request it carries (Node's
 * `Agent.addRequest`), after the request's own host and port — so `host`, `port`, `socketPath` or `lookup` in them
 * decide where the socket goes, whatever URL the guard checked. Such agents are refused, and the agent a client is
 * configured with is sealed: verification forced on and its options frozen, so no policy can change them later.
 */

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

const sealed = new WeakSet<object>();

/**
 * Seals a configured agent: `rejectUnauthorized: true` unless it is set (so `NODE_TLS_REJECT_UNAUTHORIZED` set later
 * cannot weaken its connections) and its options frozen (so a policy cannot give it a port or switch verification
 * off afterwards). Call only after the agent passed the checks.
 */
export function sealAgent(agent: unknown): void {
  if (typeof agent !== "object" || agent === null || sealed.has(agent)) return;
  const options = (agent as { options?: unknown }).options;
  if (typeof options !== "object" || options === null) return;
  if (!Object.isFrozen(options)) {
    if ((options as Record<string, unknown>).rejectUnauthorized === undefined)
      (options as Record<string, unknown>).rejectUnauthorized = true;
    Object.freeze(options);
  }
  sealed.add(agent);
}
