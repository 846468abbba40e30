/**
 * The endpoint allow-list every CLI command that builds a factory or checks an endpoint reads: the hosts of
 * AZURE_COMMUNICATION_ALLOWED_HOSTS (comma-separated; without it, the default ACS domains), plus `--allowed-host HOST`
 * (repeatable). Each entry is matched exactly as an `allowedHosts` entry of AcsClientFactory (`*.x` = any subdomain of
 * x, anything else exact), by the same function.
 */
import type { EndpointSource } from "acs-baseline/internal";
import { DEFAULT_ALLOWED_HOSTS, ENVIRONMENT_VARIABLES, readEnvironment } from "acs-baseline/internal";

/** The parseArgs option: spread it into a command's `options`. */
export const ALLOWED_HOST_OPTION = { "allowed-host": { type: "string", multiple: true } } as const;

/** The help line for `--allowed-host`. */
export const ALLOWED_HOST_HELP = `--allowed-host adds a host to the endpoint allow-list (${ENVIRONMENT_VARIABLES.allowedHosts}, else ${DEFAULT_ALLOWED_HOSTS.join(", ")}).`;

/** The hosts the endpoint may use: the environment's list (or the default), then the command line's. */
export function endpointAllowedHosts(env: NodeJS.ProcessEnv, flagValues: readonly string[] | undefined): string[] {
  return [...(readEnvironment(env).allowedHosts ?? DEFAULT_ALLOWED_HOSTS), ...(flagValues ?? [])];
}

/** How a refusal names the endpoint and its allow-list on the command line: the variables and `--allowed-host`. */
export function cliEndpointSource(env: NodeJS.ProcessEnv): EndpointSource {
  const V = ENVIRONMENT_VARIABLES;
  return {
    endpoint: V.endpoint,
    allowedHosts:
      readEnvironment(env).allowedHosts !== undefined ? `${V.allowedHosts} and --allowed-host` : "the allowed hosts",
    addTo: `${V.allowedHosts} (comma-separated) or --allowed-host`,
    missing: `${V.endpoint} is not set`,
  };
}
