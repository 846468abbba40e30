/** SARIF 2.1.0 rendering of scan results, valid for GitHub code scanning (validated against the schema in tests). */
import { createHash } from "node:crypto";
import type { ScanFinding } from "./finding.js";
import { SCAN_RULES } from "./rules.js";
import type { ScanResult } from "./scan.js";

const INFORMATION_URI = "https://github.com/acs-baseline/acs-baseline";

function fingerprint(f: ScanFinding): string {
  return createHash("sha256").update(`${f.ruleId}\u0000${f.file}\u0000${f.message}`).digest("hex").slice(0, 32);
}

/**
 * A finding's file as a relative URI: percent-encoded UTF-8, and each byte of a name that is not UTF-8 (shown `\xNN`,
 * see `shownPath` in `rawNames.ts`) as that byte, `%NN`, so the URI names the file on disk. A backslash of the name is
 * `%5C` (shown `\x5c` where it would read as an escape): `lit\xff.env` is `lit%5Cxff.env`, the byte 0xff `lit%FF.env`.
 */
const uri = (file: string) =>
  file
    .split(/(\\x(?:5c|[89a-f][0-9a-f]))/)
    .map((part, i) =>
      i % 2 === 1 ? `%${part.slice(2).toUpperCase()}` : encodeURI(part).replace(/[?#]/g, (c) => encodeURIComponent(c)),
    )
    .join("");

/** The SARIF 2.1.0 log for a scan. @public */
export function toSarif(result: ScanResult, version: string): Record<string, unknown> {
  const rules = SCAN_RULES.map((r) => ({
    id: r.id,
    name: r.name,
    shortDescription: { text: r.summary },
    fullDescription: { text: `${r.summary} Azure security baseline: ${r.control}.` },
    help: { text: r.help, markdown: `${r.help}\n\nSee [${r.id}](${r.helpUri}).` },
    helpUri: r.helpUri,
    defaultConfiguration: { level: r.severity },
    properties: {
      tags: ["security", ...r.control.split(/,\s*/).filter((c) => c !== "-")],
      "security-severity": r.securitySeverity,
    },
  }));
  const index = new Map(SCAN_RULES.map((r, i) => [r.id, i]));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "acs-baseline", version, informationUri: INFORMATION_URI, rules } },
        originalUriBaseIds: { SRCROOT: { description: { text: "The directory the scan ran in." } } },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: result.skipped.map((s) => ({
              level: "note",
              message: { text: `Skipped (${s.reason}).` },
              locations: [{ physicalLocation: { artifactLocation: { uri: uri(s.file), uriBaseId: "SRCROOT" } } }],
            })),
          },
        ],
        results: result.findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: index.get(f.ruleId) ?? 0,
          level: f.severity,
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: uri(f.file), uriBaseId: "SRCROOT" },
                region: {
                  startLine: f.line,
                  startColumn: f.column,
                  endLine: Math.max(f.endLine, f.line),
                  endColumn: f.endLine > f.line ? Math.max(1, f.endColumn) : Math.max(f.endColumn, f.column),
                },
              },
            },
          ],
          partialFingerprints: { primaryLocationLineHash: fingerprint(f) },
          properties: { control: f.control },
        })),
      },
    ],
  };
}
