/**
 * The checkpoint signer: the key lives in the process (a PEM private key) or off the host (a `sign` function, e.g.
 * Azure Key Vault's `CryptographyClient.signData("ES256", data)`). What is signed: record/checkpointSignature.ts.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { sha256HexOfBytes } from "../record/canonical.js";
import { assertP256, loadPublicKey, verifySignature } from "../record/checkpointSignature.js";

/**
 * How checkpoints are signed: a private key in the process, or a signer that keeps the key elsewhere.
 * @public
 */
export type AuditSigningOptions =
  | {
      /** ECDSA P-256 private key: PEM text, or the path of a PEM file (never in the audit log's own directory). */
      privateKey: string;
      /** Written on every checkpoint (default: the first 16 hex digits of the public key's SHA-256). */
      keyId?: string;
    }
  | {
      /** Signs `data` with ECDSA P-256 / SHA-256 and returns r‖s (64 bytes), as Key Vault's `signData("ES256", data)` does. */
      sign(data: Uint8Array): Promise<Uint8Array>;
      /** The signer's public key (SPKI PEM): each signature is checked with it before it is written. */
      publicKey: string;
      /** Written on every checkpoint, e.g. the Key Vault key id. */
      keyId: string;
    };

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
      keyId: options.keyId ?? defaultKeyId(publicKey),
      signSync,
      sign: (data) => Promise.resolve(signSync(data)),
      publicKey,
    };
  }
  const remote = options as { sign?: unknown; publicKey?: unknown; keyId?: unknown };
  if (typeof remote.sign !== "function" || typeof remote.publicKey !== "string" || typeof remote.keyId !== "string") {
    throw new TypeError("audit.signing takes { privateKey, keyId? } or { sign(data), publicKey, keyId }.");
  }
  const publicKey = loadPublicKey(remote.publicKey);
  const signFn = remote.sign as (data: Uint8Array) => Promise<Uint8Array>;
  return {
    keyId: remote.keyId,
    sign: async (data) => {
      const sig = Buffer.from(await signFn(new Uint8Array(data)));
      if (!verifySignature(publicKey, data, sig))
        throw Object.assign(new Error("the signer's signature does not verify with its public key"), {
          code: "SIGNATURE_INVALID",
        });
      return sig;
    },
    publicKey,
  };
}
