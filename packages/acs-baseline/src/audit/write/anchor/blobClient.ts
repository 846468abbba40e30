/**
 * Where the anchor's blobs are and how to reach them: blob names (the default name, roll parts), and a storage client
 * per blob with the anchor's pipeline (Entra scope, own retries, request timeout, optional TLS trust, the request
 * guard). Shared by the blob anchor and its read-back.
 */
import { hostname as osHostname } from "node:os";
import { basename } from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { AppendBlobClient, StoragePipelineOptions } from "@azure/storage-blob";
import { createRequestGuardPolicy } from "../../../guard/requestGuard.js";
import { proxyConfigured } from "../../../guard/proxyAgent.js";
import { assertTlsVerification } from "../../../guard/tlsVerification.js";
import type { ValidatedContainer } from "./containerUrl.js";
import type { StorageBlobModule } from "./loadStorageBlob.js";

/** The only token scope the anchor asks for. */
export const STORAGE_SCOPE = "https://storage.azure.com/.default";
function sanitizeNamePart(value: string, fallback: string): string {
  const cleaned = value
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .replace(/^[._]+/, "")
    .slice(0, 100);
  return cleaned.length > 0 && cleaned !== "." && cleaned !== ".." ? cleaned : fallback;
}

/**
 * The default blob name: `acs-audit/<host name>/<audit file base name>.jsonl` (each part reduced to letters, digits,
 * `.`, `_`, `-`; `audit` when there is no file name), so that every host and every log gets its own append blob.
 */
export function defaultAnchorBlobName(auditFileName?: string, host: string = osHostname()): string {
  const file =
    auditFileName === undefined
      ? "audit"
      : sanitizeNamePart(basename(auditFileName).replace(/\.(jsonl|log|json)$/i, ""), "audit");
  return `acs-audit/${sanitizeNamePart(host, "host")}/${file}.jsonl`;
}

/** Blob name of roll part `n` (0 is the blob name itself). */
export function anchorPartName(blobName: string, part: number): string {
  return part === 0 ? blobName : `${blobName}.${part}`;
}

/** URL of a blob in a container: each path segment of the name percent-encoded. */
export function blobUrlOf(containerUrl: string, blobName: string): string {
  return `${containerUrl}/${blobName.split("/").map(encodeURIComponent).join("/")}`;
}

/** Makes the client of one blob. */
export type BlobClientFactory = (blobName: string) => AppendBlobClient;

/**
 * A client per blob, each with its own pipeline: `@azure/storage-blob` shares one pipeline between a container client
 * and the blob clients it hands out, and adding our guard policy to it a second time fails.
 */
export function blobClientFactory(
  storage: StorageBlobModule,
  target: ValidatedContainer,
  credential: TokenCredential,
  options: { tlsOptions?: { ca?: string | string[] }; requestTimeoutMs?: number; maxTries?: number },
): BlobClientFactory {
  // The storage token is an Entra token: certificate verification stays on (as for the factory's clients).
  assertTlsVerification({ tlsOptions: options.tlsOptions }, "audit.anchor.blob");
  return (blobName) =>
    new storage.AppendBlobClient(blobUrlOf(target.url, blobName), credential, pipelineOptions(target, options));
}

export function positiveInt(value: number | undefined, fallback: number, max: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 1) throw new RangeError(`audit anchor ${what} must be a positive number`);
  return Math.min(Math.floor(value), max);
}

// eslint-disable-next-line no-control-regex -- these are the characters to escape
const ESCAPES = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A short, secret-free, single-line description of an error. */
export function describeError(error: unknown): { code: string; message: string } {
  const e = (error ?? {}) as {
    code?: unknown;
    statusCode?: unknown;
    name?: unknown;
    message?: unknown;
    details?: { errorCode?: unknown };
    response?: { headers?: { get?: (name: string) => unknown } };
  };
  const status = typeof e.statusCode === "number" ? e.statusCode : undefined;
  // A HEAD answer has no body: storage's error code is then only in the x-ms-error-code header.
  const headerCode =
    typeof e.response?.headers?.get === "function" ? e.response.headers.get("x-ms-error-code") : undefined;
  const candidates = [
    e.code,
    e.details?.errorCode,
    headerCode,
    status !== undefined ? `HTTP_${status}` : undefined,
    e.name,
  ];
  const rawCode = (candidates.find((c) => typeof c === "string" && c.length > 0) as string | undefined) ?? "Error";
  const code = rawCode.replace(/[^A-Za-z0-9_.-]/g, "").slice(0, 64) || "Error";
  let message = typeof e.message === "string" ? (e.message.split("\n")[0] ?? "") : "";
  message = message
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/gi, "Bearer ***")
    .replace(/([?&;]\s*sig\s*=)[^&\s]*/gi, "$1***")
    .replace(/(accountkey\s*=)[^;\s]*/gi, "$1***")
    .replace(/https?:\/\/\S+/g, "<url>")
    .replace(ESCAPES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .slice(0, 200);
  return { code, message: status !== undefined ? `HTTP ${status}: ${message}` : message };
}

/**
 * Storage client options: the anchor's own retries (the SDK's are off, so backoff and reporting are one loop), the
 * Entra scope, a request timeout, optional TLS trust, and the request guard as the last policy (https to the
 * container's host with a Bearer token, nothing else). `tlsOptions` and `additionalPolicies` are passed through to
 * `@azure/core-client` (not in `StoragePipelineOptions`' type); a test pins that they take effect.
 */
function pipelineOptions(
  target: ValidatedContainer,
  options: { tlsOptions?: { ca?: string | string[] }; requestTimeoutMs?: number; maxTries?: number },
): StoragePipelineOptions {
  // With the transport checks (requestOverrides, a foreign agent, the request's TLS settings, NODE_TLS_REJECT_UNAUTHORIZED
  // set later) on every attempt: storage builds its own HttpClient, so this policy is the anchor's last check.
  const guard: PipelinePolicy = createRequestGuardPolicy({ hostname: target.hostname, port: target.port }, undefined, {
    proxy: proxyConfigured(undefined),
  });
  const extra: {
    tlsOptions?: { ca?: string | string[] };
    additionalPolicies: { policy: PipelinePolicy; position: "perRetry" }[];
  } = {
    additionalPolicies: [{ policy: guard, position: "perRetry" }],
    ...(options.tlsOptions !== undefined ? { tlsOptions: options.tlsOptions } : {}),
  };
  const base: StoragePipelineOptions = {
    audience: STORAGE_SCOPE,
    retryOptions: {
      maxTries: options.maxTries ?? 1,
      tryTimeoutInMs: positiveInt(options.requestTimeoutMs, 30_000, 600_000, "requestTimeoutMs"),
    },
  };
  return Object.assign(base, extra);
}
