/**
 * Every text rule over one file, connection strings included: what a file that is not source code gets, and a source
 * file the parser could not read. (A source file that parses leaves the connection strings in its literals to the
 * `no-key-auth` rule: see `sourceFindings`.)
 */
import type { ScanFinding } from "../finding.js";
import { encodedConnectionStringFindings } from "./encodedConnectionStrings.js";
import { escapedConnectionStringFindings } from "./escapedConnectionStrings.js";
import { textFindings } from "./textRules.js";

/** The text rules, then connection strings written with escapes, then base64-encoded ones. */
export function fileTextFindings(file: string, text: string): ScanFinding[] {
  return [
    ...textFindings(file, text, true),
    ...escapedConnectionStringFindings(file, text),
    ...encodedConnectionStringFindings(file, text),
  ];
}
