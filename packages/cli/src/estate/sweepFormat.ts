/** The sweep's text, SARIF and HTML renderings (JSON is the result itself). Every value is escaped for its medium. */
import { escapeForTerminal } from "../io.js";
import type { SweepResult, SweptResource } from "./sweepEstate.js";

const readers = (r: SweptResource) => (r.keyReaders === null ? "unknown" : String(r.keyReaders.length));
const count = (n: number | null) => (n === null ? "unknown" : String(n));

/** Plain text, one line per resource; terminal-safe. */
export function formatSweepText(result: SweepResult): string {
  const s = result.summary;
  const lines = [
    `${s.resources} ACS resources; local auth enabled on ${s.localAuthEnabled}; unprotected (enabled, no deny/modify policy): ${count(s.unprotected)}; principals that can read keys: ${count(s.keyReaders)}`,
  ];
  for (const u of result.unreadable)
    lines.push(`UNREADABLE ${u.table}: ${u.reason} (what it feeds is reported as unknown)`);
  for (const r of result.resources)
    lines.push(
      `${r.localAuth === "enabled" ? "✗" : "✓"} ${r.id}  local auth ${r.localAuth}, policy ${r.policy.status}, key readers ${readers(r)}`,
    );
  return lines.map(escapeForTerminal).join("\n");
}

/** SARIF 2.1.0: one result per resource with local auth enabled, at a logical location for its id. */
export function formatSweepSarif(result: SweepResult, version: string): unknown {
  const unreadable = result.unreadable.map((u) => `${u.table} could not be read (${u.reason})`);
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "acs-baseline sweep",
            version,
            informationUri: "https://github.com/acs-baseline/acs-baseline/blob/main/docs/sweep.md",
            rules: [
              {
                id: "acs-local-auth-enabled",
                shortDescription: { text: "ACS local auth (access keys) is enabled" },
                properties: { control: "IM-1" },
              },
            ],
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: unreadable.map((text) => ({ level: "warning", message: { text } })),
          },
        ],
        results: result.resources
          .filter((r) => r.localAuth === "enabled")
          .map((r) => ({
            ruleId: "acs-local-auth-enabled",
            level: "error",
            message: {
              text: `Local auth is enabled on ${r.name}; policy ${r.policy.status}; key readers ${readers(r)}.`,
            },
            locations: [{ logicalLocations: [{ fullyQualifiedName: r.id, kind: "resource" }] }],
            properties: {
              policyStatus: r.policy.status,
              keyReaders: r.keyReaders === null ? null : r.keyReaders.length,
            },
          })),
      },
    ],
  };
}

/**
 * Escapes text for HTML element content and attribute values: markup characters, and the characters a terminal acts
 * on or a reader cannot see (controls, line separators, format characters such as bidi overrides), as numeric
 * references, so the page is safe to print to a terminal too (`--format html` without `--output`).
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu, (c) => `&#${c.codePointAt(0) ?? 0};`);
}

const STYLE =
  "body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{cursor:pointer;background:#f3f3f3}.bad{color:#b00}.ok{color:#070}.strip span{margin-right:2em}";
const SORT =
  "document.querySelectorAll('th').forEach(function(h,i){h.onclick=function(){var b=h.closest('table').tBodies[0],r=Array.from(b.rows),d=h.dataset.d==='1'?-1:1;h.dataset.d=d===1?'1':'0';r.sort(function(x,y){return x.cells[i].textContent.localeCompare(y.cells[i].textContent,undefined,{numeric:true})*d});r.forEach(function(x){b.appendChild(x)})}})";

function detail(r: SweptResource): string {
  const policy =
    r.policy.assignments
      .map(
        (a) =>
          `${escapeHtml(a.effect)} (${escapeHtml(a.enforcementMode)}) at ${escapeHtml(a.scope)}${a.undetermined === undefined ? "" : ` (undetermined: ${escapeHtml(a.undetermined)})`}`,
      )
      .join("<br>") || "none";
  const exemptions = r.policy.exemptions.map((x) => `${escapeHtml(x.id)}${x.active ? "" : " (expired)"}`).join("<br>");
  const keys =
    r.keyReaders === null
      ? "unknown (role tables unreadable)"
      : r.keyReaders
          .map(
            (k) =>
              `${escapeHtml(k.principalType)} ${escapeHtml(k.principalId)}: ${escapeHtml(k.roleName)} at ${escapeHtml(k.scope)}`,
          )
          .join("<br>") || "none";
  return `<td>${policy}${exemptions === "" ? "" : `<br>exempt: ${exemptions}`}</td><td>${keys}</td>`;
}

/** One self-contained page: summary strip, sortable table, each resource's policy and key readers. */
export function formatSweepHtml(result: SweepResult): string {
  const s = result.summary;
  const rows = result.resources
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.name)}<br><small>${escapeHtml(r.id)}</small></td><td>${escapeHtml(r.subscriptionId)}</td><td class="${r.localAuth === "enabled" ? "bad" : "ok"}">${escapeHtml(r.localAuth)}</td><td>${escapeHtml(r.policy.status)}</td><td>${escapeHtml(readers(r))}</td>${detail(r)}</tr>`,
    )
    .join("\n");
  const unreadable = result.unreadable
    .map(
      (u) =>
        `<p class="bad">Unreadable: ${escapeHtml(u.table)}: ${escapeHtml(u.reason)}. What it feeds is shown as unknown, not none.</p>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>acs-baseline sweep</title><style>${STYLE}</style></head><body>
<h1>ACS local auth sweep</h1><p>${escapeHtml(result.sweptAt)}</p>
<div class="strip"><span>Resources: ${escapeHtml(s.resources)}</span><span>Local auth enabled: ${escapeHtml(s.localAuthEnabled)}</span><span>Unprotected: ${escapeHtml(count(s.unprotected))}</span><span>Key readers: ${escapeHtml(count(s.keyReaders))}</span></div>
${unreadable}
<table><thead><tr><th>Resource</th><th>Subscription</th><th>Local auth</th><th>Policy</th><th>Key readers</th><th>Policy detail</th><th>Who can read keys</th></tr></thead><tbody>
${rows}
</tbody></table><script>${SORT}</script></body></html>
`;
}
