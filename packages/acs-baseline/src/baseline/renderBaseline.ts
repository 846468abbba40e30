/** Renders the baseline map as Markdown (docs/baseline.md, `acs-baseline report`) or JSON. */
import type { BaselineControl } from "./controls.js";
import { baselineControls } from "./controls.js";

const STATUS_MARK: Record<BaselineControl["status"], string> = {
  enforced: "✓ enforced",
  guidance: "! guidance",
  "not-applicable": "– not applicable",
};

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const yesNo = (v: boolean | undefined) => (v === undefined ? "n/a" : v ? "yes" : "no");

/** The map as Markdown. @public */
export function renderBaselineMarkdown(controls: readonly BaselineControl[] = baselineControls): string {
  const lines = [
    "# Azure security baseline for Azure Communication Services, mapped to acs-baseline",
    "",
    "<!-- Generated from packages/acs-baseline/src/baseline/controls.ts by `acs-baseline report --format md`. Do not edit by hand:",
    "     regenerate with `npm run build && node packages/cli/dist/esm/bin.js report --format md > docs/baseline.md`. -->",
    "",
    "Source: the Azure security baseline for Azure Communication Services (Microsoft cloud security benchmark v1.0).",
    `${controls.filter((c) => c.status === "enforced").length} controls enforced in code, ${controls.filter((c) => c.status === "guidance").length} guidance, ${controls.filter((c) => c.status === "not-applicable").length} not applicable (the service does not support the feature).`,
    "",
    "| control | title | status | feature (supported / on by default / responsibility) |",
    "|---|---|---|---|",
  ];
  for (const c of controls) {
    const features = c.features
      .map((f) => `${f.name} (${yesNo(f.supported)} / ${yesNo(f.enabledByDefault)} / ${f.responsibility})`)
      .join("<br>");
    lines.push(`| ${c.id} | ${cell(c.title)} | ${STATUS_MARK[c.status]} | ${cell(features)} |`);
  }
  for (const c of controls) {
    lines.push("", `## ${c.id}: ${c.title}`, "", `*${c.domain}* — **${c.status}**`, "", c.enforcement);
    if (c.sources.length > 0) lines.push("", `- Enforced in: ${c.sources.map((s) => `\`${s}\``).join(", ")}`);
    if (c.tests.length > 0) lines.push(`- Proven by: ${c.tests.map((s) => `\`${s}\``).join(", ")}`);
  }
  lines.push(
    "",
    "Outside code (resource settings, role assignments, diagnostic settings, certificate storage): see [guidance.md](guidance.md).",
    "",
  );
  return lines.join("\n");
}

/** The map as JSON text. @public */
export function renderBaselineJson(controls: readonly BaselineControl[] = baselineControls): string {
  return `${JSON.stringify({ schema: "acs-baseline.controls/1", controls }, null, 2)}\n`;
}
