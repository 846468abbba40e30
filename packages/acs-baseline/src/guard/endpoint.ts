/**
 * DP-3: the ACS endpoint must be https, to an allowed host, with nothing else in the URL. Messages never echo the
 * endpoint (it may carry user-info or a key by mistake).
 */
import { BaselineViolationError } from "../errors.js";

/** Hosts allowed by default: the public and US Government ACS domains. @public */
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = Object.freeze(["*.communication.azure.com", "*.communication.azure.us"]);

/** A validated endpoint. */
export interface ValidatedEndpoint {
  /** `https://host[:port]` without a trailing slash: what clients are given. */
  origin: string;
  /** Lower-case host name (IPv6 without brackets). */
  hostname: string;
  /** Port as written, or 443. */
  port: number;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function refuse(message: string): never {
  throw new BaselineViolationError("ENDPOINT_NOT_ALLOWED", message);
}

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** True when `hostname` matches one allowed-host entry: `*.x` is any subdomain of x, anything else is exact. */
export function hostMatches(hostname: string, entry: string): boolean {
  const pattern = stripBrackets(entry.trim().toLowerCase());
  if (pattern.startsWith("*.")) {
    const suffix = pattern.slice(1); // ".x"
    return hostname.length > suffix.length && hostname.endsWith(suffix);
  }
  return hostname === pattern;
}

/**
 * Validates the ACS endpoint against the baseline (DP-3).
 * @throws BaselineViolationError INSECURE_ENDPOINT when the scheme is not https; ENDPOINT_NOT_ALLOWED for anything
 * else wrong (not a URL, white space, user-info, path, query, fragment, non-ASCII or punycode host, host outside
 * `allowedHosts`).
 */
export function validateEndpoint(endpoint: unknown, allowedHosts: readonly string[] = DEFAULT_ALLOWED_HOSTS): ValidatedEndpoint {
  if (typeof endpoint !== "string" || endpoint.length === 0) {
    refuse("The endpoint is missing or not a string. Set it to your resource's https://<name>.communication.azure.com URL.");
  }
  const scheme = SCHEME.exec(endpoint.trim())?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== "https") {
    throw new BaselineViolationError(
      "INSECURE_ENDPOINT",
      `The endpoint uses "${scheme.length <= 10 ? scheme : "another scheme"}:"; ACS data-plane traffic must use https (TLS in transit). Use https://<name>.communication.azure.com.`,
    );
  }
  if (endpoint.length > 2048) refuse("The endpoint is longer than 2048 characters.");
  if (/\s/.test(endpoint)) refuse("The endpoint contains white space. Remove it.");
  if (/[^\x21-\x7e]/.test(endpoint)) {
    refuse("The endpoint contains non-ASCII characters (an internationalised host can be a look-alike of an ACS host). Use the ASCII host name.");
  }
  if (endpoint.includes("\\")) refuse("The endpoint contains a backslash.");
  if (scheme === undefined || !endpoint.toLowerCase().startsWith("https://")) {
    refuse("The endpoint is not an absolute https:// URL. Use https://<name>.communication.azure.com.");
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    refuse("The endpoint is not a valid URL. Use https://<name>.communication.azure.com.");
  }
  if (url.username !== "" || url.password !== "" || endpoint.slice(8).split(/[/?#]/)[0].includes("@")) {
    refuse("The endpoint contains user-info (user:password@). Credentials never belong in the endpoint; authenticate with Microsoft Entra ID.");
  }
  if (endpoint.includes("?")) refuse("The endpoint contains a query string. Use only https://<host>[:port].");
  if (endpoint.includes("#")) refuse("The endpoint contains a fragment. Use only https://<host>[:port].");
  const afterScheme = endpoint.slice("https://".length);
  const slash = afterScheme.indexOf("/");
  if (url.pathname !== "/" || (slash !== -1 && afterScheme.slice(slash) !== "/")) refuse("The endpoint contains a path. Use only https://<host>[:port].");
  const hostname = stripBrackets(url.hostname.toLowerCase());
  if (hostname.length === 0) refuse("The endpoint has no host.");
  if (hostname.endsWith(".")) refuse("The endpoint host ends with a dot. Use the host name without it.");
  const isIpv6 = url.hostname.startsWith("[");
  if (!isIpv6 && !hostname.split(".").every((label) => HOST_LABEL.test(label))) {
    refuse("The endpoint host is not a valid DNS name (each label: letters, digits and inner hyphens).");
  }
  if (hostname.split(".").some((label) => label.startsWith("xn--"))) {
    refuse("The endpoint host contains a punycode (xn--) label, which can be a look-alike of an ACS host. Use the ASCII host name.");
  }
  if (!allowedHosts.some((entry) => hostMatches(hostname, entry))) {
    refuse(
      `The endpoint host is not in allowedHosts (${allowedHosts.map((h) => JSON.stringify(h)).join(", ")}). Use your ACS resource's host, or add it to allowedHosts.`,
    );
  }
  const port = url.port === "" ? 443 : Number(url.port);
  return { origin: `https://${url.host.toLowerCase()}`, hostname, port };
}
