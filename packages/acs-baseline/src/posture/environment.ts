/** The environment variables posture reads, next to the factory's (readEnvironment). */
import { ARM_ENDPOINT_VARIABLE, credentialOptionsFromEnvironment, readEnvironment } from "../config/readEnvironment.js";
import type { CheckPostureOptions } from "./checkPosture.js";

/** Variables only posture reads. @public */
export const POSTURE_ENVIRONMENT_VARIABLES = Object.freeze({
  resourceId: "AZURE_COMMUNICATION_RESOURCE_ID",
  armEndpoint: ARM_ENDPOINT_VARIABLE,
} as const);

/**
 * {@link CheckPostureOptions} from the environment, exactly as `AcsClientFactory.fromEnvironment()` reads the
 * credential (one mapping: certificate, workload identity, secret fallback, managed-identity opt-in, AZURE_AUTHORITY_HOST and
 * its allow-list), plus AZURE_COMMUNICATION_RESOURCE_ID and
 * AZURE_RESOURCE_MANAGER_ENDPOINT. Missing values are left out (checkPosture reports them).
 * @public
 */
export function postureOptionsFromEnvironment(env: NodeJS.ProcessEnv = process.env): Partial<CheckPostureOptions> {
  const e = readEnvironment(env);
  const value = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v.length === 0 ? undefined : v;
  };
  const resourceId = value(POSTURE_ENVIRONMENT_VARIABLES.resourceId);
  const armEndpoint = value(POSTURE_ENVIRONMENT_VARIABLES.armEndpoint);
  return {
    ...(resourceId !== undefined ? { resourceId } : {}),
    ...(armEndpoint !== undefined ? { armEndpoint } : {}),
    ...credentialOptionsFromEnvironment(e),
  };
}
