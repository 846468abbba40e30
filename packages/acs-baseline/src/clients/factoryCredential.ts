/**
 * The factory's credential room: the one place an Entra credential is built from a validated configuration, in the
 * baseline's order (certificate, workload identity, client secret as an audited fallback; managed identity on
 * explicit opt-in; or the caller's own TokenCredential), with the credential transport that checks every token
 * request at the wire. The factory and `checkPosture` both build their credential here.
 */
import type { CommonClientOptions } from "@azure/core-client";
import type { HttpClient } from "@azure/core-rest-pipeline";
import type { CredentialTransport } from "../credentials/credentialTransport.js";
import { createCredentialTransport } from "../credentials/credentialTransport.js";
import type {
  CredentialConfiguration,
  CredentialEvents,
  ResolvedCredential,
} from "../credentials/resolveCredential.js";
import { resolveCredential } from "../credentials/resolveCredential.js";
import type { BaselineViolationError } from "../errors.js";
import type { ValidatedAuthority } from "../guard/authority.js";
import { proxyConfigured } from "../guard/requestGuard.js";
import type { TokenCacheEvents } from "../credentials/sharedTokenCache.js";
import { SharedTokenCredential } from "../credentials/sharedTokenCache.js";
import type { FactoryConfiguration } from "./factoryOptions.js";

/** The Entra scope for ACS data-plane tokens. @public */
export const ACS_TOKEN_SCOPE = "https://communication.azure.com//.default";

/** What the credential is built from: validated options (`factoryOptions.ts`) or `checkPosture`'s equivalent. */
export interface CredentialSettings {
  /** The credential part of the options. */
  credential: Readonly<CredentialConfiguration>;
  /** The checked authority host. */
  authority: Readonly<ValidatedAuthority>;
  /** Client options (retry, TLS, proxy, a caller's HttpClient when allowed); `additionalPolicies` are not used. */
  clientOptions: Readonly<CommonClientOptions>;
  disableInstanceDiscovery?: boolean | undefined;
  sendCertificateChain?: boolean | undefined;
}

/** How the credential's own requests travel. */
export interface CredentialTransportSettings {
  /** Used when `clientOptions` has no `httpClient`. */
  defaultHttpClient: HttpClient;
  /** Bound for one token request attempt (0 = none). */
  timeoutMs: number;
  /** Called with a refusal at the wire before it is thrown (for the audit log). */
  onBlocked?: ((error: BaselineViolationError) => void) | undefined;
}

/** A built credential and what the factory reports about it. */
export interface FactoryCredential {
  resolved: ResolvedCredential;
  /** The transport of every token request (its requests in flight can be aborted together). */
  transport: CredentialTransport;
  /** Whether instance discovery is off (always explicit, so @azure/identity never reads `AZURE_AUTHORITY_HOST`). */
  disableInstanceDiscovery: boolean;
}

/**
 * Builds the credential: the credential transport over the caller's HttpClient or `transport.defaultHttpClient`,
 * then `resolveCredential` with the checked authority (which loads and checks the certificate).
 * @throws BaselineViolationError for a credential configuration or certificate the baseline refuses.
 */
export function createFactoryCredential(
  settings: CredentialSettings,
  transport: CredentialTransportSettings,
  events: CredentialEvents = {},
): FactoryCredential {
  const {
    additionalPolicies: _policies,
    httpClient: customHttpClient,
    ...credentialClientOptions
  } = settings.clientOptions;
  const credentialTransport = createCredentialTransport(
    customHttpClient ?? transport.defaultHttpClient,
    transport.timeoutMs,
    transport.onBlocked,
    { agent: credentialClientOptions.agent, proxy: proxyConfigured(credentialClientOptions.proxyOptions) },
  );
  const disableInstanceDiscovery = settings.disableInstanceDiscovery ?? !settings.authority.microsoft;
  const credentialOptions = {
    ...credentialClientOptions,
    httpClient: credentialTransport,
    authorityHost: settings.authority.origin,
    disableInstanceDiscovery,
    ...(settings.sendCertificateChain !== undefined ? { sendCertificateChain: settings.sendCertificateChain } : {}),
  };
  const resolved = resolveCredential({ ...settings.credential }, credentialOptions, events);
  return { resolved, transport: credentialTransport, disableInstanceDiscovery };
}

/** The credential settings of a validated factory configuration. */
export function credentialSettingsOf(config: FactoryConfiguration): CredentialSettings {
  return {
    credential: config.credential,
    authority: config.authority,
    clientOptions: config.clientOptions,
    disableInstanceDiscovery: config.options.disableInstanceDiscovery,
    sendCertificateChain: config.options.sendCertificateChain,
  };
}

/**
 * The one credential every client of a factory shares: tokens cached and refreshed ahead of expiry, each fetch
 * bounded by `timeoutMs`; closing it aborts the credential transport's requests (not an external credential's).
 */
export function shareCredential(
  built: FactoryCredential,
  timeoutMs: number,
  events: TokenCacheEvents,
): SharedTokenCredential {
  const { resolved, transport } = built;
  const abortTransport = resolved.type === "external" ? undefined : () => transport.abortAll();
  return new SharedTokenCredential(resolved.credential, events, timeoutMs, abortTransport);
}
