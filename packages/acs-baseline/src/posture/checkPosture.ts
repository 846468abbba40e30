/**
 * `checkPosture`: reads the live ACS resource through the management SDKs and checks the baseline's customer
 * controls (IM-1 local auth, DP-3 endpoint, PA-7 key access and the app's own rights, LT-4 resource logs, plus the
 * informational managed identity and an optional data-location allow-list). Reads only; never changes anything.
 */
import type { AccessToken } from "@azure/core-auth";
import type { CommonClientOptions } from "@azure/core-client";
import { createFactoryCredential } from "../clients/factoryCredential.js";
import type { AcsClientFactoryOptions } from "../clients/factoryOptions.js";
import { credentialConfigurationOf, refuseKeyMaterial, validateCredentialSettings } from "../clients/factoryOptions.js";
import { snapshotOptions } from "../guard/optionSnapshot.js";
import { createArmClients, postureDefaultHttpClient } from "./armClients.js";
import { evaluatePosture } from "./evaluatePosture.js";
import type { PostureInputs } from "./readArm.js";
import { readPostureInputs } from "./readArm.js";
import { parseAcsResourceId, parseArmEndpoint } from "./resourceId.js";
import type { PostureCheck, PostureClientType, PostureResult, PostureStatus } from "./types.js";

/**
 * Options of {@link checkPosture}: the resource, where ARM is, and the same Entra configuration as the factory.
 * @public
 */
export interface CheckPostureOptions
  // The factory's Entra options, with the factory's meaning and rules (one definition: AcsClientFactoryOptions).
  extends Pick<
    AcsClientFactoryOptions,
    | "tenantId"
    | "clientId"
    | "certificate"
    | "clientSecret"
    | "allowSecretFallback"
    | "credential"
    | "workloadIdentity"
    | "managedIdentity"
    | "authorityHost"
    | "allowedAuthorityHosts"
    | "disableInstanceDiscovery"
    | "sendCertificateChain"
    | "clientOptions"
    | "allowCustomHttpClient"
  > {
  /** `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Communication/communicationServices/{n}` */
  resourceId: string;
  /** ARM endpoint, https only. Default `https://management.azure.com`; the token scope is `{armEndpoint}/.default`. */
  armEndpoint?: string;
  /** The ACS endpoint the app uses: adds the `endpoint-matches` check. */
  endpoint?: string;
  /** ACS client types the app uses (log categories and the custom role follow from them). Default `["sms", "identity"]` for the role, none for log categories. */
  clients?: PostureClientType[];
  /** Allowed data locations (e.g. `["United States", "Europe"]`): adds the `data-location` check. */
  dataLocations?: string[];
  /** Bound for the whole check in milliseconds (default 30000); what did not answer by then is `unknown`. */
  timeoutMs?: number;
}

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

function describeTokenError(error: unknown): string {
  const e = error as { name?: unknown; errorResponse?: { error?: unknown; errorDescription?: unknown } };
  const aadsts =
    typeof e.errorResponse?.errorDescription === "string"
      ? /AADSTS\d+/.exec(e.errorResponse.errorDescription)?.[0]
      : undefined;
  return [
    typeof e.name === "string" ? e.name : "Error",
    typeof e.errorResponse?.error === "string" ? e.errorResponse.error : undefined,
    aadsts,
  ]
    .filter(Boolean)
    .join(" ");
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
  // The factory's rules, in the factory's order: no connection string in any option, no key credential or access key.
  refuseKeyMaterial(opts);
  const resource = parseAcsResourceId(opts.resourceId);
  const armEndpoint = parseArmEndpoint(opts.armEndpoint);
  const scope = `${armEndpoint}/.default`;
  const clientOptions: CommonClientOptions = {
    retryOptions: { maxRetries: 2, retryDelayInMs: 250, maxRetryDelayInMs: 2000 },
    ...(opts.clientOptions ?? {}),
  };
  const timeoutMs = opts.timeoutMs ?? DEFAULT_POSTURE_TIMEOUT_MS;
  // The factory's rules: the assertion or secret goes only to a Microsoft cloud login host or an allowed authority;
  // no caller transport (unless allowed), and certificate verification stays on for the token and every ARM request.
  const authority = validateCredentialSettings(opts);
  // The factory's credential, built the factory's way: its requests go through the credential transport (the
  // transport checks at the wire, a bound on every attempt).
  const resolved = createFactoryCredential(
    {
      credential: credentialConfigurationOf(opts),
      authority,
      clientOptions,
      disableInstanceDiscovery: opts.disableInstanceDiscovery,
      sendCertificateChain: opts.sendCertificateChain,
    },
    {
      defaultHttpClient: postureDefaultHttpClient(),
      timeoutMs: timeoutMs > 0 ? timeoutMs : DEFAULT_POSTURE_TIMEOUT_MS,
    },
  ).resolved;
  const clients = await createArmClients(resolved.credential, resource.subscriptionId, armEndpoint, clientOptions);
  const signal = AbortSignal.timeout(timeoutMs > 0 ? timeoutMs : DEFAULT_POSTURE_TIMEOUT_MS);
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
