/** The finding record every part of the scanner produces. */
import { scanRule } from "./rules.js";
import type { ScanSeverity } from "./rules.js";

/** Kind of finding (a coarse grouping of rule ids). @public */
export type ScanFindingKind = "key-auth" | "connection-string" | "secret" | "iac" | "parse-error";

/** One finding. Messages never contain a key: connection strings are masked, keys are never quoted. @public */
export interface ScanFinding {
  /** Path relative to the scan's working directory, with `/` separators. */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Stable rule id, e.g. `acs-baseline/no-key-auth`, `acs-baseline/iac/listkeys-to-app` (see `SCAN_RULES`). */
  ruleId: string;
  kind: ScanFindingKind;
  /** The rule's severity, or lower (a `@secure()` / `sensitive` key flow is a warning). */
  severity: ScanSeverity;
  /** Azure security baseline control(s), e.g. `IM-1`. */
  control: string;
  message: string;
  /** The fix (the rule's help text). */
  help: string;
}

const KIND: Record<string, ScanFindingKind> = {
  "acs-baseline/no-key-auth": "key-auth",
  "acs-baseline/connection-string": "connection-string",
  "acs-baseline/connection-string-template": "connection-string",
  "acs-baseline/parse-error": "parse-error",
  "acs-baseline/python/key-auth": "key-auth",
  "acs-baseline/csharp/key-auth": "key-auth",
  "acs-baseline/java/key-auth": "key-auth",
  "acs-baseline/go/key-auth": "key-auth",
  "acs-baseline/shell/key-fetch": "key-auth",
  "acs-baseline/powershell/key-fetch": "key-auth",
  "acs-baseline/connection-string-assembled": "connection-string",
};

/** Builds a finding for `ruleId` with the rule's severity, control and help. */
export function makeFinding(
  ruleId: string,
  file: string,
  at: { line: number; column: number; endLine?: number; endColumn?: number },
  message: string,
  severity?: ScanSeverity,
): ScanFinding {
  const r = scanRule(ruleId);
  return {
    file,
    line: at.line,
    column: at.column,
    endLine: at.endLine ?? at.line,
    endColumn: at.endColumn ?? at.column,
    ruleId,
    kind: KIND[ruleId] ?? (ruleId.startsWith("acs-baseline/iac/") ? "iac" : "secret"),
    severity: severity ?? r.severity,
    control: r.control,
    message,
    help: r.help,
  };
}
