/**
 * What the guard's agents read from objects every module in the process shares: the methods of Node's https.Agent
 * class, and members of `Object.prototype`. Node's connection code looks both up at every call: an agent method on
 * its class's prototype (`this.createConnection`, `this._getSession`), and every connection option on the options
 * object it builds by spreading (`{ ...options }`: an option nobody set is read from `Object.prototype`, where a
 * `socket`, `secureContext`, `session` or `lookup` of someone else's would move the connection and what it trusts).
 * A pipeline policy reaches both from the objects it is handed (`Object.getPrototypeOf`).
 */
import { EventEmitter } from "node:events";
import { Agent as HttpsAgent } from "node:https";
import { BaselineViolationError } from "../errors.js";
import { SafeSet, reflectGet, reflectOwnKeys } from "./builtins.js";

/** The https.Agent methods Node's agent code calls on the agent (and the event methods its constructor uses). */
const AGENT_METHOD_NAMES = [
  "createConnection",
  "addRequest",
  "reuseSocket",
  "createSocket",
  "getName",
  "keepSocketAlive",
  "removeSocket",
  "_getSession",
  "_cacheSession",
  "_evictSession",
  "emit",
  "on",
  "addListener",
  "prependListener",
  "once",
  "removeListener",
  "off",
] as const;

type AgentMethod = (this: object, ...args: unknown[]) => unknown;

/** The class's methods as they were when acs-baseline was loaded, before any policy could run. */
export const AGENT_METHODS: Readonly<Record<string, AgentMethod>> = Object.freeze(
  Object.fromEntries(AGENT_METHOD_NAMES.map((name) => [name, Reflect.get(HttpsAgent.prototype, name) as AgentMethod])),
);

/**
 * The method of Node's https.Agent class (or of EventEmitter, which it inherits) replaced since acs-baseline was
 * loaded, as `Class.prototype.name`, or undefined.
 */
export function agentClassChanged(): string | undefined {
  // Built-ins captured at load (builtins.ts) and a plain indexed loop: nothing a policy replaced answers for them.
  for (let i = 0; i < AGENT_METHOD_NAMES.length; i++) {
    const name = AGENT_METHOD_NAMES[i] as string;
    if (reflectGet(HttpsAgent.prototype, name) === AGENT_METHODS[name]) continue;
    const inherited = reflectGet(EventEmitter.prototype, name) !== undefined;
    return `${inherited ? "EventEmitter" : "https.Agent"}.prototype.${name}`;
  }
  return reflectGet(EventEmitter.prototype, "emit") !== AGENT_METHODS.emit ? "EventEmitter.prototype.emit" : undefined;
}

/**
 * Option names Node's https, tls and net connection code reads (Node 22 and 24: `https.Agent`'s `createConnection`,
 * `tls.connect`, `tls.createSecureContext`, `net.Socket.connect`, the agent's `createSocket` and `getName`).
 */
const CONNECTION_OPTIONS: Set<PropertyKey> = new SafeSet([
  "ALPNCallback",
  "ALPNProtocols",
  "SNICallback",
  "_agentKey",
  "_defaultAgent",
  "_handle",
  "agent",
  "agentKeepAliveTimeoutBuffer",
  "allowHalfOpen",
  "allowPartialTrustChain",
  "auth",
  "autoDestroy",
  "autoSelectFamily",
  "autoSelectFamilyAttemptTimeout",
  "blockList",
  "ca",
  "cert",
  "certificateCompression",
  "checkServerIdentity",
  "ciphers",
  "clientCertEngine",
  "createConnection",
  "crl",
  "defaultPort",
  "dhparam",
  "ecdhCurve",
  "enableTrace",
  "family",
  "fd",
  "handle",
  "handshakeTimeout",
  "headers",
  "highWaterMark",
  "hints",
  "honorCipherOrder",
  "host",
  "hostname",
  "keepAlive",
  "keepAliveInitialDelay",
  "key",
  "localAddress",
  "localPort",
  "lookup",
  "maxVersion",
  "minDHSize",
  "minVersion",
  "noDelay",
  "onread",
  "passphrase",
  "path",
  "pfx",
  "pipe",
  "port",
  "privateKeyEngine",
  "privateKeyIdentifier",
  "protocol",
  "proxy",
  "proxyEnv",
  "pskCallback",
  "readable",
  "rejectUnauthorized",
  "requestCert",
  "requestOCSP",
  "secureContext",
  "secureEndpoint",
  "secureOptions",
  "secureProtocol",
  "servername",
  "session",
  "sessionIdContext",
  "sessionTimeout",
  "sigalgs",
  "signal",
  "singleUse",
  "socket",
  "socketPath",
  "ticketKeys",
  "timeout",
]);

/** `Object.prototype`'s own keys when acs-baseline was loaded. */
const OBJECT_KEYS: Set<PropertyKey> = new SafeSet(reflectOwnKeys(Object.prototype));

/**
 * The key `Object.prototype` was given since acs-baseline was loaded that Node's connection code would read as a
 * connection option (a symbol counts: Node keeps internal settings under symbols), or undefined.
 */
export function pollutedConnectionOption(): PropertyKey | undefined {
  const keys = reflectOwnKeys(Object.prototype);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as PropertyKey;
    if (!OBJECT_KEYS.has(key) && (typeof key === "symbol" || CONNECTION_OPTIONS.has(key))) return key;
  }
  return undefined;
}

/** The refusal of a connection: `what` was changed in the process since acs-baseline was loaded. */
export function tamperedConnection(what: string): BaselineViolationError {
  return new BaselineViolationError(
    "KEY_AUTH_BLOCKED",
    `The request guard refused to open a connection because ${what} since acs-baseline was loaded (code in the process changed it), and Node's connection code would read it: the connection could go elsewhere or trust another certificate. Nothing was sent. Load modules that change Node's classes or Object.prototype (instrumentation, polyfills) before acs-baseline, or remove the change.`,
  );
}

/** A printable name for a property key (escaped, at most 64 characters). */
export function keyName(key: PropertyKey): string {
  const escaped = typeof key === "symbol" ? JSON.stringify(String(key)).slice(1, -1) : JSON.stringify(key);
  return escaped.length > 64 ? `${escaped.slice(0, 61)}...` : escaped;
}
