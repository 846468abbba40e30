/**
 * The authority allow-list every CLI command that builds a credential reads: AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS
 * (comma-separated) plus `--allowed-authority-host HOST` (repeatable). Microsoft's cloud login hosts need neither.
 */
import { readEnvironment } from "acs-baseline/internal";

/** The parseArgs option: spread it into a command's `options`. */
export const ALLOWED_AUTHORITY_HOST_OPTION = { "allowed-authority-host": { type: "string", multiple: true } } as const;

/** The hosts allowed besides Microsoft's: the environment's, then the command line's. */
export function allowedAuthorityHosts(env: NodeJS.ProcessEnv, flagValues: readonly string[] | undefined): string[] {
  return [...(readEnvironment(env).allowedAuthorityHosts ?? []), ...(flagValues ?? [])];
}
