/**
 * An ARM session as posture opens it, shared by `checkPosture` and the CLI's estate tools (sweep, readiness): the
 * factory's rules on the options (no connection string, no key credential or access key, the authority allow-list,
 * no caller transport unless allowed), the credential in baseline order with the factory's credential transport, the
 * ARM endpoint (https only) and client options whose HttpClient is the request guard pinned to that endpoint.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { CommonClientOptions } from "@azure/core-client";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { createCredentialTransport } from "../credentials/credentialTransport.js";
import { resolveCredential } from "../credentials/resolveCredential.js";
import { validateAuthorityHost } from "../guard/authority.js";
import { assertNotAccessKey, assertTokenCredential } from "../guard/keyCredential.js";
import { assertNoConnectionString } from "../guard/optionStrings.js";
import { proxyConfigured } from "../guard/requestGuard.js";
import { checkTransportOptions } from "../guard/transportOptions.js";
import { guardedArmClientOptions, postureDefaultHttpClient } from "./armClients.js";
import type { CheckPostureOptions } from "./checkPosture.js";
import { parseArmEndpoint } from "./resourceId.js";

/** The options of an ARM session: posture's, without what is about one resource. */
export type ArmSessionOptions = Omit<CheckPostureOptions, "resourceId" | "endpoint" | "clients" | "dataLocations">;

/** An open ARM session. */
export interface ArmSession {
  credential: TokenCredential;
  /** The validated ARM endpoint (origin). */
  armEndpoint: string;
  /** `{armEndpoint}/.default` */
  scope: string;
  /** The caller's client options with posture's retry defaults (for createArmClients). */
  clientOptions: CommonClientOptions;
  /** Client options for any ARM SDK client: the request guard pinned to the ARM endpoint as HttpClient. */
  guardedClientOptions: CommonClientOptions & { httpClient: HttpClient };
  timeoutMs: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Opens an ARM session from already snapshotted options. `validate` runs after the key and connection-string rules
 * and before the endpoint is parsed (posture parses its resource id there).
 * @throws TypeError for a non-https ARM endpoint; BaselineViolationError for what the factory would refuse.
 */
export function openArmSession(opts: ArmSessionOptions, validate?: () => void): ArmSession {
  // The factory's rules, in the factory's order: no connection string in any option, no key credential or access key.
  const { credential: ownCredential, ...rest } = opts;
  assertNoConnectionString(rest);
  if (typeof ownCredential === "string") assertNoConnectionString({ credential: ownCredential });
  if (ownCredential !== undefined) assertTokenCredential(ownCredential);
  assertNotAccessKey(opts.clientSecret);
  validate?.();
  const armEndpoint = parseArmEndpoint(opts.armEndpoint);
  const clientOptions: CommonClientOptions = {
    retryOptions: { maxRetries: 2, retryDelayInMs: 250, maxRetryDelayInMs: 2000 },
    ...(opts.clientOptions ?? {}),
  };
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { additionalPolicies: _policies, httpClient: customHttpClient, ...credentialClientOptions } = clientOptions;
  // The factory's rule: the assertion or secret goes only to a Microsoft cloud login host or an allowed authority.
  const authority = validateAuthorityHost(opts.authorityHost, opts.allowedAuthorityHosts ?? []);
  // As for the factory's clients: no caller transport (unless allowed), and certificate verification stays on.
  checkTransportOptions(opts.clientOptions, "clientOptions", opts.allowCustomHttpClient === true);
  // The credential's requests go through the factory's credential transport (transport checks, a bound per attempt).
  const credentialTransport = createCredentialTransport(
    customHttpClient ?? postureDefaultHttpClient(),
    timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS,
    undefined,
    {
      agent: credentialClientOptions.agent,
      proxy: proxyConfigured(credentialClientOptions.proxyOptions),
    },
  );
  const resolved = resolveCredential(
    {
      tenantId: opts.tenantId,
      clientId: opts.clientId,
      certificate: opts.certificate,
      clientSecret: opts.clientSecret,
      allowSecretFallback: opts.allowSecretFallback,
      credential: opts.credential,
      workloadIdentity: opts.workloadIdentity,
      managedIdentity: opts.managedIdentity,
    },
    {
      ...credentialClientOptions,
      httpClient: credentialTransport,
      authorityHost: authority.origin,
      disableInstanceDiscovery: opts.disableInstanceDiscovery ?? !authority.microsoft,
      ...(opts.sendCertificateChain !== undefined ? { sendCertificateChain: opts.sendCertificateChain } : {}),
    },
  );
  return {
    credential: resolved.credential,
    armEndpoint,
    scope: `${armEndpoint}/.default`,
    clientOptions,
    guardedClientOptions: guardedArmClientOptions(armEndpoint, clientOptions),
    timeoutMs,
  };
}
