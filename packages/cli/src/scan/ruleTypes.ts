/**
 * The shape of one scanner rule and its severity: shared by the rule catalog (`rules.ts`) and the language front
 * ends' rules (`languages/languageRules.ts`).
 */

/** Severity of a finding. @public */
export type ScanSeverity = "error" | "warning";

/** One rule of the scanner. @public */
export interface ScanRule {
  /** Stable id, e.g. `acs-baseline/iac/listkeys-to-app`. */
  id: string;
  /** PascalCase name (SARIF `name`). */
  name: string;
  /** Default severity; a finding may lower it (e.g. a `@secure()` output). */
  severity: ScanSeverity;
  /** Azure security baseline control(s). */
  control: string;
  /** One line: what it finds. */
  summary: string;
  /** The fix. */
  help: string;
  /** SARIF security-severity (0–10). */
  securitySeverity: string;
  /** Documentation URL (an anchor in docs/scan.md, or the rule page). */
  helpUri: string;
}
