/** Text and SARIF 2.1.0 renderings of a posture result (JSON is the result itself). */
import { createHash } from "node:crypto";
import type { PostureCheckId, PostureResult, PostureStatus } from "acs-baseline/internal";
import { escapeForTerminal } from "acs-baseline/internal/text";

const MARK: Record<PostureStatus, string> = { pass: "✓", fail: "✗", warn: "!", unknown: "?" };

/** Human-readable report. */
export function formatPostureText(result: PostureResult): string {
  const lines = [
    `ACS resource posture: ${result.resourceId}`,
    `checked ${result.checkedAt} as ${result.principal.clientId ?? "(credential)"}${result.principal.objectId !== undefined ? ` (object id ${result.principal.objectId})` : ""}`,
    "",
  ];
  for (const c of result.checks) {
    lines.push(`${MARK[c.status]} ${(c.control ?? "-").padEnd(5)} ${c.id}: ${c.evidence}`);
    if (c.status !== "pass" && c.remediation.length > 0)
      lines.push(...c.remediation.split("\n").map((l) => `        ${l}`));
  }
  const s = result.summary;
  lines.push("", `${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.unknown} unknown`);
  // Each line escaped on its own: the report keeps its line breaks, ARM-supplied text cannot add any.
  return lines.map(escapeForTerminal).join("\n");
}

const RULE_TEXT: Record<PostureCheckId, string> = {
  "local-auth-disabled": "Local (access-key) authentication is disabled on the ACS resource (IM-1)",
  "endpoint-matches": "The configured endpoint is the resource's host (DP-3)",
  "key-access-principals": "No principal can read or regenerate access keys while local auth is enabled (PA-7)",
  "app-principal-least-privilege": "The app's principal holds only what its ACS clients need (PA-7)",
  "resource-logs": "Resource logs are sent to a workspace, storage account or event hub (LT-4)",
  "auth-logs": "AuthOperational and the app's client log categories are sent (LT-4)",
  "managed-identity": "The resource has a managed identity (informational, Azure Policy bcff6755)",
  "data-location": "The resource's data location is allowed",
};

const LEVEL: Record<PostureStatus, "none" | "error" | "warning" | "note"> = {
  pass: "none",
  fail: "error",
  warn: "warning",
  unknown: "note",
};

/** SARIF 2.1.0: one result per check that did not pass, located at the resource (a logical location). */
export function formatPostureSarif(result: PostureResult, version: string): Record<string, unknown> {
  const rules = (Object.keys(RULE_TEXT) as PostureCheckId[]).map((id) => ({
    id: `acs-baseline/posture/${id}`,
    name: id.replace(/(^|-)(\w)/g, (_m, _d: string, ch: string) => ch.toUpperCase()),
    shortDescription: { text: RULE_TEXT[id] },
    helpUri: "https://github.com/acs-baseline/acs-baseline/blob/main/docs/posture.md",
    defaultConfiguration: { level: id === "managed-identity" ? "note" : "error" },
    properties: { tags: ["security", "azure", "posture"] },
  }));
  const name = result.resourceId.split("/").pop() ?? result.resourceId;
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "acs-baseline",
            version,
            informationUri: "https://github.com/acs-baseline/acs-baseline",
            rules,
          },
        },
        invocations: [{ executionSuccessful: true, endTimeUtc: result.checkedAt }],
        logicalLocations: [{ name, fullyQualifiedName: result.resourceId, kind: "resource" }],
        results: result.checks
          .filter((c) => c.status !== "pass")
          .map((c) => ({
            ruleId: `acs-baseline/posture/${c.id}`,
            ruleIndex: rules.findIndex((r) => r.id === `acs-baseline/posture/${c.id}`),
            level: LEVEL[c.status],
            kind: c.status === "unknown" ? "review" : "fail",
            message: {
              text: `${c.status === "unknown" ? "Could not be checked: " : ""}${c.evidence}${c.remediation.length > 0 ? ` Remediation: ${c.remediation}` : ""}`,
            },
            locations: [
              { logicalLocations: [{ index: 0, name, fullyQualifiedName: result.resourceId, kind: "resource" }] },
            ],
            partialFingerprints: {
              "acsBaselinePosture/v1": createHash("sha256")
                .update(`${c.id}\u0000${result.resourceId.toLowerCase()}`)
                .digest("hex")
                .slice(0, 32),
            },
            properties: { control: c.control, status: c.status },
          })),
      },
    ],
  };
}
