/**
 * IM-3: the federated token file of workload identity federation (AZURE_FEDERATED_TOKEN_FILE). Checked before the
 * credential is built, and described for `doctor`, without ever putting its content into an error or output.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";
import { ENVIRONMENT_VARIABLES } from "../config/readEnvironment.js";
import { BaselineViolationError } from "../errors.js";

/** What can be said about a federated token file without revealing the token. */
export interface FederatedTokenInfo {
  /** The token's issuer (`iss`), printable ASCII, at most 200 characters; absent when the file is not a JWT. */
  issuer?: string;
  /** The token's expiry (`exp`), when it is a JWT with one. */
  expiresOn?: Date;
}

const MAX_TOKEN_BYTES = 64 * 1024;

/** The environment variable that names the federated token file. */
export const FEDERATED_TOKEN_FILE_VARIABLE = ENVIRONMENT_VARIABLES.federatedTokenFile;

function notConfigured(message: string): never {
  throw new BaselineViolationError("CREDENTIAL_NOT_CONFIGURED", message);
}

/**
 * The federated token file's content, read with the checks a file needs, every time it is read (at construction and
 * for each token request): stat'ed before it is opened (opening a FIFO blocks until a writer appears), opened
 * non-blocking and checked again (the path may be swapped in between), at most 64 KiB (a path swapped for a link to
 * `/dev/zero` or a large file is refused, never read to the end). Upstream's WorkloadIdentityCredential reads the path
 * with a plain `readFile` at each refresh, so a FIFO there held a thread-pool thread forever and a link to `/dev/zero`
 * read until the process ran out of memory.
 * @param source - what the messages name: the variable (default) or `workloadIdentity.tokenFilePath`
 * @throws BaselineViolationError CREDENTIAL_NOT_CONFIGURED when the file is missing, unreadable, not a regular file,
 * larger than 64 KiB or empty.
 */
export function readFederatedTokenFile(path: string, source: string = FEDERATED_TOKEN_FILE_VARIABLE): string {
  const file = `The federated token file (${source})`;
  let fd: number | undefined;
  let text: string;
  try {
    if (!statSync(path).isFile()) notConfigured(`${file} is not a regular file.`);
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile()) notConfigured(`${file} is not a regular file.`);
    if (stat.size > MAX_TOKEN_BYTES) notConfigured(`${file} is larger than ${MAX_TOKEN_BYTES} bytes.`);
    // A file that says it is empty is (procfs files say 0 and are not tokens).
    if (stat.size === 0) notConfigured(`${file} is empty.`);
    const buffer = Buffer.alloc(stat.size);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    text = buffer.subarray(0, read).toString("utf8").trim();
  } catch (error) {
    if (error instanceof BaselineViolationError) throw error;
    const code = (error as { code?: unknown }).code;
    notConfigured(
      `${file} cannot be read (${typeof code === "string" ? code.slice(0, 16) : "error"}). Check the path and that the projected token volume is mounted.`,
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (text.length === 0) notConfigured(`${file} is empty.`);
  return text;
}

/**
 * Reads the federated token file (with the checks of `readFederatedTokenFile`). The token's claims are decoded (not verified:
 * Entra verifies them) only to describe it.
 * @throws BaselineViolationError CREDENTIAL_NOT_CONFIGURED when the file is missing, unreadable, not a regular file,
 * too large or empty.
 */
export function inspectFederatedTokenFile(path: string): FederatedTokenInfo {
  const text = readFederatedTokenFile(path);
  const parts = text.split(".");
  if (parts.length !== 3) return {};
  try {
    const claims = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8")) as {
      iss?: unknown;
      exp?: unknown;
    };
    return {
      ...(typeof claims.iss === "string" ? { issuer: claims.iss.replace(/[^\x20-\x7e]/g, "?").slice(0, 200) } : {}),
      ...(typeof claims.exp === "number" && Number.isFinite(claims.exp) && Math.abs(claims.exp) < 1e11
        ? { expiresOn: new Date(claims.exp * 1000) }
        : {}),
    };
  } catch {
    return {};
  }
}
