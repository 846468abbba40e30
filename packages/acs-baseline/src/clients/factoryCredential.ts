/**
 * The factory's credential room: the one place an Entra credential is built from a validated configuration, in the
 * baseline's order (certificate, workload identity, client secret as an audited fallback; managed identity on
 * explicit opt-in; or the caller's own TokenCredential), with the credential transport that checks every token
 * request at the wire. The factory and `checkPosture` both build their credential here.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { CommonClientOptions } from "@azure/core-client";
import type { HttpClient } from "@azure/core-rest-pipeline";
import type { CredentialTransport } from "../credentials/credentialTransport.js";
import { createCredentialTransport } from "../credentials/credentialTransport.js";
import type {
  CredentialConfiguration,
  CredentialEvents,
  ResolvedCredential,
} from "../credentials/resolveCredential.js";
import { checkCredentialConfiguration, resolveCredential } from "../credentials/resolveCredential.js";
import { scrubbingErrors } from "./credentialErrorScrub.js";
import type { CredentialDestination } from "../credentials/credentialDestinations.js";
import { authorityDestinations, destinationOf } from "../credentials/credentialDestinations.js";
import type { ManagedIdentitySource } from "../credentials/managedIdentityEnvironment.js";
import { readManagedIdentitySource, refuseRegionalAuthority } from "../credentials/managedIdentityEnvironment.js";
import { BaselineViolationError } from "../errors.js";
import type { ValidatedAuthority } from "../guard/authority.js";
import { proxyConfigured } from "../guard/proxyAgent.js";
import type { TokenCacheEvents } from "../credentials/sharedTokenCache.js";
import { SharedTokenCredential } from "../credentials/sharedTokenCache.js";
import type { FactoryConfiguration } from "./factoryOptions.js";
import { environmentOf, refuseInvalidTenantId, refuseKeyMaterial } from "./factoryOptions.js";

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
  /** The environment read (once, now) for managed identity and regional authorities. Default `process.env`. */
  environment?: NodeJS.ProcessEnv | undefined;
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
  const { source, destinations } = credentialEnvironment(settings);
  const credentialTransport = createCredentialTransport(
    customHttpClient ?? transport.defaultHttpClient,
    transport.timeoutMs,
    transport.onBlocked,
    {
      agent: credentialClientOptions.agent,
      proxy: proxyConfigured(credentialClientOptions.proxyOptions),
    },
    destinations,
  );
  const disableInstanceDiscovery = settings.disableInstanceDiscovery ?? !settings.authority.microsoft;
  const credentialOptions = {
    ...credentialClientOptions,
    // A redirect is never followed: the token endpoint answers, it does not send the assertion elsewhere.
    redirectOptions: { maxRetries: 0 },
    httpClient: credentialTransport,
    authorityHost: settings.authority.origin,
    disableInstanceDiscovery,
    ...(settings.sendCertificateChain !== undefined ? { sendCertificateChain: settings.sendCertificateChain } : {}),
  };
  const resolved = resolveCredential({ ...settings.credential }, credentialOptions, events, source);
  if (resolved.type !== "external") {
    let credential = namingUnresolvedAuthority(resolved.credential, settings.authority.origin);
    // the MSAL-based credentials (the factory's managed identity does not read these variables)
    if (source === undefined || source.kind === "workload-identity")
      credential = refusingLateRegion(credential, transport.onBlocked);
    credential = surfaceTlsRefusals(credential, credentialTransport);
    // Outermost: what Entra echoed (the signed assertion, the secret) is gone before the caller or the record sees it.
    resolved.credential = scrubbingErrors(credential, secretsOf(settings.credential));
  }
  return { resolved, transport: credentialTransport, disableInstanceDiscovery };
}

/** The configuration's secrets an answer could echo (the client secret). */
function secretsOf(credential: Readonly<CredentialConfiguration>): string[] {
  return typeof credential.clientSecret === "string" && credential.clientSecret.length > 0
    ? [credential.clientSecret]
    : [];
}

/**
 * MSAL's `endpoints_resolution_error` says only that "endpoints" could not be resolved; the refusal names the
 * authority instead (AUTHORITY_UNRESOLVED). Every other error passes unchanged.
 */
function namingUnresolvedAuthority(credential: TokenCredential, authority: string): TokenCredential {
  return {
    getToken: (scopes, options) =>
      credential.getToken(scopes, options).catch((error: unknown) => {
        const text =
          error instanceof Error ? `${error.message} ${String((error as { errorCode?: unknown }).errorCode)}` : "";
        if (!text.includes("endpoints_resolution_error")) throw error;
        throw new BaselineViolationError(
          "AUTHORITY_UNRESOLVED",
          `The authority ${authority} did not answer with usable OpenID metadata (MSAL endpoints_resolution_error): check authorityHost and the tenant, that the authority is reachable over https, and that it does not share the ACS endpoint's origin.`,
        );
      }),
  };
}

/**
 * A regional authority planted after construction, refused before upstream sees it. `@azure/identity` reads
 * `AZURE_REGIONAL_AUTHORITY_NAME` at every `getToken` (`azureRegion: calculateRegionalAuthority()` in its MSAL client),
 * and MSAL `MSAL_FORCE_REGION` in every `acquireTokenByClientCredential`; MSAL then keeps the regional endpoints in
 * the credential's metadata cache, so a request left to the wire check would fail it until it is rebuilt. Refused
 * here, nothing is sent (not even the metadata request), the refusal is recorded, and the credential works again once
 * the variable is gone.
 */
function refusingLateRegion(
  credential: TokenCredential,
  onBlocked: ((error: BaselineViolationError) => void) | undefined,
): TokenCredential {
  return {
    getToken: (scopes, options) => {
      let refusal: BaselineViolationError | undefined;
      try {
        refuseRegionalAuthority(process.env);
      } catch (error) {
        refusal = error as BaselineViolationError;
      }
      if (refusal === undefined) return credential.getToken(scopes, options);
      try {
        onBlocked?.(refusal);
      } catch {
        // the audit log's error is not the caller's
      }
      return Promise.reject(refusal);
    },
  };
}

/**
 * Reads the environment once: the managed-identity source (when managed identity is selected) and the refusal of
 * regional authorities; returns where the credential transport may send requests. Reads only the environment (builds
 * nothing), so `environmentRefusals` runs it too.
 * @throws BaselineViolationError for a managed-identity source, regional authority or AKS tenant ID the factory refuses.
 */
export function credentialEnvironment(settings: CredentialSettings): {
  source: ManagedIdentitySource | undefined;
  destinations: CredentialDestination[];
} {
  const env = settings.environment ?? process.env;
  const type = checkCredentialConfiguration(settings.credential);
  if (type === "external") return { source: undefined, destinations: [] };
  const destinations = authorityDestinations(settings.authority);
  const source =
    type === "managed-identity"
      ? readManagedIdentitySource(env, settings.credential.managedIdentity?.clientId)
      : undefined;
  // AKS workload identity: the tenant and client ID as read from the environment now, checked as the options are.
  if (source?.kind === "workload-identity")
    refuseKeyMaterial({ tenantId: source.tenantId, managedIdentity: { clientId: source.clientId } });
  if (source?.kind === "workload-identity") refuseInvalidTenantId({ tenantId: source.tenantId });
  if (source === undefined || source.kind === "workload-identity") refuseRegionalAuthority(env);
  else destinations.push(destinationOf(source.endpoint));
  return { source, destinations };
}

/**
 * The credential, with a certificate failure toward Entra thrown as the transport's TLS_CERTIFICATE_NOT_TRUSTED
 * refusal (naming the host and how to trust a CA) instead of the error MSAL wraps it in.
 */
function surfaceTlsRefusals(inner: TokenCredential, transport: CredentialTransport): TokenCredential {
  return {
    async getToken(scopes, options) {
      const mark = transport.tlsRefusalCount();
      try {
        return await inner.getToken(scopes, options);
      } catch (error) {
        throw transport.tlsRefusalSince(mark) ?? error;
      }
    },
  };
}

/** The credential settings of a validated factory configuration. */
export function credentialSettingsOf(config: FactoryConfiguration): CredentialSettings {
  return {
    credential: config.credential,
    authority: config.authority,
    clientOptions: config.clientOptions,
    disableInstanceDiscovery: config.options.disableInstanceDiscovery,
    sendCertificateChain: config.options.sendCertificateChain,
    environment: environmentOf(config.options),
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
