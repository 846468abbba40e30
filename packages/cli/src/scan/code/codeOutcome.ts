/** What scanning one source file gave: its findings, why it was skipped, or nothing (not a regular file). */
import type { ScanFinding } from "../finding.js";
import { readScanned } from "../readScanned.js";
import type { ScanSkipReason } from "../readScanned.js";
import { nestsShallowly } from "./jsAnalysis.js";
import { anglesOver, needsSandbox, sandboxAvailable } from "./sandboxRisk.js";
import { sourceFindings } from "./sourceFindings.js";

/** A source file to scan: where it is, how findings name it, and its extension (lower case). */
export interface CodeFile {
  absolute: string;
  display: string;
  ext: string;
}

/** The outcome of one file; `null` when it is no longer a regular file (nothing to report). */
export type FileOutcome = { findings: ScanFinding[] } | { skip: ScanSkipReason } | null;

/** {@link FileOutcome}, or `"sandbox"`: a file the native parser could crash on, for the parser sandbox. */
export type CodeOutcome = FileOutcome | "sandbox";

/**
 * Reads one source file and analyses it here, unless `divert` returns where its text must go instead (the parser
 * sandbox, the main thread). What every thread and the sandbox child share, so they read and analyse alike.
 */
function readAndAnalyse<T extends string>(
  file: CodeFile,
  maxBytes: number,
  divert: (text: string) => T | undefined,
): FileOutcome | T {
  const read = readScanned(file.absolute, maxBytes);
  if (read === undefined) return null;
  if ("skip" in read) return read;
  return divert(read.text) ?? { findings: sourceFindings(file.display, read.text, file.ext) };
}

/** Reads and analyses one source file in this process, whatever its text (what the sandbox child runs). */
export function analyseCode(file: CodeFile, maxBytes: number): FileOutcome {
  return readAndAnalyse<never>(file, maxBytes, () => undefined);
}

/**
 * Reads and analyses one source file on the scanning process's main thread: `"sandbox"` for a file whose text could
 * crash the native parser (see `needsSandbox`), when the sandbox's scripts are there (not when run from sources).
 */
export function codeOutcome(file: CodeFile, maxBytes: number): CodeOutcome {
  return readAndAnalyse(file, maxBytes, (text) => (needsSandbox(text) && sandboxAvailable() ? "sandbox" : undefined));
}

/**
 * Most `<` in a file a worker thread analyses: what nests through `<` is handed over deep (a type alias's type
 * arguments `A<{}&A<{}&…` 1,000 deep, 9,011 characters; JSX attributes `<a b=<a b=…`), and overflows the main
 * thread's smaller stack there (a parse error) where a worker's would not.
 */
const SHALLOW_ANGLES = 200;

/** True when a worker thread finds in `text` exactly what the main thread would (see {@link workerCodeOutcome}). */
function workerSafe(text: string): boolean {
  if (needsSandbox(text) || !nestsShallowly(text)) return false;
  return !anglesOver(text, SHALLOW_ANGLES);
}

/**
 * {@link codeOutcome} on a worker thread: `"deep"` for a file nested deep enough that the analysis could run out of
 * the main thread's smaller stack (brackets, stretches, chains, or `<`), which the main thread then
 * analyses itself (so the result never depends on which thread read a file), and for a file for the parser sandbox,
 * which the main thread sends there.
 */
export function workerCodeOutcome(file: CodeFile, maxBytes: number): FileOutcome | "deep" {
  return readAndAnalyse(file, maxBytes, (text) => (workerSafe(text) ? undefined : "deep"));
}
