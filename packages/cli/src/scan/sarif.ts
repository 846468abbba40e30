/** SARIF 2.1.0 rendering of scan results, valid for GitHub code scanning. */
import { createHash } from "node:crypto";
import type { ScanFinding, ScanResult } from "./scan.js";

const RULES = [
  {
    id: "acs-baseline/no-key-auth",
    name: "NoKeyAuth",
    shortDescription: { text: "Key-based authentication to Azure Communication Services (IM-1)" },
    fullDescription: {
      text: "An ACS client is built from a connection string or an access-key credential, or a helper for key auth is used. Azure security baseline IM-1 asks for Microsoft Entra ID authentication for data-plane access.",
    },
    help: {
      text: "Use AcsClientFactory from acs-baseline: it builds ACS clients with a Microsoft Entra ID service principal (certificate first). Then disable local auth on the resource.",
      markdown: "Use `AcsClientFactory` from acs-baseline: it builds ACS clients with a Microsoft Entra ID service principal (certificate first). Then set `disableLocalAuth: true` on the resource. See docs/rules/no-key-auth.md.",
    },
    defaultConfiguration: { level: "error" },
    properties: { tags: ["security", "IM-1"], "security-severity": "8.0" },
  },
  {
    id: "acs-baseline/connection-string",
    name: "ConnectionString",
    shortDescription: { text: "ACS connection string with an access key (IM-1, IM-8)" },
    fullDescription: { text: "A file contains an Azure Communication Services connection string, which embeds the resource's access key." },
    help: {
      text: "Remove the connection string, rotate the access key, disable local auth on the resource and authenticate with Microsoft Entra ID (AcsClientFactory).",
      markdown: "Remove the connection string, **rotate the access key**, disable local auth on the resource and authenticate with Microsoft Entra ID (`AcsClientFactory`).",
    },
    defaultConfiguration: { level: "error" },
    properties: { tags: ["security", "secret", "IM-1", "IM-8"], "security-severity": "9.0" },
  },
  {
    id: "acs-baseline/parse-error",
    name: "ParseError",
    shortDescription: { text: "File could not be parsed" },
    fullDescription: { text: "The scanner could not parse this file; only its text was searched for connection strings." },
    help: { text: "Fix the syntax error so the file can be analysed.", markdown: "Fix the syntax error so the file can be analysed." },
    defaultConfiguration: { level: "warning" },
    properties: { tags: ["reliability"] },
  },
];

const INFORMATION_URI = "https://github.com/acs-baseline/acs-baseline";

function fingerprint(f: ScanFinding): string {
  return createHash("sha256").update(`${f.ruleId}\u0000${f.file}\u0000${f.message}`).digest("hex").slice(0, 32);
}

/** The SARIF 2.1.0 log for a scan. @public */
export function toSarif(result: ScanResult, version: string): Record<string, unknown> {
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "acs-baseline", version, informationUri: INFORMATION_URI, rules: RULES } },
        originalUriBaseIds: { SRCROOT: { description: { text: "The directory the scan ran in." } } },
        results: result.findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: RULES.findIndex((r) => r.id === f.ruleId),
          level: f.kind === "parse-error" ? "warning" : "error",
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file), uriBaseId: "SRCROOT" },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: Math.max(f.endColumn, f.column) },
              },
            },
          ],
          partialFingerprints: { primaryLocationLineHash: fingerprint(f) },
        })),
      },
    ],
  };
}
