/**
 * The checkpoint signer: the key lives in the process (a PEM private key) or off the host (a `sign` function, e.g.
 * Azure Key Vault's `CryptographyClient.signData("ES256", data)`). What is signed: record/checkpointSignature.ts.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { sha256HexOfBytes } from "../record/canonical.js";
import {
  KEY_ID_SHAPE,
  KEY_VAULT_KEY_ID,
  assertP256,
  loadPublicKey,
  verifySignature,
} from "../record/checkpointSignature.js";
import { scrubText } from "../record/redaction.js";

/**
 * How checkpoints are signed: a private key in the process, or a signer that keeps the key elsewhere.
 * @public
 */
export type AuditSigningOptions =
  | {
      /** ECDSA P-256 private key: PEM text, or the path of a PEM file (never in the audit log's own directory). */
      privateKey: string;
      /**
       * Written on every checkpoint (default: the first 16 hex digits of the public key's SHA-256). 1–256 characters
       * of letters, digits and `- _ . : /`; anything else (or anything that looks like a secret) is refused.
       */
      keyId?: string;
    }
  | {
      /** Signs `data` with ECDSA P-256 / SHA-256 and returns r‖s (64 bytes), as Key Vault's `signData("ES256", data)` does. */
      sign(data: Uint8Array): Promise<Uint8Array>;
      /** The signer's public key (SPKI PEM): each signature is checked with it before it is written. */
      publicKey: string;
      /**
       * Written on every checkpoint, e.g. the Key Vault key id (`https://<vault>.vault.azure.net/keys/<name>/<version>`).
       * 1–256 characters of letters, digits and `- _ . : /`; anything else (or anything that looks like a secret) is
       * refused.
       */
      keyId: string;
      /**
       * Longest wait for one signature, in ms (default 5000). A signer that does not answer in time is recorded as
       * an `anchor.failure` (`SIGN_TIMEOUT`), and `close()` does not wait longer for it.
       */
      timeoutMs?: number;
    };

/** Default longest wait for a remote signature. */
export const DEFAULT_SIGN_TIMEOUT_MS = 5000;

/**
 * Checks a `keyId` before anything is signed with it: it goes into every checkpoint and into the immutable anchor.
 * A Key Vault key identifier ({@link KEY_VAULT_KEY_ID}) is accepted as it is.
 * @throws TypeError for a keyId outside {@link KEY_ID_SHAPE}, or one the scrubber would change (key material)
 */
export function checkKeyId(keyId: unknown): string {
  if (typeof keyId === "string" && KEY_VAULT_KEY_ID.test(keyId)) return keyId;
  if (typeof keyId !== "string" || !KEY_ID_SHAPE.test(keyId) || scrubText(keyId) !== keyId) {
    throw new TypeError(
      "audit.signing.keyId must be 1-256 characters of letters, digits and - _ . : / (a Key Vault key identifier fits), and must not hold key material.",
    );
  }
  return keyId;
}

/** `sign(data)`, rejected with `SIGN_TIMEOUT` when it has not settled after `timeoutMs`. */
function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(Object.assign(new Error(`the signer did not answer within ${timeoutMs} ms`), { code: "SIGN_TIMEOUT" })),
      timeoutMs,
    );
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A loaded signer. */
export interface CheckpointSigner {
  readonly keyId: string;
  /** Present for an in-process key: checkpoints are then signed synchronously, exactly every N records. */
  readonly signSync?: (data: Buffer) => Buffer;
  readonly sign: (data: Buffer) => Promise<Buffer>;
  readonly publicKey: KeyObject;
}

function defaultKeyId(pub: KeyObject): string {
  return sha256HexOfBytes(pub.export({ type: "spki", format: "der" })).slice(0, 16);
}

/**
 * Loads the signer for `options`. `logDir` is the audit file's directory: a private key file in it is refused (the key
 * must not sit next to the log it vouches for).
 */
export function loadSigner(
  options: AuditSigningOptions,
  logDir: string | undefined,
  resolvePath: (p: string) => string,
): CheckpointSigner {
  if ("privateKey" in options && typeof options.privateKey === "string") {
    let pem = options.privateKey;
    if (!pem.includes("-----BEGIN")) {
      const path = resolvePath(pem);
      if (logDir !== undefined && dirname(path) === logDir) {
        throw new TypeError(
          "audit.signing.privateKey: the key file is in the audit log's own directory; keep it elsewhere (anyone who can rewrite the log could then re-sign it).",
        );
      }
      pem = readFileSync(path, "utf8");
    }
    const key = createPrivateKey(pem);
    assertP256(key, "private key");
    const publicKey = createPublicKey(key);
    const signSync = (data: Buffer): Buffer => cryptoSign("sha256", data, { key, dsaEncoding: "ieee-p1363" });
    return {
      keyId: options.keyId === undefined ? defaultKeyId(publicKey) : checkKeyId(options.keyId),
      signSync,
      sign: (data) => Promise.resolve(signSync(data)),
      publicKey,
    };
  }
  const remote = options as { sign?: unknown; publicKey?: unknown; keyId?: unknown; timeoutMs?: unknown };
  if (typeof remote.sign !== "function" || typeof remote.publicKey !== "string" || typeof remote.keyId !== "string") {
    throw new TypeError("audit.signing takes { privateKey, keyId? } or { sign(data), publicKey, keyId }.");
  }
  const keyId = checkKeyId(remote.keyId);
  const timeoutMs = remote.timeoutMs ?? DEFAULT_SIGN_TIMEOUT_MS;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs < 1) {
    throw new TypeError("audit.signing.timeoutMs must be a number of milliseconds ≥ 1.");
  }
  const publicKey = loadPublicKey(remote.publicKey);
  const signFn = remote.sign as (data: Uint8Array) => Promise<Uint8Array>;
  return {
    keyId,
    sign: async (data) => {
      const sig = Buffer.from(
        await withTimeout(
          Promise.resolve().then(() => signFn(new Uint8Array(data))),
          timeoutMs,
        ),
      );
      if (!verifySignature(publicKey, data, sig))
        throw Object.assign(new Error("the signer's signature does not verify with its public key"), {
          code: "SIGNATURE_INVALID",
        });
      return sig;
    },
    publicKey,
  };
}
