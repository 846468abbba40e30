/**
 * The Entra credential the environment configures, for tools that need one without a factory (verify-log reading a
 * blob anchor): the same mapping as `AcsClientFactory.fromEnvironment()`, the same authority rule, the same order.
 */
import type { TokenCredential } from "@azure/core-auth";
import { createDefaultHttpClient } from "@azure/core-rest-pipeline";
import { assertTlsVerification } from "../guard/tlsVerification.js";
import { proxyConfigured } from "../guard/proxyAgent.js";
import { createCredentialTransport } from "./credentialTransport.js";
import { credentialOptionsFromEnvironment, readEnvironment } from "../config/readEnvironment.js";
import { validateAuthorityHost } from "../guard/authority.js";
import { checkCredentialConfiguration, resolveCredential } from "./resolveCredential.js";
import { authorityDestinations, destinationOf } from "./credentialDestinations.js";
import { readManagedIdentitySource, refuseRegionalAuthority } from "./managedIdentityEnvironment.js";

/** Default bound of one token request attempt, as the factory's `timeoutMs`. */
const TOKEN_ATTEMPT_TIMEOUT_MS = 60_000;

/**
 * Builds the credential `fromEnvironment` would build (AUTHORITY_NOT_ALLOWED, CREDENTIAL_NOT_CONFIGURED,
 * TLS_VERIFICATION_DISABLED … as it would), with the factory's credential transport (transport checks at the wire,
 * a bound on every attempt).
 */
export function credentialFromEnvironment(
  env: NodeJS.ProcessEnv,
  options: { allowedAuthorityHosts?: readonly string[]; tlsOptions?: { ca?: string | string[] } } = {},
): TokenCredential {
  const o = credentialOptionsFromEnvironment(readEnvironment(env));
  const authority = validateAuthorityHost(o.authorityHost, [
    ...(o.allowedAuthorityHosts ?? []),
    ...(options.allowedAuthorityHosts ?? []),
  ]);
  // The factory's TLS rule: for the environment given and for this process's own (which Node.js reads).
  assertTlsVerification({ tlsOptions: options.tlsOptions }, "tlsOptions", env);
  if (env !== process.env) assertTlsVerification(undefined, "tlsOptions", process.env);
  const config = {
    tenantId: o.tenantId,
    clientId: o.clientId,
    certificate: o.certificate,
    workloadIdentity: o.workloadIdentity,
    clientSecret: o.clientSecret,
    managedIdentity: o.managedIdentity,
  };
  const source =
    checkCredentialConfiguration(config) === "managed-identity"
      ? readManagedIdentitySource(env, o.managedIdentity?.clientId)
      : undefined;
  if (source === undefined || source.kind === "workload-identity") refuseRegionalAuthority(env);
  const destinations = [
    ...authorityDestinations(authority),
    ...(source !== undefined && source.kind !== "workload-identity" ? [destinationOf(source.endpoint)] : []),
  ];
  const httpClient = createCredentialTransport(
    createDefaultHttpClient(),
    TOKEN_ATTEMPT_TIMEOUT_MS,
    undefined,
    { proxy: proxyConfigured(undefined) },
    destinations,
  );
  return resolveCredential(
    config,
    {
      redirectOptions: { maxRetries: 0 },
      httpClient,
      authorityHost: authority.origin,
      disableInstanceDiscovery: !authority.microsoft,
      ...(o.sendCertificateChain !== undefined ? { sendCertificateChain: o.sendCertificateChain } : {}),
      ...(options.tlsOptions !== undefined ? { tlsOptions: options.tlsOptions } : {}),
    },
    {},
    source,
  ).credential;
}
