/**
 * DP-3: the ACS endpoint must be https, to an allowed host, with nothing else in the URL. Messages never echo the
 * endpoint (it may carry user-info or a key by mistake).
 */
import { scrubText } from "../text/scrub.js";
import { BaselineViolationError } from "../errors.js";
import { endsWith, slice, startsWith, toLowerCase } from "./builtins.js";

/** Hosts allowed by default: the public and US Government ACS domains. @public */
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = Object.freeze([
  "*.communication.azure.com",
  "*.communication.azure.us",
]);

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

/** A host-name pattern as `allowedHosts` takes it (`*.x`, a DNS name, an IP literal): the only entries a message shows. */
const HOST_PATTERN_SHAPE = /^(?:\*\.)?[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:.]{2,45}\]$/;
/** Most entries a message lists. */
const MAX_HOSTS_SHOWN = 20;

/**
 * A caller's host list for a refusal message: each entry quoted when it is host-shaped and unchanged by the audit
 * log's redaction, otherwise `<not a host name>`, so an entry that holds a key or a connection string by mistake never
 * reaches the message.
 */
export function describeHostList(hosts: readonly unknown[]): string {
  const shown = hosts
    .slice(0, MAX_HOSTS_SHOWN)
    .map((h) =>
      typeof h === "string" && HOST_PATTERN_SHAPE.test(h) && scrubText(h) === h
        ? JSON.stringify(h)
        : "<not a host name>",
    );
  if (hosts.length > MAX_HOSTS_SHOWN) shown.push(`and ${hosts.length - MAX_HOSTS_SHOWN} more`);
  return shown.join(", ");
}

/** What {@link validateHttpsOrigin} checks and how it words its refusals. */
export interface HttpsOriginSubject {
  /** Noun in messages: "endpoint", "authority host". */
  noun: string;
  /** Code for a non-https scheme. */
  insecureCode: "INSECURE_ENDPOINT" | "AUTHORITY_NOT_ALLOWED";
  /** Code for everything else. */
  refuseCode: "ENDPOINT_NOT_ALLOWED" | "AUTHORITY_NOT_ALLOWED";
  /** Code and sentence for a missing value (default: `refuseCode`, "The <noun> is missing or not a string."). */
  missingCode?: "ENDPOINT_NOT_CONFIGURED";
  missing?: (example: string) => string;
  /** What a correct value looks like, e.g. `https://<name>.communication.azure.com`. */
  example: string;
  /** Why a look-alike matters, e.g. "an ACS host". */
  lookAlikeOf: string;
  /** Why https matters, e.g. "ACS data-plane traffic must use https (TLS in transit)". */
  whyHttps: string;
  /** Sentence appended when the host is not allowed. */
  notAllowedHint: (allowedHosts: readonly string[]) => string;
}

/**
 * Where the endpoint and its allow-list were configured, as a refusal names them: the option (`endpoint option`,
 * `allowedHosts`) or the environment variable (`AZURE_COMMUNICATION_ENDPOINT`, `AZURE_COMMUNICATION_ALLOWED_HOSTS`).
 */
export interface EndpointSource {
  /** What set the endpoint, e.g. `the endpoint option` or `AZURE_COMMUNICATION_ENDPOINT`. */
  endpoint: string;
  /** Where the allowed hosts come from, e.g. `allowedHosts`. */
  allowedHosts: string;
  /** Where a host can be added, e.g. `allowedHosts`. */
  addTo: string;
  /** The sentence for a missing endpoint. */
  missing: string;
}

/** The constructor's source: both values are options. */
export const OPTION_ENDPOINT_SOURCE: EndpointSource = Object.freeze({
  endpoint: "the endpoint option",
  allowedHosts: "allowedHosts",
  addTo: "allowedHosts",
  missing: "the endpoint option is missing, empty or not a string",
});

function endpointSubject(source: EndpointSource): HttpsOriginSubject {
  return {
    noun: source.endpoint === OPTION_ENDPOINT_SOURCE.endpoint ? "endpoint" : `endpoint (${source.endpoint})`,
    insecureCode: "INSECURE_ENDPOINT",
    refuseCode: "ENDPOINT_NOT_ALLOWED",
    missingCode: "ENDPOINT_NOT_CONFIGURED",
    missing: (example) => `No ACS endpoint: ${source.missing}. Set it to ${example}.`,
    example: "https://<name>.communication.azure.com",
    lookAlikeOf: "an ACS host",
    whyHttps: "ACS data-plane traffic must use https (TLS in transit)",
    notAllowedHint: (allowedHosts) =>
      `The endpoint host is not in ${source.allowedHosts} (${describeHostList(allowedHosts)}). Use your ACS resource's host, or add it to ${source.addTo}.`,
  };
}

/**
 * Validates the ACS endpoint against the baseline (DP-3). `source` says where the endpoint and the allowed hosts were
 * configured, so each refusal names the option or variable to change (default: the options).
 * @throws BaselineViolationError ENDPOINT_NOT_CONFIGURED when it is missing, empty or not a string;
 * INSECURE_ENDPOINT when the scheme is not https; ENDPOINT_NOT_ALLOWED for anything else wrong (not a URL, white
 * space, user-info, path, query, fragment, non-ASCII or punycode host, host outside `allowedHosts`).
 */
export function validateEndpoint(
  endpoint: unknown,
  allowedHosts: readonly string[] = DEFAULT_ALLOWED_HOSTS,
  source: EndpointSource = OPTION_ENDPOINT_SOURCE,
): ValidatedEndpoint {
  return validateHttpsOrigin(endpoint, allowedHosts, endpointSubject(source));
}

/**
 * The shared rules for an https origin that secrets or tokens are sent to (the ACS endpoint, the Entra authority):
 * https, an absolute URL with nothing but `https://host[:port]` (a trailing `/` is fine), an ASCII DNS name or IP
 * literal without punycode labels, and a host matching one `allowedHosts` entry ({@link hostMatches}). Messages never
 * echo the value.
 */
export function validateHttpsOrigin(
  value: unknown,
  allowedHosts: readonly string[],
  subject: HttpsOriginSubject,
): ValidatedEndpoint {
  const { noun, example } = subject;
  const refuse = (message: string): never => {
    throw new BaselineViolationError(subject.refuseCode, message);
  };
  if (typeof value !== "string" || value.trim().length === 0) {
    throw new BaselineViolationError(
      subject.missingCode ?? subject.refuseCode,
      subject.missing?.(example) ?? `The ${noun} is missing or not a string. Set it to ${example}.`,
    );
  }
  const endpoint = value;
  const scheme = SCHEME.exec(endpoint.trim())?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== "https") {
    throw new BaselineViolationError(
      subject.insecureCode,
      `The ${noun} uses "${scheme.length <= 10 ? scheme : "another scheme"}:"; ${subject.whyHttps}. Use ${example}.`,
    );
  }
  if (endpoint.length > 2048) refuse(`The ${noun} is longer than 2048 characters.`);
  if (/\s/.test(endpoint)) refuse(`The ${noun} contains white space. Remove it.`);
  if (/[^\x21-\x7e]/.test(endpoint)) {
    refuse(
      `The ${noun} contains non-ASCII characters (an internationalised host can be a look-alike of ${subject.lookAlikeOf}). Use the ASCII host name.`,
    );
  }
  if (endpoint.includes("\\")) refuse(`The ${noun} contains a backslash.`);
  if (scheme === undefined || !endpoint.toLowerCase().startsWith("https://")) {
    refuse(`The ${noun} is not an absolute https:// URL. Use ${example}.`);
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return refuse(`The ${noun} is not a valid URL. Use ${example}.`);
  }
  if (url.username !== "" || url.password !== "" || endpoint.slice(8).split(/[/?#]/)[0].includes("@")) {
    refuse(
      `The ${noun} contains user-info (user:password@). Credentials never belong in the ${noun}; authenticate with Microsoft Entra ID.`,
    );
  }
  if (endpoint.includes("?")) refuse(`The ${noun} contains a query string. Use only https://<host>[:port].`);
  if (endpoint.includes("#")) refuse(`The ${noun} contains a fragment. Use only https://<host>[:port].`);
  const afterScheme = endpoint.slice("https://".length);
  const slash = afterScheme.indexOf("/");
  if (url.pathname !== "/" || (slash !== -1 && afterScheme.slice(slash) !== "/"))
    refuse(`The ${noun} contains a path. Use only https://<host>[:port].`);
  const hostname = stripBrackets(url.hostname.toLowerCase());
  if (hostname.length === 0) refuse(`The ${noun} has no host.`);
  if (hostname.endsWith(".")) refuse(`The ${noun} host ends with a dot. Use the host name without it.`);
  const isIpv6 = url.hostname.startsWith("[");
  if (!isIpv6 && !hostname.split(".").every((label) => HOST_LABEL.test(label))) {
    refuse(`The ${noun} host is not a valid DNS name (each label: letters, digits and inner hyphens).`);
  }
  if (hostname.split(".").some((label) => label.startsWith("xn--"))) {
    refuse(
      `The ${noun} host contains a punycode (xn--) label, which can be a look-alike of ${subject.lookAlikeOf}. Use the ASCII host name.`,
    );
  }
  if (!allowedHosts.some((entry) => hostMatches(hostname, entry))) refuse(subject.notAllowedHint(allowedHosts));
  const port = url.port === "" ? 443 : Number(url.port);
  return { origin: `https://${url.host.toLowerCase()}`, hostname, port };
}

/**
 * A host name as the guard compares it: lower case, without IPv6 brackets and without one trailing dot (`host.` is
 * the same host written as a fully qualified name; a configured host never has one).
 */
export function comparableHostname(host: string): string {
  // Built-ins captured at load (builtins.ts): the wire backstop decides with this on every request.
  let name = toLowerCase(host);
  if (startsWith(name, "[")) name = slice(name, 1);
  if (endsWith(name, "]")) name = slice(name, 0, name.length - 1);
  return endsWith(name, ".") ? slice(name, 0, name.length - 1) : name;
}
