/**
 * Checkpoint signatures: ECDSA P-256 with SHA-256 (JWS `ES256`), signatures in IEEE P1363 form (r‖s, 64 bytes,
 * base64url). The key lives in the process (a PEM private key) or off the host (a `sign` function, e.g. Azure Key
 * Vault's `CryptographyClient.signData("ES256", data)`); the verifier needs only the SPKI PEM public key.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { canonicalJson, sha256HexOfBytes } from "./canonical.js";

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

/** The signature algorithm written on every checkpoint. */
export const CHECKPOINT_ALG = "ES256";

/** What a checkpoint signs (canonical JSON of these members, UTF-8). */
export interface CheckpointHead {
  /** `seq` of the sealed record (the head of the chain when the checkpoint was taken). */
  seq: number;
  /** `hash` of the sealed record. */
  hash: string;
  keyId: string;
  /** `sig` of the previous checkpoint in the chain; empty for the first one after a `log.open` that could not find it. */
  prevSig: string;
}

/** The bytes a checkpoint's signature covers. */
export function signingInput(head: CheckpointHead): Buffer {
  return Buffer.from(canonicalJson({ alg: CHECKPOINT_ALG, hash: head.hash, keyId: head.keyId, prevSig: head.prevSig, seq: head.seq }), "utf8");
}

/** A loaded signer. */
export interface CheckpointSigner {
  readonly keyId: string;
  /** Present for an in-process key: checkpoints are then signed synchronously, exactly every N records. */
  readonly signSync?: (data: Buffer) => Buffer;
  readonly sign: (data: Buffer) => Promise<Buffer>;
  readonly publicKey: KeyObject;
}

function assertP256(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new TypeError(`audit.signing: the ${what} must be an ECDSA P-256 (prime256v1) key; got ${key.asymmetricKeyType ?? "unknown"}${key.asymmetricKeyDetails?.namedCurve !== undefined ? ` ${key.asymmetricKeyDetails.namedCurve}` : ""}.`);
  }
}

/** Reads an SPKI PEM public key (PEM text or a file path) and checks it is P-256. */
export function loadPublicKey(pemOrPath: string): KeyObject {
  const text = pemOrPath.includes("-----BEGIN") ? pemOrPath : readFileSync(pemOrPath, "utf8");
  const key = createPublicKey(text);
  assertP256(key, "public key");
  return key;
}

function defaultKeyId(pub: KeyObject): string {
  return sha256HexOfBytes(pub.export({ type: "spki", format: "der" })).slice(0, 16);
}

/**
 * Loads the signer for `options`. `logDir` is the audit file's directory: a private key file in it is refused (the key
 * must not sit next to the log it vouches for).
 */
export function loadSigner(options: AuditSigningOptions, logDir: string | undefined, resolvePath: (p: string) => string): CheckpointSigner {
  if ("privateKey" in options && typeof options.privateKey === "string") {
    let pem = options.privateKey;
    if (!pem.includes("-----BEGIN")) {
      const path = resolvePath(pem);
      if (logDir !== undefined && dirname(path) === logDir) {
        throw new TypeError("audit.signing.privateKey: the key file is in the audit log's own directory; keep it elsewhere (anyone who can rewrite the log could then re-sign it).");
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
      if (!verifySignature(publicKey, data, sig)) throw Object.assign(new Error("the signer's signature does not verify with its public key"), { code: "SIGNATURE_INVALID" });
      return sig;
    },
    publicKey,
  };
}

/** True when `sig` (r‖s) is a valid ES256 signature of `data`. */
export function verifySignature(publicKey: KeyObject, data: Buffer, sig: Buffer): boolean {
  try {
    return cryptoVerify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, sig);
  } catch {
    return false;
  }
}
