/** Checkpoints: the head they seal must be in the log, and with a key their signatures and their chain must hold. */
import type { KeyObject } from "node:crypto";
import { CHECKPOINT_ALG, signingInput, verifySignature } from "../record/checkpointSignature.js";
import type { Rec } from "./recordShape.js";
import type { VerifierState } from "./verifierState.js";

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
  const data = signingInput({ seq: cp.seq, hash: cp.hash, keyId: cp.keyId, prevSig: cp.prevSig });
  return verifySignature(key, data, Buffer.from(cp.sig, "base64url"));
}

/** Checks a checkpoint record against the records before it (and its signature); false when it made the log tampered. */
export function checkCheckpoint(st: VerifierState, rec: Rec, seq: number, time: number | undefined): boolean {
  const cp = rec.checkpoint;
  if (cp === undefined || typeof cp.seq !== "number" || typeof cp.hash !== "string" || cp.seq >= seq) {
    st.fail("forged", "a log.checkpoint without a valid head (seq, hash)", seq);
    return false;
  }
  const i = st.ringIndex(cp.seq);
  if (i >= 0) {
    if (st.ringHash[i] !== cp.hash) {
      st.fail(
        "forged",
        `the checkpoint seals seq ${cp.seq} with a hash the log does not have at that seq: the records were rewritten (and rechained) after it was signed`,
        seq,
      );
      return false;
    }
  } else if (!(st.startedMidChain && st.result.firstSeq !== undefined && cp.seq < st.result.firstSeq)) {
    st.fail("forged", `the checkpoint seals seq ${cp.seq}, which is not among the records before it`, seq);
    return false;
  }
  if (st.key !== undefined) {
    if (typeof cp.sig !== "string") {
      st.fail(
        "forged",
        "an unsigned checkpoint where signed ones are required (--public-key): it was forged or the writer had no key",
        seq,
      );
      return false;
    }
    if (!checkpointSignatureValid(cp, st.key)) {
      st.fail(
        "forged",
        "the checkpoint's signature is invalid (forged, or signed with another key than the one given)",
        seq,
      );
      return false;
    }
    const prevOk =
      st.lastSig === undefined ||
      cp.prevSig === st.lastSig ||
      (cp.prevSig === "" && st.openSinceCheckpoint) ||
      (st.result.checkpoints === 0 && st.startedMidChain);
    if (!prevOk) {
      st.fail(
        "forged",
        "the checkpoint's prevSig is not the previous checkpoint's signature: a checkpoint was removed or replaced",
        seq,
      );
      return false;
    }
  }
  st.lastSig = typeof cp.sig === "string" ? cp.sig : st.lastSig;
  st.openSinceCheckpoint = false;
  st.result.checkpoints++;
  st.result.sealedSeq = Math.max(st.result.sealedSeq ?? 0, cp.seq);
  if (time !== undefined) st.lastCheckpointTime = time;
  if (st.anchor !== undefined && !st.anchor.bySeq.has(seq)) {
    const u = (st.unanchored ??= { from: seq, to: seq, count: 0 });
    u.to = seq;
    u.count++;
  }
  return true;
}
