// The scan reads each file through one descriptor opened without following links and without blocking, and reads it
// only when it is still the regular file it listed: a file swapped for a FIFO, a link or another file between the
// listing and the read is never read (a FIFO nobody writes would block the scan for good).
import { execFileSync } from "node:child_process";
import { lstatSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRegularFile, readScanned } from "../../packages/cli/src/scan/readScanned.js";
import { scanPaths, scanPathsInParallel } from "../../packages/cli/src/scan/scan.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-read-scanned-");
const posix = process.platform !== "win32";

describe("readRegularFile", () => {
  it("reads a regular file that is still the one listed", () => {
    const file = join(dir, "a.js");
    writeFileSync(file, "const a = 1;\n");
    const bytes = readRegularFile(file, lstatSync(file), 1024);
    expect(Buffer.isBuffer(bytes) ? bytes.toString("utf8") : bytes).toBe("const a = 1;\n");
  });

  it("does not read a file swapped for another one after it was listed", () => {
    const file = join(dir, "b.js");
    writeFileSync(file, "const b = 1;\n");
    const seen = lstatSync(file);
    writeFileSync(join(dir, "b2.js"), "const planted = 2;\n");
    renameSync(join(dir, "b2.js"), file);
    expect(readRegularFile(file, seen, 1024)).toBeUndefined();
  });

  it("says too-large when the file grew past the limit after it was listed", () => {
    const file = join(dir, "c.js");
    writeFileSync(file, "x");
    const seen = lstatSync(file);
    writeFileSync(file, "x".repeat(5000));
    expect(readRegularFile(file, seen, 1000)).toBe("too-large");
  });

  it.runIf(posix)("neither blocks nor reads a FIFO put where a file was listed", () => {
    const file = join(dir, "d.js");
    writeFileSync(file, "const d = 1;\n");
    const seen = lstatSync(file);
    execFileSync("rm", [file]);
    execFileSync("mkfifo", [file]);
    expect(readRegularFile(file, seen, 1024)).toBeUndefined();
    expect(readScanned(file, 1024)).toBeUndefined(); // listed as a FIFO now: not a file, nothing to report
  });

  it.runIf(posix)("does not follow a link put where a file was listed", () => {
    const target = join(dir, "outside.js");
    writeFileSync(target, "const outside = 1;\n");
    const file = join(dir, "e.js");
    writeFileSync(file, "const e = 1;\n");
    const seen = lstatSync(file);
    execFileSync("rm", [file]);
    symlinkSync(target, file);
    expect(() => readRegularFile(file, seen, 1024)).toThrow(/ELOOP|EMLINK/);
  });
});

describe("a path named on the command line that is not a regular file", () => {
  it.runIf(posix)("is reported as skipped (unreadable), never as a clean scan of nothing", async () => {
    const fifo = join(dir, "named.fifo.js");
    execFileSync("mkfifo", [fifo]);
    const inTree = join(dir, "tree");
    execFileSync("mkdir", ["-p", inTree]);
    execFileSync("mkfifo", [join(inTree, "listed.fifo.js")]);
    for (const result of [
      scanPaths([fifo, "/dev/zero", inTree], { cwd: dir }),
      await scanPathsInParallel([fifo, "/dev/zero", inTree], { cwd: dir, jobs: 2 }),
    ]) {
      expect(result.filesScanned).toBe(0);
      // the two named ones are reported; a FIFO met inside a directory stays silent, as before
      expect(result.skipped).toEqual([
        { file: "named.fifo.js", reason: "unreadable" },
        { file: expect.stringMatching(/(^|\/)dev\/zero$/) as string, reason: "unreadable" },
      ]);
    }
  });
});
