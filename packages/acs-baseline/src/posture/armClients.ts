/**
 * Builds the three management SDK clients posture reads through, loading them on first use: they are optional peer
 * dependencies, so an application that never checks posture does not need them installed.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { CommonClientOptions } from "@azure/core-client";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { createDefaultHttpClient } from "@azure/core-rest-pipeline";
import { guardHttpClient } from "../guard/requestGuard.js";
import { proxyConfigured } from "../guard/proxyAgent.js";
import { armRequestPolicies } from "./armRequestLimits.js";

let defaultHttpClient: HttpClient | undefined;
/** One default HttpClient for every posture check (warm keep-alive connections, as core-client shares one). */
export function postureDefaultHttpClient(): HttpClient {
  defaultHttpClient ??= createDefaultHttpClient();
  return defaultHttpClient;
}

/** The optional peer dependencies posture needs (exact versions it is tested with are in package.json). */
export const POSTURE_PACKAGES = ["@azure/arm-communication", "@azure/arm-monitor", "@azure/arm-authorization"] as const;

function loadModules() {
  return Promise.all([
    load("@azure/arm-communication", () => import("@azure/arm-communication")),
    load("@azure/arm-authorization", () => import("@azure/arm-authorization")),
    load("@azure/arm-monitor", () => import("@azure/arm-monitor")),
  ]);
}
// Types taken from the dynamic imports themselves, so the CommonJS build types them as what it loads.
type Modules = Awaited<ReturnType<typeof loadModules>>;

/** The management clients of one posture check. */
export interface ArmClients {
  communication: InstanceType<Modules[0]["CommunicationServiceManagementClient"]>;
  authorization: InstanceType<Modules[1]["AuthorizationManagementClient"]>;
  monitor: InstanceType<Modules[2]["MonitorClient"]>;
}

async function load<T>(name: (typeof POSTURE_PACKAGES)[number], importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new Error(
        `Posture checks need the optional peer dependency ${name}, which is not installed. Install it: npm install ${POSTURE_PACKAGES.join(" ")}`,
      );
    }
    throw error;
  }
}

/**
 * Client options for any ARM SDK client: the caller's options without additional policies, and the request guard as
 * the last step before the wire, pinned to the ARM endpoint: the ARM token goes only to it, over https, with the
 * transport checks (no requestOverrides, no foreign agent, TLS verification on).
 */
export function guardedArmClientOptions(
  armEndpoint: string,
  clientOptions: CommonClientOptions,
): CommonClientOptions & { httpClient: HttpClient } {
  const { additionalPolicies: _policies, httpClient: inner, ...rest } = clientOptions;
  const url = new URL(armEndpoint);
  const target = {
    hostname: url.hostname.toLowerCase().replace(/^\[|\]$/g, ""),
    port: url.port === "" ? 443 : Number(url.port),
  };
  const httpClient = guardHttpClient(inner ?? postureDefaultHttpClient(), target, undefined, 0, {
    agent: rest.agent,
    proxy: proxyConfigured(rest.proxyOptions),
  });
  return { ...rest, httpClient };
}

/**
 * Creates the clients for `armEndpoint`. The communication and authorization clients get both `endpoint` (their
 * token scope) and `$host` (their URLs); MonitorClient gets its credential scopes, so no token is ever requested
 * for management.azure.com when another endpoint is configured. Each client's every request (next pages and retry
 * waits included) ends with `signal`, and a list that pages for ever is given up on ({@link armRequestPolicies}).
 */
export async function createArmClients(
  credential: TokenCredential,
  subscriptionId: string,
  armEndpoint: string,
  clientOptions: CommonClientOptions,
  signal: AbortSignal,
): Promise<ArmClients> {
  const [communicationModule, authorizationModule, monitorModule] = await loadModules();
  const scope = `${armEndpoint}/.default`;
  const options = guardedArmClientOptions(armEndpoint, clientOptions);
  // One set of policies per client: the paging limit counts each client's own pages.
  const limited = () => ({ ...options, additionalPolicies: armRequestPolicies(signal) });
  const common = { endpoint: armEndpoint, $host: armEndpoint, credentialScopes: [scope] };
  return {
    communication: new communicationModule.CommunicationServiceManagementClient(credential, subscriptionId, {
      ...limited(),
      ...common,
    }),
    authorization: new authorizationModule.AuthorizationManagementClient(credential, subscriptionId, {
      ...limited(),
      ...common,
    }),
    monitor: new monitorModule.MonitorClient(credential, subscriptionId, {
      ...limited(),
      endpoint: armEndpoint,
      credentials: { scopes: [scope] },
    }),
  };
}
