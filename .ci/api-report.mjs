// API reports (review/*.api.md) for every package with an API: `--local` regenerates them, without it a stale report
// fails (CI). Runs api-extractor once per package, in the package's folder.
import { execFileSync } from "node:child_process";

const local = process.argv.includes("--local");
const extractor = new URL("../node_modules/@microsoft/api-extractor/bin/api-extractor", import.meta.url).pathname;
let failed = 0;
for (const pkg of ["acs-baseline", "emulator", "eslint-plugin", "cli"]) {
  try {
    execFileSync(process.execPath, [extractor, "run", ...(local ? ["--local"] : []), "-c", `packages/${pkg}/api-extractor.json`], {
      stdio: "inherit",
    });
  } catch {
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);
