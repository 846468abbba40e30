/** The one IaC rule set: reads an {@link IacModel} (from any language's analyser) and returns findings. */
import { makeFinding } from "../finding.js";
import type { ScanFinding } from "../finding.js";
import { DISABLE_LOCAL_AUTH_API_VERSION, apiVersionTooOld } from "./model.js";
import type { IacModel, KeyFlow } from "./model.js";

const SINK_TEXT: Record<KeyFlow["sink"], string> = {
  "app-setting": "app setting",
  "connection-string-setting": "connection-string setting",
  "container-env": "container environment variable",
  "key-vault-secret": "Key Vault secret",
  output: "output",
  "module-parameter": "module parameter",
  "resource-property": "resource property",
};

/** Applies the IaC rules to one file's model. */
export function iacFindings(file: string, model: IacModel): ScanFinding[] {
  const out: ScanFinding[] = [];
  for (const flow of model.flows) {
    const where = `${SINK_TEXT[flow.sink]} ${flow.name}`;
    const secure = flow.secure
      ? ` It is marked ${model.language === "terraform" ? "sensitive" : "@secure()"}, which hides the value but the app still authenticates with a key.`
      : "";
    out.push(
      makeFinding(
        "acs-baseline/iac/listkeys-to-app",
        file,
        flow.at,
        `IM-1: an ACS access key flows into the ${where} (via ${flow.via}).${secure} Pass the endpoint instead and authenticate with Microsoft Entra ID.`,
        flow.secure ? "warning" : "error",
      ),
    );
    if (flow.suppressedAt !== undefined) {
      out.push(
        makeFinding(
          "acs-baseline/iac/linter-suppressed",
          file,
          flow.suppressedAt,
          `IM-8: #disable-next-line outputs-should-not-contain-secrets hides Bicep's warning about the ACS key in ${where}. Remove the suppression and the key output.`,
        ),
      );
    }
  }
  for (const r of model.resources) {
    if (r.provider === "azurerm") {
      out.push(
        makeFinding(
          "acs-baseline/iac/local-auth-enabled",
          file,
          r.at,
          `IM-1: ${r.name} (azurerm_communication_service) keeps access keys enabled: the azurerm provider cannot set disableLocalAuth, and its read calls ListKeys, so the keys also land in the Terraform state. Declare the resource with azapi_resource (Microsoft.Communication/communicationServices@${DISABLE_LOCAL_AUTH_API_VERSION}) and body.properties.disableLocalAuth = true.`,
        ),
      );
    } else if (apiVersionTooOld(r.apiVersion)) {
      out.push(
        makeFinding(
          "acs-baseline/iac/local-auth-enabled",
          file,
          r.at,
          `IM-1: ${r.name} uses API version ${r.apiVersion ?? "?"}, which is older than ${DISABLE_LOCAL_AUTH_API_VERSION} and cannot set disableLocalAuth${r.disablesLocalAuth ? " (the property is not part of that API version)" : ""}, so access keys stay enabled. Use API version ${DISABLE_LOCAL_AUTH_API_VERSION} or later with properties.disableLocalAuth: true.`,
        ),
      );
    } else if (!r.disablesLocalAuth && !r.disableLocalAuthUnknown) {
      out.push(
        makeFinding(
          "acs-baseline/iac/local-auth-enabled",
          file,
          r.at,
          `IM-1: ${r.name} is declared without disableLocalAuth: true, so its access keys keep working. Set properties.disableLocalAuth: true.`,
        ),
      );
    }
    if (!r.hasDiagnostics) {
      out.push(
        makeFinding(
          "acs-baseline/iac/no-resource-logs",
          file,
          r.at,
          `LT-4: ${r.name} has no diagnostic setting in this deployment. Add Microsoft.Insights/diagnosticSettings scoped to it so its logs are kept for investigation.`,
        ),
      );
    }
  }
  return out;
}
