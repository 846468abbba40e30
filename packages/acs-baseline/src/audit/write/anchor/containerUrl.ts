/**
 * IM-1 and DP-3 for the audit anchor: the storage container is reached over https, on an allowed host, with a
 * Microsoft Entra token only. A URL carrying a SAS (`sig=`), a storage connection string or an account key is refused,
 * as is anything else in the URL (query, fragment, user-info). Messages never echo the URL: it may carry a key.
 */
import { BaselineViolationError } from "../../../errors.js";
import { hostMatches } from "../../../guard/endpoint.js";

/** Storage hosts allowed by default: Azure public, US Government and China clouds. */
export const DEFAULT_STORAGE_HOSTS: readonly string[] = Object.freeze([
  "*.blob.core.windows.net",
  "*.blob.core.usgovcloudapi.net",
  "*.blob.core.chinacloudapi.cn",
]);

/** A container URL that passed {@link validateContainerUrl}. */
export interface ValidatedContainer {
  /** `https://host[:port]/[account/]container`, no trailing slash. */
  url: string;
  /** Lower-case host name (IPv6 without brackets). */
  hostname: string;
  /** Port as written, or 443. */
  port: number;
  /** The container's name. */
  container: string;
}

const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/;
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

function refuse(what: string, message: string): never {
  throw new BaselineViolationError("ENDPOINT_NOT_ALLOWED", `The audit anchor ${what} ${message}`);
}

/** Decodes every valid %XX escape (a stray `%` elsewhere does not stop it), repeatedly, to see through double encoding. */
function percentDecoded(value: string): string[] {
  const out = [value];
  let current = value;
  for (let i = 0; i < 3; i++) {
    const next = current.replace(/%([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === current) break;
    out.push(next);
    current = next;
  }
  return out;
}

/**
 * Refuses key material in a storage URL: a connection string or account key (CONNECTION_STRING_REFUSED) or a SAS
 * token (KEY_CREDENTIAL_REFUSED). Checked on the text as given and percent-decoded (also twice).
 */
export function assertNoStorageKey(value: string, what: string): void {
  for (const text of percentDecoded(value)) {
    if (/(?:^|[;\s])\s*(?:accountkey|sharedaccesssignature|defaultendpointsprotocol)\s*=/i.test(text)) {
      throw new BaselineViolationError(
        "CONNECTION_STRING_REFUSED",
        `The audit anchor ${what} is a storage connection string or carries an account key. Keys are refused: the anchor authenticates with the factory's Microsoft Entra credential. Use the plain container URL https://<account>.blob.core.windows.net/<container> and grant the identity a data role on it.`,
      );
    }
    if (/(?:^|[?&;])\s*sig\s*=/i.test(text)) {
      throw new BaselineViolationError(
        "KEY_CREDENTIAL_REFUSED",
        `The audit anchor ${what} carries a shared access signature (sig=). SAS tokens are refused: the anchor authenticates with the factory's Microsoft Entra credential. Remove the query string and grant the identity a data role on the container.`,
      );
    }
  }
}

/** The URL in `value`, when it is a plain absolute https URL: no key, user-info, query, fragment or odd characters. */
function parseHttpsUrl(value: unknown, what: string): URL {
  if (typeof value !== "string" || value.length === 0)
    refuse(what, "is missing or not a string. Set it to https://<account>.blob.core.windows.net/<container>.");
  if (value.length > 2048) refuse(what, "is longer than 2048 characters.");
  assertNoStorageKey(value, what);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value.trim())?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== "https") {
    throw new BaselineViolationError(
      "INSECURE_ENDPOINT",
      `The audit anchor ${what} uses "${scheme.length <= 10 ? scheme : "another scheme"}:"; the anchor must use https (TLS in transit), and storage refuses Bearer tokens over http.`,
    );
  }
  if (/\s/.test(value)) refuse(what, "contains white space.");
  if (/[^\x21-\x7e]/.test(value))
    refuse(what, "contains non-ASCII characters (a look-alike host). Use the ASCII host name.");
  if (value.includes("\\")) refuse(what, "contains a backslash.");
  if (!value.toLowerCase().startsWith("https://")) refuse(what, "is not an absolute https:// URL.");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    refuse(what, "is not a valid URL.");
  }
  if (url.username !== "" || url.password !== "" || value.slice(8).split(/[/?#]/)[0]?.includes("@") === true) {
    refuse(what, "contains user-info (user:password@). Credentials never belong in the URL.");
  }
  if (value.includes("?")) refuse(what, "contains a query string. Use the plain container URL.");
  if (value.includes("#")) refuse(what, "contains a fragment. Use the plain container URL.");
  return url;
}

/**
 * Validates a container URL (or, with `pathSegmentsAfterContainer`, a blob URL's container part).
 * Path style (`https://host:port/account/container`) is accepted on loopback hosts only, for Azurite.
 * @param allowedHosts - host patterns (`*.x` is any subdomain of x, anything else is exact)
 * @throws BaselineViolationError INSECURE_ENDPOINT when not https; CONNECTION_STRING_REFUSED / KEY_CREDENTIAL_REFUSED for
 * key material; ENDPOINT_NOT_ALLOWED for anything else wrong
 */
export function validateContainerUrl(
  value: unknown,
  allowedHosts: readonly string[] = DEFAULT_STORAGE_HOSTS,
  what = "containerUrl",
): ValidatedContainer {
  const url = parseHttpsUrl(value, what);
  const hostname = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (hostname.length === 0 || hostname.endsWith(".")) refuse(what, "has no host, or a host ending with a dot.");
  const isIpv6 = url.hostname.startsWith("[");
  if (!isIpv6 && !hostname.split(".").every((label) => HOST_LABEL.test(label)))
    refuse(what, "host is not a valid DNS name.");
  if (hostname.split(".").some((label) => label.startsWith("xn--")))
    refuse(what, "host contains a punycode (xn--) label.");
  if (!allowedHosts.some((entry) => hostMatches(hostname, entry))) {
    refuse(
      what,
      `host is not in the allowed storage hosts (${allowedHosts.map((h) => JSON.stringify(h)).join(", ")}). Use your storage account's blob host, or add the host to anchor.blob.allowedHosts (verify-log: --anchor-allowed-host).`,
    );
  }
  const segments = url.pathname.split("/").filter((s) => s.length > 0);
  const pathStyle = LOOPBACK.has(hostname);
  const expected = pathStyle ? 2 : 1;
  if (segments.length !== expected || url.pathname.includes("//")) {
    refuse(
      what,
      pathStyle ? "path must be /<account>/<container> on a loopback (emulator) host." : "path must be /<container>.",
    );
  }
  const container = segments[expected - 1];
  if (!CONTAINER_NAME.test(container))
    refuse(what, "container name is not valid (3-63 lower-case letters, digits and single inner hyphens).");
  if (pathStyle && !ACCOUNT_NAME.test(segments[0]))
    refuse(what, "account name is not valid (3-24 lower-case letters and digits).");
  const port = url.port === "" ? 443 : Number(url.port);
  const host = isIpv6 ? `[${hostname}]` : hostname;
  return {
    url: `https://${host}${url.port === "" ? "" : `:${url.port}`}/${segments.join("/")}`,
    hostname,
    port,
    container,
  };
}

const MAX_BLOB_NAME = 900;

/**
 * Validates a blob name for the anchor: 1-900 printable ASCII characters (room for a `.N` roll suffix within the
 * service's 1,024), no `?`, `#` or `\`, no empty, `.` or `..` path segment.
 * @throws BaselineViolationError ENDPOINT_NOT_ALLOWED
 */
export function validateBlobName(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_BLOB_NAME) {
    refuse("blobName", `must be a string of 1 to ${MAX_BLOB_NAME} characters.`);
  }
  assertNoStorageKey(value, "blobName");
  if (/[^\x21-\x7e]/.test(value))
    refuse("blobName", "may contain printable ASCII characters only (no spaces, controls or non-ASCII).");
  if (/[?#\\]/.test(value)) refuse("blobName", "may not contain '?', '#' or '\\'.");
  if (value.split("/").some((s) => s === "" || s === "." || s === ".."))
    refuse("blobName", "may not contain empty, '.' or '..' path segments.");
  return value;
}
