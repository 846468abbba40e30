/**
 * `checkPosture`: reads the live ACS resource through the management SDKs and checks the baseline's customer
 * controls (IM-1 local auth, DP-3 endpoint, PA-7 key access and the app's own rights, LT-4 resource logs, plus the
 * informational managed identity and an optional data-location allow-list). Reads only; never changes anything.
 */
import type { AccessToken } from "@azure/core-auth";
import { snapshotOptions } from "../guard/optionSnapshot.js";
import { createArmClients } from "./armClients.js";
import { openArmSession } from "./armSession.js";
import type { CheckPostureOptions } from "./postureOptions.js";
import { evaluatePosture } from "./evaluatePosture.js";
import type { PostureInputs } from "./readArm.js";
import { readPostureInputs } from "./readArm.js";
import type { AcsResourceId } from "./resourceId.js";
import { parseAcsResourceId } from "./resourceId.js";
import { describeTokenError } from "./tokenError.js";
import type { PostureCheck, PostureResult, PostureStatus } from "./types.js";

export type { CheckPostureOptions } from "./postureOptions.js";

/** Default of {@link CheckPostureOptions.timeoutMs}. @public */
export const DEFAULT_POSTURE_TIMEOUT_MS = 30_000;

/** The `tid` and `oid` claims of an access token (payload decoded, signature not checked; never logged). */
export function tokenClaims(token: AccessToken | null): { tenantId?: string; objectId?: string } {
  const payload = token?.token.split(".")[1];
  if (payload === undefined) return {};
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    return {
      ...(typeof claims.tid === "string" ? { tenantId: claims.tid } : {}),
      ...(typeof claims.oid === "string" ? { objectId: claims.oid } : {}),
    };
  } catch {
    return {};
  }
}

/** Counts of each status. */
export function summarize(checks: readonly PostureCheck[]): Record<PostureStatus, number> {
  const summary: Record<PostureStatus, number> = { pass: 0, fail: 0, warn: 0, unknown: 0 };
  for (const c of checks) summary[c.status]++;
  return summary;
}

/**
 * Checks the live ACS resource against the baseline's customer controls, through `@azure/arm-communication`,
 * `@azure/arm-monitor` 8.x and `@azure/arm-authorization` (optional peer dependencies, loaded on first use).
 * Nothing is changed on Azure. A 403 or an unreachable ARM makes the affected checks `unknown`, never `pass`.
 *
 * @throws TypeError for a malformed resource id or a non-https ARM endpoint; BaselineViolationError for a credential
 * configuration the factory would refuse; Error naming the package when a management SDK is not installed.
 * @public
 */
export async function checkPosture(options: CheckPostureOptions): Promise<PostureResult> {
  // Every option is read once; the checks and the credential see only this copy (as in the factory).
  const opts = snapshotOptions(options);
  let resource: AcsResourceId | undefined;
  const session = openArmSession(opts, () => {
    resource = parseAcsResourceId(opts.resourceId);
  });
  if (resource === undefined) resource = parseAcsResourceId(opts.resourceId);
  const { credential, armEndpoint, scope, clientOptions, timeoutMs } = session;
  const resolved = { credential };
  // One deadline for the token and every ARM request, next pages included (bound in each client's pipeline).
  const signal = AbortSignal.timeout(timeoutMs > 0 ? timeoutMs : DEFAULT_POSTURE_TIMEOUT_MS);
  const clients = await createArmClients(
    resolved.credential,
    resource.subscriptionId,
    armEndpoint,
    clientOptions,
    signal,
  );
  const principal: PostureResult["principal"] = {
    ...(opts.tenantId !== undefined ? { tenantId: opts.tenantId } : {}),
    ...(opts.clientId !== undefined ? { clientId: opts.clientId } : {}),
  };
  let inputs: PostureInputs;
  let objectId: string | undefined;
  try {
    const token = await resolved.credential.getToken(scope, { abortSignal: signal });
    const claims = tokenClaims(token);
    objectId = claims.objectId;
    if (principal.tenantId === undefined && claims.tenantId !== undefined) principal.tenantId = claims.tenantId;
    if (objectId !== undefined) principal.objectId = objectId;
    inputs = await readPostureInputs(clients, resource, objectId, signal);
  } catch (error) {
    const reason = `no token for ${scope}: ${describeTokenError(error)}`;
    const failed = { ok: false as const, reason };
    inputs = {
      resource: failed,
      diagnosticSettings: failed,
      assignments: failed,
      appAssignments: failed,
      definitions: new Map(),
    };
  }
  const checks = evaluatePosture(inputs, {
    resourceId: resource.id,
    objectId,
    endpoint: opts.endpoint,
    clients: opts.clients ?? [],
    dataLocations: opts.dataLocations,
  });
  return {
    schema: "acs-baseline.posture/1",
    resourceId: resource.id,
    checkedAt: new Date().toISOString(),
    principal,
    checks,
    summary: summarize(checks),
  };
}
