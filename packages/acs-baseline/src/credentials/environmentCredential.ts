/**
 * The Entra credential the environment configures, for tools that need one without a factory (verify-log reading a
 * blob anchor): the same mapping as `AcsClientFactory.fromEnvironment()`, the same authority rule, the same order.
 */
import type { TokenCredential } from "@azure/core-auth";
import { credentialOptionsFromEnvironment, readEnvironment } from "../config/readEnvironment.js";
import { validateAuthorityHost } from "../guard/authority.js";
import { resolveCredential } from "./resolveCredential.js";

/** Builds the credential `fromEnvironment` would build (AUTHORITY_NOT_ALLOWED, CREDENTIAL_NOT_CONFIGURED, … as it would). */
export function credentialFromEnvironment(
  env: NodeJS.ProcessEnv,
  options: { allowedAuthorityHosts?: readonly string[]; tlsOptions?: { ca?: string | string[] } } = {},
): TokenCredential {
  const o = credentialOptionsFromEnvironment(readEnvironment(env));
  const authority = validateAuthorityHost(o.authorityHost, [...(o.allowedAuthorityHosts ?? []), ...(options.allowedAuthorityHosts ?? [])]);
  return resolveCredential(
    { tenantId: o.tenantId, clientId: o.clientId, certificate: o.certificate, workloadIdentity: o.workloadIdentity, clientSecret: o.clientSecret, managedIdentity: o.managedIdentity },
    {
      authorityHost: authority.origin,
      disableInstanceDiscovery: !authority.microsoft,
      ...(o.sendCertificateChain !== undefined ? { sendCertificateChain: o.sendCertificateChain } : {}),
      ...(options.tlsOptions !== undefined ? { tlsOptions: options.tlsOptions } : {}),
    },
  ).credential;
}
