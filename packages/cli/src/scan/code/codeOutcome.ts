/** What scanning one source file gave: its findings, why it was skipped, or nothing (not a regular file). */
import type { ScanFinding } from "../finding.js";
import { readScanned } from "../readScanned.js";
import type { ScanSkipReason } from "../readScanned.js";
import { nestsShallowly } from "./jsAnalysis.js";
import { sourceFindings } from "./sourceFindings.js";

/** A source file to scan: where it is, how findings name it, and its extension (lower case). */
export interface CodeFile {
  absolute: string;
  display: string;
  ext: string;
}

/** The outcome of one file; `null` when it is no longer a regular file (nothing to report). */
export type FileOutcome = { findings: ScanFinding[] } | { skip: ScanSkipReason } | null;

/** Reads and analyses one source file. */
export function codeOutcome(file: CodeFile, maxBytes: number): FileOutcome {
  const read = readScanned(file.absolute, maxBytes);
  if (read === undefined) return null;
  if ("skip" in read) return read;
  return { findings: sourceFindings(file.display, read.text, file.ext) };
}

/**
 * {@link codeOutcome} on a worker thread: `"deep"` for a file nested deep enough that the analysis could run out of
 * the main thread's smaller stack, which the main thread then analyses itself (so the result never depends on
 * which thread read a file).
 */
export function workerCodeOutcome(file: CodeFile, maxBytes: number): FileOutcome | "deep" {
  const read = readScanned(file.absolute, maxBytes);
  if (read === undefined) return null;
  if ("skip" in read) return read;
  if (!nestsShallowly(read.text)) return "deep";
  return { findings: sourceFindings(file.display, read.text, file.ext) };
}
