/**
 * Reads an anchor back for `verify-log --anchor URL`: the append blob and its roll parts (`<name>.1`, `<name>.2`, …),
 * in order, split into lines. Same baseline as writing: https, no SAS, no key, a Microsoft Entra credential only
 * (a reader needs `Storage Blob Data Reader` on the container).
 */
import type { TokenCredential } from "@azure/core-auth";
import { assertTokenCredential } from "../../../guard/keyCredential.js";
import { anchorPartName, blobClientFactory } from "./blobClient.js";
import { DEFAULT_STORAGE_HOSTS, validateBlobName, validateContainerUrl } from "./containerUrl.js";
import { loadStorageBlob } from "./loadStorageBlob.js";

/** Options of {@link readAnchorLines}. */
export interface ReadAnchorOptions {
  /** A Microsoft Entra credential; keys and SAS are refused. */
  credential: TokenCredential;
  /** Hosts the blob may be on. Default: the Azure storage hosts (see `DEFAULT_STORAGE_HOSTS`). */
  allowedHosts?: readonly string[];
  /** TLS settings (e.g. `ca` of a local emulator). */
  tlsOptions?: { ca?: string | string[] };
  /** Largest total size read, in bytes. Default 1 GiB: an anchor is checkpoints, or a copy of a log. */
  maxBytes?: number;
}

/** Splits `https://host/container/blob/name` (or `https://127.0.0.1:port/account/container/blob`) into container URL and blob name. */
function splitBlobUrl(url: string, allowedHosts: readonly string[]): { containerUrl: string; blobName: string } {
  // Validate the whole text first (scheme, key material, query), then the container part on its own.
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const loopback = parsed !== undefined && ["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname.toLowerCase());
  const keep = loopback ? 2 : 1;
  const segments = parsed === undefined ? [] : parsed.pathname.split("/");
  // segments[0] is "" (leading slash).
  const containerPath = segments.slice(0, keep + 1).join("/");
  const blobPath = segments.slice(keep + 1).join("/");
  const containerUrl = parsed === undefined ? url : `${parsed.protocol}//${parsed.host}${containerPath}${parsed.search}${parsed.hash}`;
  validateContainerUrl(url.includes("?") || url.includes("#") || parsed === undefined || parsed.username !== "" ? url : containerUrl, allowedHosts, "URL");
  let blobName: string;
  try {
    blobName = decodeURIComponent(blobPath);
  } catch {
    blobName = blobPath;
  }
  return { containerUrl, blobName: validateBlobName(blobName) };
}

/**
 * The checks {@link readAnchorLines} makes on `url` (https, an allowed host, no SAS, no key, no query, one container
 * and a valid blob name), without a credential or the network: a caller can refuse a bad URL before it builds a
 * credential.
 * @throws BaselineViolationError as {@link readAnchorLines}
 */
export function checkAnchorUrl(url: string, allowedHosts: readonly string[] = DEFAULT_STORAGE_HOSTS): void {
  const { containerUrl } = splitBlobUrl(url, allowedHosts);
  validateContainerUrl(containerUrl, allowedHosts);
}

/**
 * Downloads the anchor blob at `url` and its roll parts, and returns their lines in order (empty lines dropped; a
 * last line without a newline is kept). Throws when the first blob does not exist.
 * @throws BaselineViolationError for a URL with a SAS, a key, http, a query or a host not allowed, or a credential
 * that is not a TokenCredential; RestError from storage (e.g. 403, 404)
 */
export async function readAnchorLines(url: string, options: ReadAnchorOptions): Promise<string[]> {
  const allowedHosts = options.allowedHosts ?? DEFAULT_STORAGE_HOSTS;
  const { containerUrl, blobName } = splitBlobUrl(url, allowedHosts);
  const target = validateContainerUrl(containerUrl, allowedHosts);
  assertTokenCredential(options.credential);
  const storage = await loadStorageBlob();
  const clientFor = blobClientFactory(storage, target, options.credential, {
    maxTries: 3,
    ...(options.tlsOptions !== undefined ? { tlsOptions: options.tlsOptions } : {}),
  });
  const maxBytes = options.maxBytes ?? 1024 * 1024 * 1024;
  const lines: string[] = [];
  let total = 0;
  for (let part = 0; ; part++) {
    const blob = clientFor(anchorPartName(blobName, part));
    let buffer: Buffer;
    try {
      buffer = await blob.downloadToBuffer();
    } catch (error) {
      if (part > 0 && (error as { statusCode?: unknown }).statusCode === 404) break;
      throw error;
    }
    total += buffer.length;
    if (total > maxBytes) throw new RangeError(`the anchor is larger than ${maxBytes} bytes`);
    for (const line of buffer.toString("utf8").split("\n")) if (line.length > 0) lines.push(line);
  }
  return lines;
}
