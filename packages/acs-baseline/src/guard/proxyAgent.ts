/**
 * Which agents may carry a client's requests, and the one agent a proxy brings: the pipeline's proxy policy installs
 * `https-proxy-agent`'s `HttpsProxyAgent`, and the request guard lets only that class through when a proxy is
 * configured (any other agent a policy puts on a request decides where its socket goes and whether it speaks TLS).
 */
import { createRequire } from "node:module";
import { types } from "node:util";
import { nodeRequire } from "../nodeRequire.js";
import { connectionName, destinationName, guardPool } from "./agentOptions.js";
import { BaselineViolationError } from "../errors.js";
import { keyName, pollutedConnectionOption, tamperedConnection } from "./sharedPrototypes.js";
import {
  SafeSet,
  SafeURL,
  SafeWeakMap,
  SafeWeakSet,
  defineOwn,
  freezeObject,
  getPrototype,
  hostnameOf,
  jsonStringify,
  ownDescriptor,
  portOf,
  protocolOf,
  reflectApply,
  reflectGet,
  reflectOwnKeys,
  slice,
  startsWith,
  endsWith,
  toNumber,
  toText,
} from "./builtins.js";

/**
 * Which agents may carry a client's requests: the one configured in its options (checked at construction), and —
 * only when a proxy was configured when the client was built ({@link proxyConfigured}) — the proxy agent the
 * pipeline's proxy policy installs. Any other agent was put on the request by a policy and is refused: an agent
 * decides where the socket goes and whether it speaks TLS.
 */
export interface AgentAllowance {
  agent?: unknown;
  proxy?: boolean;
}

const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];

/**
 * Whether requests of a client built now go through a proxy: `proxyOptions`, or a proxy variable in the environment
 * now (the pipeline's proxy policy reads them when the client is built, so one set later does not make a proxy agent
 * legitimate).
 */
export function proxyConfigured(proxyOptions: unknown, env: NodeJS.ProcessEnv = process.env): boolean {
  const configured = proxyOptions !== undefined || PROXY_VARIABLES.some((name) => (env[name] ?? "").length > 0);
  // The proxy agent class's methods are read now, while the client is built and before any policy of it has run.
  if (configured) httpsProxyAgentPrototypes();
  return configured;
}

/** Whether `agent` may carry a request under `allowance`. */
export function agentAllowed(agent: unknown, allowance: AgentAllowance | undefined): boolean {
  if (allowance?.agent !== undefined && agent === allowance.agent) return true;
  return allowance?.proxy === true && isProxyPolicyAgent(agent, httpsProxyAgentPrototypes());
}

/**
 * The packages whose pipelines the guard sits on: the clients' own `@azure/core-rest-pipeline`, and the one each
 * management and storage SDK builds its pipeline with (through `@azure/core-client` where it is in between).
 */
const PIPELINE_ROOTS = [
  [],
  ["@azure/core-client"],
  ["@azure/storage-blob"],
  ["@azure/storage-blob", "@azure/core-client"],
  ["@azure/arm-communication", "@azure/core-client"],
  ["@azure/arm-authorization", "@azure/core-client"],
  ["@azure/arm-monitor", "@azure/core-client"],
  ["@azure/arm-resourcegraph", "@azure/core-client"],
];

let prototypes: ReadonlySet<object> | undefined;
/**
 * The methods the proxy agent's class chain answers with, read when the class was first resolved (a policy reaches
 * the class's prototype through `request.agent` and could replace them there, for every client at once).
 */
const CLASS_METHODS = [
  "connect",
  "createConnection",
  "createSocket",
  "addRequest",
  "reuseSocket",
  "emit",
  "getName",
  "isSecureEndpoint",
  "keepSocketAlive",
  "removeSocket",
];
const classMethods: WeakMap<object, Readonly<Record<string, unknown>>> = new SafeWeakMap();
/**
 * The prototypes of `HttpsProxyAgent` as each pipeline's proxy policy loads it (`@azure/core-rest-pipeline` →
 * `@typespec/ts-http-runtime` → `https-proxy-agent`, from each of {@link PIPELINE_ROOTS} that resolves from here),
 * resolved once. Usually one class; more only when npm installed more than one copy.
 */
export function httpsProxyAgentPrototypes(): ReadonlySet<object> {
  if (prototypes !== undefined) return prototypes;
  const found: Set<object> = new SafeSet();
  for (const chain of PIPELINE_ROOTS) {
    const proto = resolvePrototype([...chain, "@azure/core-rest-pipeline", "@typespec/ts-http-runtime"]);
    if (proto === undefined) continue;
    found.add(proto);
    if (!classMethods.has(proto)) {
      classMethods.set(proto, Object.fromEntries(CLASS_METHODS.map((name) => [name, Reflect.get(proto, name)])));
    }
  }
  prototypes = found;
  return found;
}

/** `HttpsProxyAgent.prototype` as loaded at the end of `chain` (each package resolved from the one before). */
function resolvePrototype(chain: readonly string[]): object | undefined {
  try {
    let require: NodeJS.Require = nodeRequire;
    for (const name of chain) require = createRequire(require.resolve(name));
    const loaded = require("https-proxy-agent") as { HttpsProxyAgent?: { prototype?: unknown } };
    const proto = loaded.HttpsProxyAgent?.prototype;
    return typeof proto === "object" && proto !== null ? proto : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Methods of a proxy agent that decide where its sockets go and whether they speak TLS (agent-base asks
 * `isSecureEndpoint` whether to start TLS after CONNECT): pinned to the class's own on an agent the guard lets through.
 */
const PINNED_METHODS = ["isSecureEndpoint", "getName", "keepSocketAlive", "removeSocket"];

/** Proxy agents already pinned (the proxy policy keeps one per client). */
const pinned: WeakSet<object> = new SafeWeakSet();

/** Per pinned proxy agent: the destinations (`host|port`) the guard checked requests for. */
const checkedDestinations: WeakMap<object, Set<string>> = new SafeWeakMap();

/**
 * Records that the guard checked a request carried by the pinned proxy agent `agent` for `destination`: its tunnels
 * may go there (and to no destination it was not checked for). Any other agent is left alone.
 */
export function allowProxyDestination(agent: unknown, destination: { hostname: string; port: number }): void {
  if (typeof agent !== "object" || agent === null || !pinned.has(agent)) return;
  let known = checkedDestinations.get(agent);
  if (known === undefined) {
    known = new SafeSet<string>();
    checkedDestinations.set(agent, known);
  }
  known.add(destinationName(destination.hostname, destination.port));
}

/**
 * Whether agent-base's options for a tunnel go to a destination the guard checked for this agent, and verify its name
 * (see `connectionName`).
 */
function checkedDestination(agent: object, options: unknown): boolean {
  const name = connectionName(options);
  return name !== undefined && checkedDestinations.get(agent)?.has(name) === true;
}

const movedTunnel = (): BaselineViolationError =>
  new BaselineViolationError(
    "KEY_AUTH_BLOCKED",
    "The request guard blocked a request because the proxy tunnel would go to another host or port, or check another certificate name, than the one it checked the request for: a Host header naming another host, or code in the process that changed how the HTTP client reads the URL after the check (a replaced global URL, for example). Nothing was sent.",
  );

/**
 * The agent the pipeline's proxy policy installs for https (`https-proxy-agent`'s `HttpsProxyAgent`, which tunnels
 * with CONNECT and verifies TLS to the target itself): an instance of exactly one of the `expected` classes (a class
 * of that name only when none could be resolved), not a Proxy, no method or accessor of its own, TLS after CONNECT;
 * once let through, its methods and options are pinned ({@link pin}).
 */
export function isProxyPolicyAgent(agent: unknown, expected: ReadonlySet<object>): boolean {
  if (typeof agent !== "object" || agent === null || types.isProxy(agent)) return false;
  const proto: unknown = getPrototype(agent);
  if (typeof proto !== "object" || proto === null) return false;
  if (expected.size > 0 ? !expected.has(proto) : proto.constructor.name !== "HttpsProxyAgent") return false;
  if (pinned.has(agent)) return true;
  if (hasOwnBehaviour(agent) || !poolUntouched(agent)) return false;
  // Its class's methods as they were read (none replaced on a prototype since): those are what get pinned.
  const methods = classMethods.get(proto);
  if (expected.size > 0 && (methods === undefined || classMethodReplaced(agent, methods))) return false;
  // agent-base spreads the agent's options over the request's and skips TLS after CONNECT when they say so.
  const options = (agent as { options?: { secureEndpoint?: unknown; protocol?: unknown } }).options;
  const keepsTls =
    options === undefined ||
    ((options.secureEndpoint === undefined || options.secureEndpoint === true) &&
      (options.protocol === undefined || options.protocol === "https:"));
  return keepsTls && pin(agent);
}

/** Whether one of {@link CLASS_METHODS} on `agent` is not the class's own as read at load (an indexed loop). */
function classMethodReplaced(agent: object, methods: Readonly<Record<string, unknown>>): boolean {
  for (let i = 0; i < CLASS_METHODS.length; i++) {
    const name = CLASS_METHODS[i];
    if (reflectGet(agent, name) !== methods[name]) return true;
  }
  return false;
}

/**
 * Its pools and queues as Node makes them (plain objects without a prototype) and its limits positive: a policy that
 * reached the agent before it was pinned (a queue forced by `maxSockets = 0`, a pool swapped for a Proxy) is refused.
 */
function poolUntouched(agent: object): boolean {
  for (let i = 0; i < POOLS.length; i++) {
    const value: unknown = reflectGet(agent, POOLS[i]);
    if (typeof value !== "object" || value === null || types.isProxy(value) || getPrototype(value) !== null)
      return false;
  }
  for (let i = 0; i < LIMITS.length; i++) {
    const value: unknown = reflectGet(agent, LIMITS[i]);
    if (!(typeof value === "number" && value > 0)) return false;
  }
  return true;
}

const POOLS = ["freeSockets", "sockets", "requests"];
const LIMITS = ["maxSockets", "maxFreeSockets", "maxTotalSockets"];

type AgentMethod = (this: object, ...args: unknown[]) => unknown;

/** Where an https-proxy-agent sends CONNECT, as read when it was pinned. */
function tunnelOf(agent: Record<string, unknown>): string {
  const proxy = agent.proxy as { href?: unknown } | undefined;
  const opts = agent.connectOpts as Record<string, unknown> | undefined;
  return jsonStringify([toText(proxy?.href), opts?.host, opts?.port, opts?.servername, typeof agent.proxyHeaders]);
}

/**
 * Pins `connect` to the class's own, refusing to run once the proxy, its connect options or its headers kind changed
 * (CONNECT elsewhere, or in clear text), and returns a `createConnection` that hands Node only a socket `connect`
 * made: agent-base passes the socket through an internal state object a policy could give an accessor.
 */
function pinConnect(agent: object, connect: AgentMethod, createConnection: AgentMethod): AgentMethod {
  const target = agent as Record<string, unknown>;
  if (!tunnelMatchesProxy(target)) throw tamperedProxy();
  const tunnel = tunnelOf(target);
  const made: WeakSet<object> = new SafeWeakSet();
  for (let i = 0; i < TUNNEL_MEMBERS.length; i++) {
    const key = TUNNEL_MEMBERS[i];
    const value = target[key];
    // Its connect options and headers frozen too: a member added (`path`, `lookup`) would move the tunnel.
    if (key !== "proxy" && typeof value === "object" && value !== null) freezeObject(value);
    defineOwn(agent, key, { value, writable: false, configurable: false });
  }
  const pinned = async function (this: object, ...args: unknown[]): Promise<unknown> {
    if (tunnelOf(this as Record<string, unknown>) !== tunnel) throw tamperedProxy();
    // https-proxy-agent's net/tls.connect read options nobody set from Object.prototype.
    const polluted = pollutedConnectionOption();
    if (polluted !== undefined) throw tamperedConnection(`Object.prototype was given ${keyName(polluted)}`);
    // The tunnel's target must be one the guard checked a request of this agent for (the SDK's HTTP client reads the
    // URL again with the global URL, which code in the process can replace).
    if (!checkedDestination(this, args[1])) throw movedTunnel();
    const socket = await reflectApply(connect, this, args);
    if (typeof socket === "object" && socket !== null) made.add(socket);
    return socket;
  };
  defineOwn(agent, "connect", { value: pinned, writable: false, configurable: false, enumerable: false });
  // agent-base's createSocket ends in `super.createSocket`, looked up on http.Agent.prototype at every call (where a
  // policy can reach it): whatever that gives the request must be a socket `connect` made.
  const createSocket = target.createSocket as AgentMethod;
  const checkedCreateSocket = function (this: object, request: unknown, options: unknown, done: unknown): unknown {
    if (typeof done !== "function") throw tamperedProxy();
    const callback = done as (error: Error | null, socket?: unknown) => void;
    return reflectApply(createSocket, this, [
      request,
      options,
      (error: Error | null, socket?: unknown) => {
        if (error === null && (typeof socket !== "object" || socket === null || !made.has(socket)))
          callback(tamperedProxy());
        else callback(error, socket);
      },
    ]);
  };
  defineOwn(agent, "createSocket", {
    value: checkedCreateSocket,
    writable: false,
    configurable: false,
    enumerable: false,
  });
  return function (this: object, ...args: unknown[]): unknown {
    const socket = reflectApply(createConnection, this, args);
    if (typeof socket === "object" && socket !== null && made.has(socket)) return socket;
    // Refused through Node's callback (the request fails with it): agent-base calls this inside a promise reaction
    // that nothing catches, where a throw would be an unhandled rejection.
    const done = args[1];
    if (typeof done !== "function") throw tamperedProxy();
    (done as (error: Error) => void)(tamperedProxy());
    return undefined;
  };
}

/**
 * Whether the agent's connect options go where its proxy URL says (https-proxy-agent builds them from it): a policy
 * that reached the agent before it was first let through could have moved them, and they are pinned as they are.
 */
function tunnelMatchesProxy(agent: Record<string, unknown>): boolean {
  const proxy = agent.proxy;
  const opts = agent.connectOpts as Record<string, unknown> | undefined;
  if (!(proxy instanceof SafeURL) || typeof opts !== "object" || opts === null) return false;
  for (let i = 0; i < MOVING_OPTIONS.length; i++) if (opts[MOVING_OPTIONS[i]] !== undefined) return false;
  let host = hostnameOf(proxy);
  if (startsWith(host, "[") && endsWith(host, "]")) host = slice(host, 1, host.length - 1);
  const declared = portOf(proxy);
  const port = declared !== "" ? toNumber(declared) : protocolOf(proxy) === "https:" ? 443 : 80;
  return toText(opts.host) === host && toNumber(opts.port) === port;
}

/** Connect options that would move a tunnel off its proxy's host and port. */
const MOVING_OPTIONS = ["path", "socketPath", "lookup", "fd", "socket"];
/** The members of a proxy agent that say where its tunnel goes, fixed when it is pinned. */
const TUNNEL_MEMBERS = ["proxy", "connectOpts", "proxyHeaders"];

const tamperedProxy = (): BaselineViolationError =>
  new BaselineViolationError(
    "KEY_AUTH_BLOCKED",
    "The request guard blocked a request because the proxy agent was changed after it was let through (its tunnel, or the socket it hands over), so the request could leave without TLS to the endpoint.",
  );

/** An own method or accessor (a policy's code, where the class's own should answer), or options that are not plain. */
function hasOwnBehaviour(agent: object): boolean {
  const keys = reflectOwnKeys(agent);
  for (let i = 0; i < keys.length; i++) {
    const descriptor = ownDescriptor(agent, keys[i] as PropertyKey);
    if (descriptor === undefined || !("value" in descriptor) || typeof descriptor.value === "function") return true;
  }
  const options: unknown = (agent as { options?: unknown }).options;
  return options !== undefined && (typeof options !== "object" || options === null || types.isProxy(options));
}

/**
 * Pins what the checks read, so that code running after the check (a body factory, a policy of a later request)
 * cannot change it: the socket and TLS methods to the class's own, and the options frozen. False when that fails.
 */
function pin(agent: object): boolean {
  try {
    const target = agent as Record<string, unknown>;
    for (let i = 0; i < PINNED_METHODS.length; i++) {
      const name = PINNED_METHODS[i];
      const value = target[name];
      if (typeof value === "function")
        defineOwn(agent, name, { value, writable: false, configurable: false, enumerable: false });
    }
    // Its pool as the guard's own agents' (a policy reaches this agent through `request.agent`): only its own sockets
    // reused, a `free` only for them, pools, queues and limits fixed. After CONNECT, https-proxy-agent emits
    // `proxyConnect` with the HTTP client's request, whose headers are not yet written: no listener a policy added
    // hears it (nothing of the pipeline listens).
    const base: Record<string, unknown> = {
      createConnection: target.createConnection,
      addRequest: target.addRequest,
      reuseSocket: target.reuseSocket,
      emit: target.emit,
    };
    base.createConnection = pinConnect(agent, target.connect as AgentMethod, base.createConnection as AgentMethod);
    guardPool(agent, base, ["proxyConnect"]);
    const options = target.options;
    if (options !== undefined) {
      freezeObject(options);
      defineOwn(agent, "options", { value: options, writable: false, configurable: false });
    }
    pinned.add(agent);
    return true;
  } catch {
    return false;
  }
}
