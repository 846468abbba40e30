/**
 * Connection strings written with escapes, in any text file: JSON `\u003d`, JS `\x3d`, URL encoding
 * (`endpoint%3Dhttps%3A%2F%2F…%3Baccesskey%3D…`), also doubly encoded. Each line that holds an escape is read with
 * its escapes undone; a connection string found only that way is reported on that line, its key masked.
 */
import { findConnectionStringsInAnySpelling } from "acs-baseline/internal/text";
import { hasEscapes, shownConnectionString, unescapeText } from "eslint-plugin-acs-baseline/internal";
import { makeFinding } from "../finding.js";
import type { ScanFinding } from "../finding.js";

const ESCAPE_START = /\\u|\\x|%[0-9a-fA-F]{2}|\\[=:]/;

/** Findings for connection strings that only show once escapes are undone (the plain ones are the text rules'). */
export function escapedConnectionStringFindings(file: string, text: string): ScanFinding[] {
  if (!hasEscapes(text)) return [];
  const out: ScanFinding[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!hasEscapes(line)) continue;
    const decoded = findConnectionStringsInAnySpelling(unescapeText(line));
    const plain = findConnectionStringsInAnySpelling(line);
    // Found only once decoded; or a key the escapes cut short (`+` as `\u002B`), which reads as a placeholder as written.
    const realPlain = plain.filter((m) => !m.placeholder).length;
    const realDecoded = decoded.filter((m) => !m.placeholder);
    const hidden =
      decoded.length > plain.length
        ? decoded.slice(plain.length)
        : realDecoded.length > realPlain
          ? realDecoded.slice(realPlain)
          : [];
    if (hidden.length === 0) continue;
    const column = Math.max(0, line.search(ESCAPE_START)) + 1;
    const at = { line: i + 1, column, endLine: i + 1, endColumn: line.length + 1 };
    for (const m of hidden) {
      const shown = shownConnectionString(m.masked).slice(0, 120);
      out.push(
        m.placeholder
          ? makeFinding(
              "acs-baseline/connection-string-template",
              file,
              at,
              `IM-8: an ACS connection-string template with a placeholder key, written with escapes (${shown}): it invites a real key into this file. Configure the endpoint only and authenticate with Microsoft Entra ID.`,
            )
          : makeFinding(
              "acs-baseline/connection-string",
              file,
              at,
              `IM-1: an ACS connection string with an access key, written with escapes (${shown}). Remove it, rotate the key, disable local auth, and use AcsClientFactory (Microsoft Entra ID).`,
            ),
      );
    }
  }
  return out;
}
