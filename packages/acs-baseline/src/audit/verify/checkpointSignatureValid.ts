/** A checkpoint's signature against a public key: what the verifier and the anchor index both ask. */
import type { KeyObject } from "node:crypto";
import { CHECKPOINT_ALG, signingInput, verifySignature } from "../record/checkpointSignature.js";
import type { Rec } from "./recordShape.js";

/** True when the checkpoint's signature is valid for `key`. */
export function checkpointSignatureValid(cp: NonNullable<Rec["checkpoint"]>, key: KeyObject): boolean {
  if (
    cp.alg !== CHECKPOINT_ALG ||
    typeof cp.seq !== "number" ||
    typeof cp.hash !== "string" ||
    typeof cp.keyId !== "string" ||
    typeof cp.prevSig !== "string" ||
    typeof cp.sig !== "string"
  ) {
    return false;
  }
  if (!signedMembersTyped(cp)) return false;
  const data = signingInput({
    seq: cp.seq,
    hash: cp.hash,
    keyId: cp.keyId,
    prevSig: cp.prevSig,
    logId: cp.logId as string | undefined,
    time: cp.time as string | undefined,
    open: cp.open as number | undefined,
    close: cp.close as boolean | undefined,
  });
  return verifySignature(key, data, Buffer.from(cp.sig, "base64url"));
}

/** The optional signed members, when present, have their types (`close` is only ever `true`). */
function signedMembersTyped(cp: NonNullable<Rec["checkpoint"]>): boolean {
  return (
    (cp.logId === undefined || typeof cp.logId === "string") &&
    (cp.time === undefined || typeof cp.time === "string") &&
    (cp.open === undefined || (typeof cp.open === "number" && Number.isInteger(cp.open))) &&
    (cp.close === undefined || cp.close === true)
  );
}
