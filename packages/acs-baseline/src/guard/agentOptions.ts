/**
 * IM-1 / DP-3 for HTTP agents: an agent's `options` are spread over every request it carries (Node's
 * `Agent.addRequest`), after the request's own host and port — so `host`, `port`, `socketPath` or `lookup` in them
 * decide where the socket goes, whatever URL the guard checked. Such agents are refused, and the agent a client is
 * configured with is sealed: verification forced on and its options frozen, so no policy can change them later.
 * Its requests are carried by a private twin ({@link carrierOf}): the agent object itself is reachable from every
 * policy (`request.agent`), which could give it a `createConnection` of its own or slip a socket into its pool.
 */
import { Agent as HttpsAgent } from "node:https";
import { BaselineViolationError } from "../errors.js";
import { comparableHostname } from "./endpoint.js";
import {
  SafeMap,
  SafeWeakMap,
  arrayIncludes,
  defineOwn,
  freezeObject,
  isFrozen,
  objectKeys,
  reflectApply,
  reflectGet,
  toNumber,
  toText,
} from "./builtins.js";
import {
  AGENT_METHODS,
  agentClassChanged,
  keyName,
  pollutedConnectionOption,
  tamperedConnection,
} from "./sharedPrototypes.js";

/** Agent options that decide where a connection goes. */
const DESTINATION_KEYS = ["host", "hostname", "port", "socketPath", "path", "lookup", "createConnection"];

/** Why `agent`'s options send its connections somewhere of their own choosing, or undefined. */
export function agentDestinationReason(agent: unknown, what = "agent"): string | undefined {
  if (typeof agent !== "object" || agent === null) return undefined;
  const options = (agent as { options?: unknown }).options;
  if (typeof options !== "object" || options === null) return undefined;
  for (let i = 0; i < DESTINATION_KEYS.length; i++) {
    const key = DESTINATION_KEYS[i];
    const value = (options as Record<string, unknown>)[key];
    // Node's Agent sets `path: null` itself.
    if (value !== undefined && value !== null)
      return `${what} sets "${key}" in its options, which decides where its sockets connect whatever the request's URL says`;
  }
  return undefined;
}

/**
 * Where a carrier may connect: the host and port the guard checked the request for. A carrier serves one destination
 * and refuses to open a connection anywhere else, whatever the HTTP client made of the URL after the check (it reads
 * the global `URL`, which code in the process can replace).
 */
export interface CarrierDestination {
  readonly hostname: string;
  readonly port: number;
}

/** A destination's key in the carrier tables ("" for none: a carrier that checks no destination). */
const destinationKeys: WeakMap<object, string> = new SafeWeakMap();
function destinationKey(destination: CarrierDestination | undefined): string {
  if (destination === undefined) return "";
  let key = destinationKeys.get(destination);
  if (key === undefined) {
    key = destinationName(destination.hostname, destination.port);
    destinationKeys.set(destination, key);
  }
  return key;
}

/** Sealed agent → its settings as sealed, and the agents that carry its requests, one per destination. */
const carriers: WeakMap<object, { settings: Record<string, unknown>; twins: Map<string, HttpsAgent> }> =
  new SafeWeakMap();

/** Settings an agent reads from itself (set from its options, or changed on the agent after it was built). */
const AGENT_SETTINGS = ["keepAlive", "keepAliveMsecs", "maxSockets", "maxFreeSockets", "maxTotalSockets", "scheduling"];

/**
 * A new https.Agent with `agent`'s (frozen) options and settings: the same connections, in a pool nobody else sees.
 * Its options are frozen and its connection methods pinned, in case a reference to it escapes after all.
 */
function twinSettings(agent: object, options: object): Record<string, unknown> {
  const settings: Record<string, unknown> = { ...options };
  for (let i = 0; i < AGENT_SETTINGS.length; i++) {
    const key = AGENT_SETTINGS[i];
    const value = (agent as Record<string, unknown>)[key];
    if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") settings[key] = value;
  }
  return settings;
}

/** Requests without an agent: their carrier by sealed TLS settings, with keep-alive and without, by destination. */
const defaultCarriers: WeakMap<object, { keepAlive: Map<string, HttpsAgent>; close: Map<string, HttpsAgent> }> =
  new SafeWeakMap();

/**
 * The carrier of an https request that has no agent of its own, for its sealed TLS settings (what the HTTP client
 * would otherwise take from a pool of its own that Node's request objects expose: a streamed response's `req.agent`).
 */
export function defaultCarrier(
  tlsSettings: object,
  disableKeepAlive: boolean | undefined,
  destination?: CarrierDestination,
): HttpsAgent {
  let entry = defaultCarriers.get(tlsSettings);
  if (entry === undefined) {
    entry = { keepAlive: new SafeMap<string, HttpsAgent>(), close: new SafeMap<string, HttpsAgent>() };
    defaultCarriers.set(tlsSettings, entry);
  }
  const keepAlive = disableKeepAlive !== true;
  const byDestination = keepAlive ? entry.keepAlive : entry.close;
  const key = destinationKey(destination);
  let carrier = byDestination.get(key);
  if (carrier === undefined) {
    carrier = hardenedAgent({ keepAlive, ...tlsSettings }, destination);
    byDestination.set(key, carrier);
  }
  return carrier;
}

/** The name of a destination as connections are compared with it: its host name as the guard compares it, and port. */
export const destinationName = (hostname: string, port: number): string => `${comparableHostname(hostname)}|${port}`;

/**
 * Where Node's options for a new connection (or agent-base's for a tunnel) go, as {@link destinationName}; undefined
 * when they cannot be told or would verify another name: a host that is not a string, a port that is not its plain
 * decimal spelling ("3.6899e4" reads as another port elsewhere; https-proxy-agent writes it into CONNECT as given), or
 * a `servername` other than the host (Node takes it from the request's Host header when nothing set it, so a policy's
 * `Host: other.example` would have any certificate for that name accepted on the connection).
 */
export function connectionName(options: unknown): string | undefined {
  if (typeof options !== "object" || options === null) return undefined;
  const { host, port, servername } = options as { host?: unknown; port?: unknown; servername?: unknown };
  if (typeof host !== "string") return undefined;
  const digits = toText(port ?? 443);
  const number = toNumber(digits);
  if (toText(number) !== digits) return undefined;
  if (servername !== undefined && servername !== "") {
    if (typeof servername !== "string" || comparableHostname(servername) !== comparableHostname(host)) return undefined;
  }
  return destinationName(host, number);
}

/** Whether Node's options for a new connection go to `destination` and verify its name ({@link connectionName}). */
function goesTo(options: unknown, destination: CarrierDestination): boolean {
  const name = connectionName(options);
  return name !== undefined && name === destinationKey(destination);
}

/** The refusal of a connection to another host or port than the one the guard checked the request for. */
const movedConnection = (): BaselineViolationError =>
  new BaselineViolationError(
    "KEY_AUTH_BLOCKED",
    "The request guard refused to open a connection to another host or port, or with another certificate name, than the one it checked the request for: a Host header naming another host, or code in the process that changed how the HTTP client reads the URL after the check (a replaced global URL, for example). Nothing was sent.",
  );

/** Where a connection goes, as Node's options for it say. */
interface Destination {
  host?: unknown;
  port?: unknown;
}

const sameDestination = (a: Destination, b: Destination | undefined): boolean =>
  b !== undefined && toText(a.host) === toText(b.host) && toText(a.port) === toText(b.port);

/**
 * The refusal when a carrier is about to reuse an idle socket it did not connect itself: code that reaches the
 * carrier anyway (through Node's request objects: a streamed response's `req`, an upload-progress callback's stream)
 * could put a socket of its own in its pool, plain TCP to anywhere, and the next request would be written to it.
 */
const foreignSocket = (): BaselineViolationError =>
  new BaselineViolationError(
    "KEY_AUTH_BLOCKED",
    "The request guard blocked a request because its connection pool held a socket the guard did not open (code in the process put it there); the socket was dropped and nothing was written to it.",
  );

/**
 * An https.Agent with frozen options, pinned connection methods, and a pool from which only its own sockets are
 * reused ({@link guardPool}).
 */
function hardenedAgent(settings: Record<string, unknown>, destination?: CarrierDestination): HttpsAgent {
  // Node's Agent constructor and connection code call the class's methods on the agent: one replaced on the shared
  // prototype (which a policy reaches through any agent) would run for this one too.
  const changed = agentClassChanged();
  if (changed !== undefined) throw tamperedConnection(`${changed}, which Node's agents call, was replaced`);
  settings.rejectUnauthorized ??= true;
  const twin = new HttpsAgent(settings);
  freezeObject(twin.options);
  // The class's methods as they were when acs-baseline was loaded, own and fixed on the twin (guardPool wraps four).
  const names = objectKeys(AGENT_METHODS);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (!arrayIncludes(WRAPPED, name))
      defineOwn(twin, name, { value: AGENT_METHODS[name], writable: false, configurable: false, enumerable: false });
  }
  guardPool(twin, AGENT_METHODS, [], destination);
  return twin;
}

/** The members {@link guardPool} fixes on an agent: its pools, queue and settings. */
const POOL_MEMBERS: readonly string[] = ["freeSockets", "sockets", "requests", ...AGENT_SETTINGS];

/** The methods {@link guardPool} wraps. */
const WRAPPED = ["createConnection", "addRequest", "reuseSocket", "emit"];

type AgentMethod = (this: object, ...args: unknown[]) => unknown;

/**
 * Guards the pool of `agent`, whose connection methods are `base`'s (its class's own): only sockets it connected are
 * ever reused, and only for the host and port they were connected to (Node's `addRequest` hands every idle socket it
 * takes from the pool to `reuseSocket` before writing to it, which refuses any other: the request fails, the socket
 * has left the pool); a `free` event (Node's handler gives the freed socket to a queued request, no `reuseSocket` on
 * that path) is heard only for such a socket with the options Node connected it with; `quiet` events reach no
 * listener; the pools, queues and limits cannot be swapped or changed (a `maxSockets` of 0 would queue every request).
 */
export function guardPool(
  agent: object,
  base: Readonly<Record<string, unknown>>,
  quiet: readonly string[] = [],
  destination?: CarrierDestination,
): void {
  // Reflect.apply as captured at load (builtins.ts): a policy that replaces Function.prototype.apply or call does not
  // get to run in place of Node's connection code.
  const call = (name: string, self: object, args: unknown[]): unknown =>
    reflectApply(base[name] as AgentMethod, self, args);
  // Every socket it connects, with the options object Node connected it with (and later frees it with).
  const own: WeakMap<object, Destination> = new SafeWeakMap();
  // The options of the request Node is placing (addRequest hands a reused socket to reuseSocket synchronously).
  let placing: Destination | undefined;
  const methods: Record<string, AgentMethod> = {
    createConnection(...args) {
      // Node spreads the connection options into plain objects: an option given to Object.prototype would be read.
      const polluted = pollutedConnectionOption();
      const refused =
        polluted !== undefined
          ? tamperedConnection(`Object.prototype was given ${keyName(polluted)}`)
          : destination !== undefined && !goesTo(args[0], destination)
            ? movedConnection()
            : undefined;
      if (refused !== undefined) {
        const done = args[args.length - 1];
        if (typeof done !== "function") throw refused;
        (done as (error: Error) => void)(refused);
        return undefined;
      }
      const socket = call("createConnection", this, args);
      if (typeof socket === "object" && socket !== null) own.set(socket, args[0] as Destination);
      return socket;
    },
    addRequest(request, options, port, localAddress) {
      placing = typeof options === "object" && options !== null ? options : undefined;
      return reflectApply(base.addRequest as AgentMethod, this, [request, options, port, localAddress]);
    },
    reuseSocket(socket, request) {
      const created = typeof socket === "object" && socket !== null ? own.get(socket) : undefined;
      if (created === undefined || !sameDestination(created, placing)) throw foreignSocket();
      return reflectApply(base.reuseSocket as AgentMethod, this, [socket, request]);
    },
    emit(event, ...args) {
      if (typeof event === "string" && arrayIncludes(quiet, event)) return false;
      if (event === "free" && (typeof args[0] !== "object" || args[0] === null || own.get(args[0]) !== args[1]))
        return false;
      return call("emit", this, [event, ...args]);
    },
  };
  const names = objectKeys(methods);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    defineOwn(agent, name, { value: methods[name], writable: false, configurable: false, enumerable: false });
  }
  for (let i = 0; i < POOL_MEMBERS.length; i++) {
    const key = POOL_MEMBERS[i];
    defineOwn(agent, key, { value: reflectGet(agent, key) as unknown, writable: false, configurable: false });
  }
}

/**
 * The private agent that carries the requests of a sealed agent ({@link sealAgent}), or undefined for any other
 * agent. It is never handed to the SDK or to a policy: the guard swaps it in after its checks, on the copy it sends.
 */
export function carrierOf(agent: unknown, destination?: CarrierDestination): HttpsAgent | undefined {
  const sealed = typeof agent === "object" && agent !== null ? carriers.get(agent) : undefined;
  if (sealed === undefined) return undefined;
  const key = destinationKey(destination);
  let twin = sealed.twins.get(key);
  if (twin === undefined) {
    twin = hardenedAgent({ ...sealed.settings }, destination);
    sealed.twins.set(key, twin);
  }
  return twin;
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
  if (!isFrozen(options)) {
    if ((options as Record<string, unknown>).rejectUnauthorized === undefined)
      (options as Record<string, unknown>).rejectUnauthorized = true;
    freezeObject(options);
  }
  // The settings as sealed now; its carriers are made from them, one per destination, when first needed.
  const settings = twinSettings(agent, options);
  carriers.set(agent, { settings, twins: new SafeMap<string, HttpsAgent>() });
  carrierOf(agent);
}
