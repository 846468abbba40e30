// The attack: `--jobs 64` on a small machine started 63 worker threads, each with a heap of its own: on two cores a
// tree of 2,000 ACS files took 1.18 GB and 5.4 s instead of 89 MB and 0.6 s, and a CI runner with less memory than
// that is killed. The scan starts at most maxUsefulScanJobs() threads (twice the CPUs, at least the default's cap)
// and says so in one line on standard error; the output is what fewer threads give, and the exit code is unchanged.
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  MAX_DEFAULT_SCAN_JOBS,
  MAX_SCAN_JOBS,
  MIN_PARSED_FILES_FOR_WORKERS,
  maxUsefulScanJobs,
  scanPaths,
  scanPathsInParallel,
} from "../../packages/cli/src/scan/scan.js";
import { runBuiltScan } from "../support/builtCli.js";
import { tempDir } from "../support/tempDir.js";

const tree = tempDir("acs-scan-jobs-");
for (let i = 0; i < MIN_PARSED_FILES_FOR_WORKERS + 10; i++) {
  mkdirSync(join(tree, `d${i % 5}`), { recursive: true });
  const body =
    i % 50 === 0 ? `new SmsClient(process.env.ACS_CONNECTION_STRING);` : `new SmsClient(endpoint, credential);`;
  writeFileSync(join(tree, `d${i % 5}/f${i}.ts`), `import { SmsClient } from "@azure/communication-sms";\n${body}\n`);
}
const NOTICE =
  /^acs-baseline scan: --jobs 64 is more than this machine can use \(\d+ CPUs\); using at most \d+ threads$/;

describe("--jobs past what the machine can use", () => {
  it("is twice the CPUs, at least the default's cap, at most the usage limit", () => {
    expect(maxUsefulScanJobs()).toBe(
      Math.min(MAX_SCAN_JOBS, Math.max(MAX_DEFAULT_SCAN_JOBS, 2 * availableParallelism())),
    );
  });

  it.skipIf(maxUsefulScanJobs() >= MAX_SCAN_JOBS)("gives one notice and the one-thread result", async () => {
    const notices: string[] = [];
    const options = { cwd: tree, useGit: false };
    const result = await scanPathsInParallel(["."], {
      ...options,
      jobs: MAX_SCAN_JOBS,
      onNotice: (m) => notices.push(m),
    });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(NOTICE);
    expect(notices[0]).toContain(`using at most ${maxUsefulScanJobs()} threads`);
    expect(result).toEqual(scanPaths(["."], options));
    // Within the limit: no notice.
    await scanPathsInParallel(["."], { ...options, jobs: maxUsefulScanJobs(), onNotice: (m) => notices.push(m) });
    expect(notices).toHaveLength(1);
  });

  it.skipIf(maxUsefulScanJobs() >= MAX_SCAN_JOBS)(
    "prints the notice on stderr from the CLI, same output and exit",
    () => {
      const one = runBuiltScan(tree, [".", "--format", "json", "--jobs", "1"]);
      const many = runBuiltScan(tree, [".", "--format", "json", "--jobs", String(MAX_SCAN_JOBS)]);
      expect(one.status).toBe(1);
      expect(many.status).toBe(one.status);
      expect(many.stdout).toBe(one.stdout);
      expect(many.stderr.split("\n")).toEqual([expect.stringMatching(NOTICE), ""]);
      // Past the usage limit it is still a usage error (docs/scan.md, exit codes).
      expect(runBuiltScan(tree, [".", "--jobs", String(MAX_SCAN_JOBS + 1)]).status).toBe(2);
    },
  );
});
