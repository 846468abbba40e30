/**
 * Reads the end of the blob anchor for the writer's check at start: the last bytes of its roll parts, through
 * `@azure/storage-blob` ranged downloads, so that a huge blob costs no more than the bound.
 */
import type { AppendBlobClient } from "@azure/storage-blob";
import type { BlobClientFactory } from "./blobClient.js";
import { anchorPartName, describeError } from "./blobClient.js";

const isNotFound = (error: unknown): boolean => (error as { statusCode?: unknown }).statusCode === 404;

/**
 * `count` bytes of `client` from `offset`. Whatever the service sends beyond `count` (a server that ignores the range)
 * is never held: reading stops at `count`.
 */
async function downloadRange(
  client: AppendBlobClient,
  offset: number,
  count: number,
  signal: AbortSignal,
): Promise<Buffer> {
  const response = await client.download(offset, count, { abortSignal: signal, maxRetryRequests: 0 });
  const body = response.readableStreamBody;
  if (body === undefined) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    const kept = bytes.subarray(0, count - size);
    chunks.push(kept);
    size += kept.length;
    if (size >= count) break; // leaving the loop destroys the stream
  }
  return Buffer.concat(chunks, size);
}

/**
 * The last `maxBytes` of the anchor blob `blobName` and its roll parts (`<name>.1`, `<name>.2`, …), in order, as text:
 * the tail of the last part, and of the parts before it while the bound allows. "" when the blob does not exist.
 * Every request carries `signal`.
 * @throws the storage error (403, network) or the abort
 */
export async function readBlobTail(
  clientFor: BlobClientFactory,
  blobName: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<string> {
  try {
    return await readTail(clientFor, blobName, maxBytes, signal);
  } catch (error) {
    // storage's own code (a HEAD answer carries it only in a header), e.g. AuthenticationFailed, never its text
    throw Object.assign(new Error("the anchor blob could not be read"), { code: describeError(error).code });
  }
}

async function readTail(
  clientFor: BlobClientFactory,
  blobName: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<string> {
  const lengths: number[] = [];
  for (let part = 0; ; part++) {
    try {
      const props = await clientFor(anchorPartName(blobName, part)).getProperties({ abortSignal: signal });
      lengths.push(Math.max(0, props.contentLength ?? 0));
    } catch (error) {
      if (isNotFound(error)) break;
      throw error;
    }
  }
  const chunks: Buffer[] = [];
  let remaining = Math.max(0, Math.floor(maxBytes));
  for (let part = lengths.length - 1; part >= 0 && remaining > 0; part--) {
    const count = Math.min(lengths[part], remaining);
    if (count === 0) continue;
    const client = clientFor(anchorPartName(blobName, part));
    chunks.unshift(await downloadRange(client, lengths[part] - count, count, signal));
    remaining -= count;
  }
  return Buffer.concat(chunks).toString("utf8");
}
