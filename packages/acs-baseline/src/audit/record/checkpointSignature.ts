/**
 * What a checkpoint signature is: ECDSA P-256 with SHA-256 (JWS `ES256`), signatures in IEEE P1363 form (r‖s, 64
 * bytes, base64url), over the canonical JSON of the checkpoint's head. The writer signs these bytes, the verifier
 * checks them; the verifier needs only the SPKI PEM public key.
 */
import { createPublicKey, verify as cryptoVerify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { canonicalJson } from "./canonical.js";

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
  return Buffer.from(
    canonicalJson({ alg: CHECKPOINT_ALG, hash: head.hash, keyId: head.keyId, prevSig: head.prevSig, seq: head.seq }),
    "utf8",
  );
}

/** Throws unless `key` is an ECDSA P-256 key. */
export function assertP256(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new TypeError(
      `audit.signing: the ${what} must be an ECDSA P-256 (prime256v1) key; got ${key.asymmetricKeyType ?? "unknown"}${key.asymmetricKeyDetails?.namedCurve !== undefined ? ` ${key.asymmetricKeyDetails.namedCurve}` : ""}.`,
    );
  }
}

/** Reads an SPKI PEM public key (PEM text or a file path) and checks it is P-256. */
export function loadPublicKey(pemOrPath: string): KeyObject {
  const text = pemOrPath.includes("-----BEGIN") ? pemOrPath : readFileSync(pemOrPath, "utf8");
  const key = createPublicKey(text);
  assertP256(key, "public key");
  return key;
}

/** True when `sig` (r‖s) is a valid ES256 signature of `data`. */
export function verifySignature(publicKey: KeyObject, data: Buffer, sig: Buffer): boolean {
  try {
    return cryptoVerify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, sig);
  } catch {
    return false;
  }
}
