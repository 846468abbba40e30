/**
 * Strict verification of an audit log: streamed (linear time, bounded memory), every line must be the canonical
 * bytes of a record, the hash chain must hold across one or more files, checkpoints must be signed (with a public
 * key), and an off-host anchor shows a cut tail. See docs/audit-log.md for the rules.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadPublicKey } from "../record/checkpointSignature.js";
import { indexAnchor } from "./anchorIndex.js";
import { feedLine } from "./chain.js";
import { MAX_LINE_BYTES, fileChunks, linesOf, toAsync } from "./lineReader.js";
import type { VerifyLogOptions, VerifyLogResult } from "./result.js";
import { assertRegularFile } from "./readAnchorFile.js";
import { verdict } from "./verdict.js";
import { VerifierState } from "./verifierState.js";

export type { AuditLogProblem, AuditLogProblemKind, VerifyLogOptions, VerifyLogResult } from "./result.js";
export { MAX_LINE_BYTES } from "./lineReader.js";

/** Rotation order for the files of a directory: `x.log.3`, `x.log.2`, `x.log.1`, `x.log` (oldest first); lock files skipped. */
export function logFilesOf(dir: string): string[] {
  const names = readdirSync(dir).filter((n) => !n.endsWith(".lock") && statSync(join(dir, n)).isFile());
  const parse = (n: string): { base: string; n: number } => {
    const m = /^(.*)\.(\d+)$/.exec(n);
    return m !== null ? { base: m[1], n: Number(m[2]) } : { base: n, n: 0 };
  };
  return names
    .map((n) => ({ name: n, ...parse(n) }))
    .sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : b.n - a.n))
    .map((x) => join(dir, x.name));
}

/** The error for a log file that does not exist (as the file system reports it). */
function missing(name: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOENT: no such file, and the anchor holds no line: ${name}`), { code: "ENOENT" });
}

async function run(
  sources: { name: string; chunks: () => AsyncIterable<Buffer> | undefined }[],
  options: VerifyLogOptions,
): Promise<VerifyLogResult> {
  const key =
    options.publicKey === undefined
      ? undefined
      : typeof options.publicKey === "string"
        ? loadPublicKey(options.publicKey)
        : options.publicKey;
  const anchor = options.anchorLines !== undefined ? await indexAnchor(options.anchorLines, key) : undefined;
  const v = new VerifierState(options, key, anchor, sources.length > 1);
  const max = options.maxLineBytes ?? MAX_LINE_BYTES;
  outer: for (const src of sources) {
    v.startFile(src.name);
    const chunks = src.chunks();
    if (chunks === undefined) {
      // counted as empty only when the anchor holds lines, which then say whether records are missing
      if (anchor !== undefined && anchor.lines === 0) throw missing(src.name);
      v.result.warnings.push(`${src.name} does not exist (counted as empty)`);
      continue;
    }
    for await (const line of linesOf(chunks, max)) {
      const gapBefore = v.gap !== undefined;
      if (!feedLine(v, line)) break outer;
      if (!gapBefore && v.gap !== undefined) v.lastWasBreak = true;
    }
  }
  return verdict(v);
}

/**
 * Verifies the audit log in `path` — or several files, or a directory of rotated files, as one chain in order — (see
 * docs/audit-log.md for the rules).
 *
 * @remarks
 * Throws the file system error when a file cannot be read (a missing one unless `missingAsEmpty` and the anchor holds
 * lines), and at once (code `ENOTREG`)
 * for a FIFO, device or socket. Time is linear in the size and
 * memory bounded (one line at a time, at most `maxLineBytes`).
 * @public
 */
export async function verifyLog(
  path: string | readonly string[],
  options: VerifyLogOptions = {},
): Promise<VerifyLogResult> {
  const files: string[] = [];
  for (const p of typeof path === "string" ? [path] : path) {
    let dir = false;
    try {
      dir = statSync(p).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || options.missingAsEmpty !== true) throw e;
    }
    if (dir) {
      const inDir = logFilesOf(p);
      if (inDir.length === 0) throw Object.assign(new Error(`no log files in ${p}`), { code: "ENOFILES" });
      files.push(...inDir);
    } else files.push(p);
  }
  // Fail on unreadable files before any output (a missing file is an error unless missingAsEmpty).
  const sources = files.map((f) => {
    let exists = true;
    try {
      assertRegularFile(f); // a FIFO, device or socket is refused at once (a FIFO would block for good)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || options.missingAsEmpty !== true) throw e;
      exists = false;
    }
    return { name: f, chunks: () => (exists ? fileChunks(f) : undefined) };
  });
  return run(sources, options);
}

/**
 * {@link verifyLog} over text already in memory.
 * @public
 */
export async function verifyLogText(text: string, options: VerifyLogOptions = {}): Promise<VerifyLogResult> {
  return run(
    [
      {
        name: "<text>",
        chunks: () => toAsync(Buffer.from(text, "utf8")),
      },
    ],
    options,
  );
}
