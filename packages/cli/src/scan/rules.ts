/**
 * The catalog of every rule `acs-baseline scan` can report: stable id, severity, baseline control, help with the fix
 * and the documentation anchor. The SARIF `rules[]`, the text output and docs/scan.md all come from here.
 */

import { LANGUAGE_RULES } from "./languages/languageRules.js";
import type { ScanRule, ScanSeverity } from "./ruleTypes.js";

export type { ScanRule, ScanSeverity };

const DOCS = "https://github.com/acs-baseline/acs-baseline/blob/main/docs/scan.md";
const ENTRA =
  "authenticate with Microsoft Entra ID (AcsClientFactory in the app, a managed identity or service principal with an ACS data-plane role)";

const rule = (r: Omit<ScanRule, "helpUri"> & { anchor?: string; helpUri?: string }): ScanRule => ({
  id: r.id,
  name: r.name,
  severity: r.severity,
  control: r.control,
  summary: r.summary,
  help: r.help,
  securitySeverity: r.securitySeverity,
  helpUri: r.helpUri ?? `${DOCS}#${r.anchor ?? r.id.replace(/^acs-baseline\//, "").replace(/\//g, "")}`,
});

/** Every rule, in a stable order (SARIF `ruleIndex` follows it). @public */
export const SCAN_RULES: readonly ScanRule[] = [
  rule({
    id: "acs-baseline/no-key-auth",
    name: "NoKeyAuth",
    severity: "error",
    control: "IM-1",
    summary:
      "An ACS client (SDK or REST client) is built from a connection string or an access-key credential, or a key-auth helper is used.",
    help: `Build ACS clients with AcsClientFactory from acs-baseline (Microsoft Entra ID service principal, certificate first), then set disableLocalAuth: true on the resource.`,
    securitySeverity: "8.0",
    helpUri: "https://github.com/acs-baseline/acs-baseline/blob/main/docs/rules/no-key-auth.md",
  }),
  rule({
    id: "acs-baseline/connection-string",
    name: "ConnectionString",
    severity: "error",
    control: "IM-1, IM-8",
    summary: "A file contains an ACS connection string with a real-looking access key.",
    help: `Remove the connection string, rotate the access key, set disableLocalAuth: true on the resource and ${ENTRA}.`,
    securitySeverity: "9.0",
  }),
  rule({
    id: "acs-baseline/connection-string-template",
    name: "ConnectionStringTemplate",
    severity: "warning",
    control: "IM-1, IM-8",
    summary: "A connection string with a placeholder key (e.g. accesskey=<key>): it invites a real key into this file.",
    help: `Replace the template with the endpoint only (https://<resource>.communication.azure.com) and ${ENTRA}.`,
    securitySeverity: "4.0",
  }),
  rule({
    id: "acs-baseline/identifiable-key",
    name: "IdentifiableKey",
    severity: "error",
    control: "IM-8",
    summary: "An ACS identifiable access key (Microsoft SEC101/204 format, signature JQQJ99 … AZCS).",
    help: `Remove the key from the file and its history, regenerate it (az communication regenerate-key), set disableLocalAuth: true and ${ENTRA}.`,
    securitySeverity: "9.0",
  }),
  rule({
    id: "acs-baseline/legacy-key",
    name: "LegacyKey",
    severity: "error",
    control: "IM-8",
    summary:
      "An 88-character base64 access key next to ACS context (an accesskey name or a communication.azure.com host).",
    help: `Remove the key from the file and its history, regenerate it, set disableLocalAuth: true and ${ENTRA}.`,
    securitySeverity: "8.5",
  }),
  rule({
    id: "acs-baseline/hmac-signing",
    name: "HmacSigning",
    severity: "error",
    control: "IM-1",
    summary:
      "Hand-built ACS request signing (Authorization: HMAC-SHA256 SignedHeaders=…&Signature=…) with the access key.",
    help: `Drop the HMAC signing code: call ACS with a bearer token from Microsoft Entra ID (AcsClientFactory, or @azure/identity with the https://communication.azure.com/.default scope).`,
    securitySeverity: "8.0",
  }),
  rule({
    id: "acs-baseline/iac/listkeys-to-app",
    name: "ListKeysToApp",
    severity: "error",
    control: "IM-1, IM-8",
    summary:
      "A deployment template copies an ACS key or connection string (listKeys, primaryConnectionString, primary_key, …) into an app setting, container env var, Key Vault secret, output or module.",
    help: `Pass the endpoint (https://<name>.communication.azure.com) instead, give the app's managed identity an ACS role, and ${ENTRA}. @secure() or sensitive = true only hides the value: the app still authenticates with a key.`,
    securitySeverity: "8.5",
    anchor: "iaclistkeys-to-app",
  }),
  rule({
    id: "acs-baseline/iac/local-auth-enabled",
    name: "LocalAuthEnabled",
    severity: "error",
    control: "IM-1",
    summary: "An ACS resource is declared without disableLocalAuth: true, so its access keys keep working.",
    help: "Set properties.disableLocalAuth: true with API version 2025-05-01 or later. With Terraform, declare the resource with azapi_resource (type Microsoft.Communication/communicationServices@2025-05-01, body.properties.disableLocalAuth = true): azurerm_communication_service can neither set it nor keep the keys out of state.",
    securitySeverity: "7.0",
    anchor: "iaclocal-auth-enabled",
  }),
  rule({
    id: "acs-baseline/iac/linter-suppressed",
    name: "LinterSuppressed",
    severity: "warning",
    control: "IM-8",
    summary:
      "#disable-next-line outputs-should-not-contain-secrets silences Bicep's own warning above an ACS key output.",
    help: "Remove the suppression and the key output; output the endpoint and use Microsoft Entra ID instead.",
    securitySeverity: "5.0",
    anchor: "iaclinter-suppressed",
  }),
  rule({
    id: "acs-baseline/iac/no-resource-logs",
    name: "NoResourceLogs",
    severity: "warning",
    control: "LT-4",
    summary: "An ACS resource in a deployment with no diagnostic setting scoped to it.",
    help: "Add a Microsoft.Insights/diagnosticSettings resource scoped to the ACS resource (Terraform: azurerm_monitor_diagnostic_setting with target_resource_id) sending its logs to Log Analytics or storage.",
    securitySeverity: "3.0",
    anchor: "iacno-resource-logs",
  }),
  ...LANGUAGE_RULES,
  rule({
    id: "acs-baseline/parse-error",
    name: "ParseError",
    severity: "warning",
    control: "-",
    summary: "The file could not be parsed; only its text was searched.",
    help: "Fix the syntax error so the file can be analysed.",
    securitySeverity: "0.0",
  }),
];

const BY_ID = new Map(SCAN_RULES.map((r) => [r.id, r]));

/** The rule with this id (throws on an unknown id: a bug). */
export function scanRule(id: string): ScanRule {
  const r = BY_ID.get(id);
  if (r === undefined) throw new Error(`acs-baseline scan: unknown rule ${id}`);
  return r;
}
