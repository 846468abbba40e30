import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * A fresh temporary directory for one test file, created now (at collection) and removed with everything in it after
 * the file's tests.
 *
 * @param prefix - the directory name's prefix, naming the test file that owns it
 */
export function tempDir(prefix = "acs-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
