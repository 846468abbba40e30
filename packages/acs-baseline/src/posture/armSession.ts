/**
 * An ARM session as posture opens it, shared by `checkPosture` and the CLI's estate tools (sweep, readiness): the
 * factory's rules on the options (no connection string, no key credential or access key, the authority allow-list,
 * no caller transport unless allowed), the credential in baseline order with the factory's credential transport, the
 * ARM endpoint (https only) and client options whose HttpClient is the request guard pinned to that endpoint.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { CommonClientOptions } from "@azure/core-client";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { createFactoryCredential } from "../clients/factoryCredential.js";
import { credentialConfigurationOf, refuseKeyMaterial, validateCredentialSettings } from "../clients/factoryOptions.js";
import { guardedArmClientOptions, postureDefaultHttpClient } from "./armClients.js";
import type { CheckPostureOptions } from "./postureOptions.js";
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
  refuseKeyMaterial(opts);
  validate?.();
  const armEndpoint = parseArmEndpoint(opts.armEndpoint);
  const clientOptions: CommonClientOptions = {
    retryOptions: { maxRetries: 2, retryDelayInMs: 250, maxRetryDelayInMs: 2000 },
    ...(opts.clientOptions ?? {}),
  };
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
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
    { defaultHttpClient: postureDefaultHttpClient(), timeoutMs: timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS },
  ).resolved;
  return {
    credential: resolved.credential,
    armEndpoint,
    scope: `${armEndpoint}/.default`,
    clientOptions,
    guardedClientOptions: guardedArmClientOptions(armEndpoint, clientOptions),
    timeoutMs,
  };
}
