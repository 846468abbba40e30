/** Turns what posture read from ARM into the checks (pure: no I/O), so every check is computed one way. */
import { checkAppPrincipal } from "./checks/appPrincipal.js";
import { checkAuthLogs, checkResourceLogs } from "./checks/diagnostics.js";
import { checkKeyAccess } from "./checks/keyAccess.js";
import { checkEndpoint, checkLocalAuth } from "./checks/localAuth.js";
import { checkDataLocation, checkManagedIdentity } from "./checks/resourceProperties.js";
import type { PostureInputs } from "./readArm.js";
import type { PostureCheck, PostureClientType } from "./types.js";

/** The checks, from what was read. */
export function evaluatePosture(
  inputs: PostureInputs,
  context: {
    resourceId: string;
    objectId?: string | undefined;
    endpoint?: string | undefined;
    clients: readonly PostureClientType[];
    dataLocations?: readonly string[] | undefined;
  },
): PostureCheck[] {
  const checks: PostureCheck[] = [checkLocalAuth(inputs.resource)];
  if (context.endpoint !== undefined) checks.push(checkEndpoint(inputs.resource, context.endpoint));
  checks.push(
    checkKeyAccess(inputs, inputs.resource),
    checkAppPrincipal(inputs, context.resourceId, context.objectId, context.clients),
    checkResourceLogs(inputs.diagnosticSettings),
    checkAuthLogs(inputs.diagnosticSettings, context.clients),
    checkManagedIdentity(inputs.resource),
  );
  if (context.dataLocations !== undefined && context.dataLocations.length > 0)
    checks.push(checkDataLocation(inputs.resource, context.dataLocations));
  return checks;
}
