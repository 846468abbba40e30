/**
 * IM-1: where the factory's credential may send a request. Fixed when the credential is built: the checked
 * authority's host and port over https (metadata, token endpoint, instance discovery) and, for managed identity, the
 * identity endpoint read from the environment once. A metadata document naming another `token_endpoint`, a regional
 * authority, or an endpoint variable planted later all miss this list and are refused before anything is sent.
 */
import { BaselineViolationError } from "../errors.js";
import type { ValidatedAuthority } from "../guard/authority.js";
import { MICROSOFT_AUTHORITY_HOSTS } from "../guard/authority.js";

/** One place the credential may send requests to. */
export interface CredentialDestination {
  protocol: "https:" | "http:";
  hostname: string;
  port: number;
}

const defaultPort = (protocol: string) => (protocol === "http:" ? 80 : 443);
const bare = (hostname: string) => hostname.toLowerCase().replace(/^\[|\]$/g, "");

/** The destination of an origin (`https://host[:port]` or, for a local identity endpoint, `http://…`). */
export function destinationOf(origin: string): CredentialDestination {
  const url = new URL(origin);
  const protocol = url.protocol === "http:" ? "http:" : "https:";
  return {
    protocol,
    hostname: bare(url.hostname),
    port: url.port === "" ? defaultPort(url.protocol) : Number(url.port),
  };
}

/**
 * Where a credential of `authority` may send requests: its own host and port; for a Microsoft cloud login host also
 * the other Microsoft login hosts on 443, since MSAL sends token requests to a cloud's preferred alias
 * (`login.windows.net` → `login.microsoftonline.com`). An allow-listed authority gets its own origin only.
 */
export function authorityDestinations(authority: ValidatedAuthority): CredentialDestination[] {
  const own = destinationOf(authority.origin);
  if (!authority.microsoft) return [own];
  return [own, ...MICROSOFT_AUTHORITY_HOSTS.map((hostname) => ({ protocol: "https:" as const, hostname, port: 443 }))];
}

/** A host name for a message: as parsed by the URL parser (no control characters), at most 253 characters. */
function hostForMessage(hostname: string): string {
  return hostname.replace(/[^\w.:-]/g, "?").slice(0, 253);
}

/**
 * The destination of `url` when it is one of `allowed`; otherwise the refusal.
 * @returns the matching destination, or a BaselineViolationError AUTHORITY_NOT_ALLOWED naming the host
 */
export function matchDestination(
  url: string,
  allowed: readonly CredentialDestination[],
): CredentialDestination | BaselineViolationError {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return new BaselineViolationError(
      "AUTHORITY_NOT_ALLOWED",
      "The credential transport refused a token request whose URL is not valid.",
    );
  }
  const hostname = bare(parsed.hostname);
  const port = parsed.port === "" ? defaultPort(parsed.protocol) : Number(parsed.port);
  const found = allowed.find((d) => d.protocol === parsed.protocol && d.hostname === hostname && d.port === port);
  if (found !== undefined && parsed.username === "" && parsed.password === "") return found;
  return new BaselineViolationError(
    "AUTHORITY_NOT_ALLOWED",
    `The credential transport refused a token request to ${parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.protocol.slice(0, -1) + "://" : "a non-http URL at "}${hostForMessage(hostname)}${parsed.port === "" ? "" : `:${port}`}: the credential may only reach the checked authority (and the managed-identity endpoint read at construction). An OpenID metadata document naming a token_endpoint on another host, a regional authority (AZURE_REGIONAL_AUTHORITY_NAME, MSAL_FORCE_REGION) or a redirect all end here; nothing was sent.`,
  );
}
