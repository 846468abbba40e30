/**
 * IM-1: the Microsoft Entra authority that receives the client assertion or client secret. It must be https and
 * either one of Microsoft's own cloud login hosts or listed explicitly in `allowedAuthorityHosts`; anything else is
 * refused before a credential is built, so no secret or assertion can reach it.
 */
import { BaselineViolationError } from "../errors.js";
import type { HttpsOriginSubject } from "./endpoint.js";
import { describeHostList, validateHttpsOrigin } from "./endpoint.js";

/** The authority used when none is configured: Microsoft Entra ID in the public cloud. @public */
export const DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";

/**
 * Microsoft's cloud login hosts: `@azure/identity`'s `AzureAuthorityHosts` (public, US Government, China, Germany)
 * and the hosts MSAL's built-in instance-discovery metadata knows (aliases of the same clouds). Exact host names,
 * no wildcards. @public
 */
export const MICROSOFT_AUTHORITY_HOSTS: readonly string[] = Object.freeze([
  "login.microsoftonline.com",
  "login.microsoft.com",
  "login.windows.net",
  "sts.windows.net",
  "login.microsoftonline.us",
  "login.usgovcloudapi.net",
  "login-us.microsoftonline.com",
  "login.chinacloudapi.cn",
  "login.partner.microsoftonline.cn",
  "login.microsoftonline.de",
  "login.sovcloud-identity.de",
  "login.sovcloud-identity.fr",
  "login.sovcloud-identity.sg",
]);

/** A checked authority. */
export interface ValidatedAuthority {
  /** `https://host[:port]`: what the credential is given. */
  origin: string;
  hostname: string;
  /** True for one of {@link MICROSOFT_AUTHORITY_HOSTS}; false when only the allow-list admitted it. */
  microsoft: boolean;
}

const AUTHORITY_SUBJECT = (allowed: readonly string[]): HttpsOriginSubject => ({
  noun: "authority",
  insecureCode: "AUTHORITY_NOT_ALLOWED",
  refuseCode: "AUTHORITY_NOT_ALLOWED",
  example: DEFAULT_AUTHORITY_HOST,
  lookAlikeOf: "a Microsoft login host",
  whyHttps: "the client assertion or secret is sent to it and must travel over TLS",
  notAllowedHint: () =>
    `The authority host is not a Microsoft cloud login host and not in allowedAuthorityHosts (${allowed.length === 0 ? "empty" : describeHostList(allowed)}); the client assertion or secret would be sent to it. Use a Microsoft login host (e.g. ${DEFAULT_AUTHORITY_HOST}), or list your authority's host in allowedAuthorityHosts (AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS, --allowed-authority-host).`,
});

/**
 * Checks the authority host the credential will send its assertion or secret to.
 * @param authorityHost - the configured authority (`undefined` = {@link DEFAULT_AUTHORITY_HOST})
 * @param allowedAuthorityHosts - extra hosts, matched like `allowedHosts` (`*.x` = any subdomain of x, else exact)
 * @throws BaselineViolationError AUTHORITY_NOT_ALLOWED when it is not https, not a bare `https://host[:port]`, or
 * neither a Microsoft cloud login host nor allow-listed.
 */
export function validateAuthorityHost(
  authorityHost: unknown,
  allowedAuthorityHosts: readonly string[] = [],
): ValidatedAuthority {
  if (authorityHost === undefined)
    return { origin: DEFAULT_AUTHORITY_HOST, hostname: "login.microsoftonline.com", microsoft: true };
  if (!Array.isArray(allowedAuthorityHosts) || !allowedAuthorityHosts.every((h) => typeof h === "string")) {
    throw new BaselineViolationError("AUTHORITY_NOT_ALLOWED", "allowedAuthorityHosts must be an array of host names.");
  }
  const allowed = [...MICROSOFT_AUTHORITY_HOSTS, ...allowedAuthorityHosts];
  const { origin, hostname } = validateHttpsOrigin(authorityHost, allowed, AUTHORITY_SUBJECT(allowedAuthorityHosts));
  return { origin, hostname, microsoft: MICROSOFT_AUTHORITY_HOSTS.includes(hostname) };
}
