/**
 * What `AcsClientFactory.fromEnvironment()` refuses in an environment, found by running its own validation (the same
 * functions, in the same order) without building a credential or opening an audit log: `acs-baseline doctor` reports
 * it, so doctor and the factory cannot disagree about a configuration.
 */
import { credentialEnvironment, credentialSettingsOf } from "./factoryCredential.js";
import type { AcsClientFactoryOptions } from "./factoryOptions.js";
import {
  factoryOptionsFromEnvironment,
  readFactoryOptions,
  refuseInvalidTenantId,
  refuseKeyMaterial,
  validateFactoryOptions,
} from "./factoryOptions.js";

/** The refusals {@link environmentRefusals} found; each absent when there is none. */
export interface EnvironmentRefusals {
  /**
   * IM-1 / IM-8, first in the factory's order: a connection string in any value it reads, or an access key as
   * `AZURE_CLIENT_SECRET` (whatever else is configured: the factory refuses it even next to a certificate).
   */
  keyMaterial?: Error;
  /** A tenant ID `@azure/identity` would not accept (`AZURE_TENANT_ID`), refused by the factory. */
  tenantId?: Error;
  /** The first refusal of the whole validation the factory runs before it builds the credential (key material included). */
  configuration?: Error;
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error("refused"));

/**
 * Runs `fromEnvironment(overrides, env)`'s validation (options read from the environment, key material, endpoint,
 * authority, tenant ID, credential configuration, the managed-identity source and regional-authority variables)
 * without building anything. The errors are the factory's own: their messages
 * name variables and options, never a value.
 */
export function environmentRefusals(
  overrides: Partial<AcsClientFactoryOptions>,
  env: NodeJS.ProcessEnv,
): EnvironmentRefusals {
  const refusals: EnvironmentRefusals = {};
  let options: AcsClientFactoryOptions;
  try {
    options = readFactoryOptions(factoryOptionsFromEnvironment(overrides, env).options);
  } catch (error) {
    return { configuration: asError(error) };
  }
  try {
    refuseKeyMaterial(options);
  } catch (error) {
    refusals.keyMaterial = asError(error);
  }
  try {
    refuseInvalidTenantId(options);
  } catch (error) {
    refusals.tenantId = asError(error);
  }
  try {
    // the options' checks, then what the factory reads from the environment when it builds the credential (the
    // managed-identity source, regional authorities)
    const config = validateFactoryOptions(options);
    credentialEnvironment({ ...credentialSettingsOf(config), environment: env });
  } catch (error) {
    refusals.configuration = asError(error);
  }
  return refusals;
}
