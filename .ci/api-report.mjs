// API reports (review/*.api.md) for every package with an API: `--local` regenerates them, without it a stale report
// fails (CI). Runs api-extractor once per package, in the package's folder.
import { execFileSync } from "node:child_process";

const local = process.argv.includes("--local");
const extractor = new URL("../node_modules/@microsoft/api-extractor/bin/api-extractor", import.meta.url).pathname;
let failed = 0;
// The runtime has three entries: the public one, `acs-baseline/internal` and `acs-baseline/internal/text` (the names
// its own tools take: reviewed like the public API, without its compatibility promise).
const configs = [
  "acs-baseline/api-extractor.json",
  "acs-baseline/api-extractor.internal.json",
  "acs-baseline/api-extractor.text.json",
  "emulator/api-extractor.json",
  "eslint-plugin/api-extractor.json",
  "cli/api-extractor.json",
];
for (const config of configs) {
  try {
    execFileSync(process.execPath, [extractor, "run", ...(local ? ["--local"] : []), "-c", `packages/${config}`], {
      stdio: "inherit",
    });
  } catch {
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);
