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

/**
 * What a checkpoint signs (canonical JSON of these members, UTF-8). `logId`, `time`, `open` and `close` are absent
 * from checkpoints written before they existed; the signature then covers the members that are there.
 */
export interface CheckpointHead {
  /** `seq` of the sealed record (the head of the chain when the checkpoint was taken). */
  seq: number;
  /** `hash` of the sealed record. */
  hash: string;
  keyId: string;
  /** `sig` of the previous checkpoint in the chain; empty for the first one after a `log.open` that could not find it. */
  prevSig: string;
  /** The log's id (random, 32 hex digits), set in its first `log.open` and carried across segments and rotation. */
  logId?: string;
  /** When the checkpoint was taken (ISO 8601): the writer's signed sign of life. */
  time?: string;
  /** `seq` of the `log.open` that began the writer's segment (a restart, reopen or rotation starts a new one). */
  open?: number;
  /** True on the final checkpoint of a log that ends: it seals `log.close`; nothing may follow it but a new segment. */
  close?: boolean;
}

/** The bytes a checkpoint's signature covers. */
export function signingInput(head: CheckpointHead): Buffer {
  return Buffer.from(
    canonicalJson({
      alg: CHECKPOINT_ALG,
      close: head.close === true ? true : undefined,
      hash: head.hash,
      keyId: head.keyId,
      logId: head.logId,
      open: head.open,
      prevSig: head.prevSig,
      seq: head.seq,
      time: head.time,
    }),
    "utf8",
  );
}

/**
 * A `keyId` the writer accepts: 1–256 characters of letters, digits and `- _ . : /` (a Key Vault key identifier
 * `https://<vault>.vault.azure.net/keys/<name>/<version>` fits), and nothing the scrubber would change.
 */
export const KEY_ID_SHAPE = /^[A-Za-z0-9._:/-]{1,256}$/;

/**
 * An Azure Key Vault or Managed HSM key identifier (`https://<vault>.vault.azure.net/keys/<name>[/<32 hex version>]`,
 * sovereign clouds too): public names, accepted as they are although the scrubber would mask the version.
 */
export const KEY_VAULT_KEY_ID =
  /^https:\/\/[a-z0-9-]{3,24}\.(?:vault\.azure\.net|vault\.azure\.cn|vault\.usgovcloudapi\.net|managedhsm\.azure\.net)\/keys\/[A-Za-z0-9-]{1,127}(?:\/[0-9a-f]{32})?$/;

/** A log id: 32 lowercase hex digits. */
export const LOG_ID_SHAPE = /^[0-9a-f]{32}$/;

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
