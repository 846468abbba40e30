/**
 * Connection strings stored base64-encoded, in any text file: a Kubernetes Secret's `data:`, a CI variable, a Helm
 * value, a `.env` file encoded whole. Each base64 run that decodes to a connection string with a real key
 * (`findBase64ConnectionStrings`, shared with the lint rule) is reported on the run, its key masked; the encoded
 * text is never shown.
 */
import { findBase64ConnectionStrings } from "acs-baseline/internal/text";
import { makeFinding } from "../finding.js";
import type { ScanFinding } from "../finding.js";
import { shownConnectionString } from "eslint-plugin-acs-baseline/internal";
import { LineIndex } from "./textRules.js";

/** Findings for connection strings that only show once a base64 run is decoded. */
export function encodedConnectionStringFindings(file: string, text: string): ScanFinding[] {
  const runs = findBase64ConnectionStrings(text);
  if (runs.length === 0) return [];
  const index = new LineIndex(text);
  return runs.flatMap(({ start, end, found }) => {
    const a = index.at(start);
    const b = index.at(end);
    const at = { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
    return found.map((c) =>
      makeFinding(
        "acs-baseline/connection-string",
        file,
        at,
        `IM-1: an ACS connection string with an access key, base64-encoded (${shownConnectionString(c.masked).slice(0, 120)}). Encoding is not protection: remove it, rotate the key, disable local auth, and use AcsClientFactory (Microsoft Entra ID).`,
      ),
    );
  });
}
