/**
 * This package's version, read from its own package.json at load (so `--version`, SARIF `tool.driver.version` and
 * the JSON output never drift from the published version).
 */
import { nodeRequire } from "./scan/nodeRequire.js";

/** The version in acs-baseline-cli's package.json, as `acs-baseline --version` prints it. */
export const CLI_VERSION: string = (nodeRequire("acs-baseline-cli/package.json") as { version: string }).version;
