/**
 * A chain that starts again at seq 1: where an honest writer's genesis `log.open` can stand, and records the
 * verification has already accepted (a replayed chain).
 */
import { GENESIS_HASH } from "../record/canonical.js";
import type { VerifierState } from "./verifierState.js";

/**
 * How much of a file's end a restarting writer reads for the record to continue (`TAIL_BYTES` in
 * write/fileTail.ts): it starts again at seq 1 only when no record lies there.
 */
export const WRITER_TAIL_BYTES = 1 << 20;

/**
 * Why a genesis `log.open` naming a break of `breakBytes` after `gapBytes` of non-record lines cannot be an honest
 * writer's, or undefined when it can. A writer starts again at seq 1 only when it finds no record in its file's last
 * MiB, and then names every byte before it in its file (`log.breakBytes` = the file's size): so `breakBytes` must be
 * the log.open's offset in its file, and a record earlier in the same file must end more than a MiB before it.
 */
export function genesisBreakProblem(st: VerifierState, breakBytes: unknown, gapBytes: number): string | undefined {
  const before = st.lineStart;
  const start = "this log.open starts a new chain at seq 1";
  if (breakBytes !== before) {
    return `${start} and names ${typeof breakBytes === "number" ? breakBytes : "?"} bytes before it, but its file has ${before}: a writer starts again at seq 1 only when it finds no record to continue, and then names every byte before it in its file; the chain was inserted or replayed here (cut and replaced)`;
  }
  const prev = st.prev;
  if (prev !== undefined && prev.fileIndex !== st.fileIndex) {
    // A writer continues its chain into a rotated file (log.open rotate/reopen); it starts again at seq 1 only in a
    // file of its own, and the files of two logs cannot be verified together.
    return `${start} in a later file than the chain before it (${st.where(prev.line)}): a writer continues its chain into a rotated file, so this is another log's chain, inserted or replayed after a cut`;
  }
  if (gapBytes === before) return undefined; // only the lines the writer named precede it in its file
  if (prev === undefined) {
    return `${start}, but lines that are not records at the end of the file before it precede it too, and no writer named them: they were inserted`;
  }
  if (before - prev.start < WRITER_TAIL_BYTES) {
    return `${start}, but seq ${prev.seq} at ${st.where(prev.line)} ends ${gapBytes} bytes before it, within the last MiB a writer reads for the record to continue: the chain was inserted or replayed here (cut and replaced)`;
  }
  return undefined; // more than a MiB of foreign lines after the last record: the writer could not see it
}

/**
 * Why a record the verification is about to accept repeats one it accepted already (the same seq and hash in the ring
 * of recent records, or the same genesis record): a replayed chain. Undefined when it is new; notes a chain's start.
 */
export function replayProblem(st: VerifierState, seq: number, hash: string, prevHash: string): string | undefined {
  const i = st.ringIndex(seq);
  if (i >= 0 && st.ringHash[i] === hash) {
    return `seq ${seq} is the record already accepted at line ${st.ringLine[i]} (the same hash): a chain was replayed`;
  }
  if (seq !== 1 || prevHash !== GENESIS_HASH) return undefined;
  if (st.chainStarts.has(hash)) {
    return `this chain (seq 1) was already accepted earlier in this verification (the same hash): it was replayed`;
  }
  if (st.chainStarts.size < MAX_CHAIN_STARTS) st.chainStarts.add(hash);
  return undefined;
}

/** Most chain starts remembered (one per restart at seq 1; bounded memory). */
const MAX_CHAIN_STARTS = 65_536;
