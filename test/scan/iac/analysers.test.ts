// Shapes of the IaC analysers not in the corpus, one at a time, through scanText (no file access: modules unread).
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { scanText } from "../../../packages/cli/src/scan/scan.js";

const rules = (file: string, text: string) =>
  scanText(file, text).map((f) => `${f.line} ${f.ruleId.replace("acs-baseline/", "")} ${f.severity}`);

describe("Bicep", () => {
  it("follows az.listKeys, conditional bodies, interpolation and module parameters", () => {
    const text = [
      "param deploy bool",
      "resource acs 'Microsoft.Communication/communicationServices@2025-05-01' = if (deploy) {",
      "  name: 'acs'",
      "  location: 'global'",
      "  properties: { dataLocation: 'Europe', disableLocalAuth: true }",
      "}",
      "resource d 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = { name: 'd', scope: acs, properties: {} }",
      "module web './web.bicep' = {",
      "  name: 'web'",
      "  params: {",
      "    settings: { ACS: 'endpoint=x;accesskey=${az.listKeys(acs.id, acs.apiVersion).primaryKey}' }",
      "  }",
      "}",
    ].join("\n");
    expect(rules("main.bicep", text)).toEqual(["11 iac/listkeys-to-app error"]);
  });

  it("reports a disableLocalAuth that is false and does not guess an unresolvable one", () => {
    const res = (v: string) =>
      `param x bool\nresource acs 'Microsoft.Communication/communicationServices@2025-05-01' = {\n  name: 'a'\n  properties: { disableLocalAuth: ${v} }\n}\n`;
    expect(rules("a.bicep", res("false"))).toEqual([
      "2 iac/local-auth-enabled error",
      "2 iac/no-resource-logs warning",
    ]);
    expect(rules("a.bicep", res("x && true"))).toEqual(["2 iac/no-resource-logs warning"]);
  });

  it("does not guess when the properties are an expression", () => {
    const text =
      "var props = { dataLocation: 'Europe', disableLocalAuth: true }\nresource acs 'Microsoft.Communication/communicationServices@2025-05-01' = {\n  name: 'a'\n  properties: props\n}\n";
    expect(rules("a.bicep", text)).toEqual(["2 iac/no-resource-logs warning"]);
  });

  it("ignores listKeys on other resources and text in comments and strings", () => {
    const text =
      "resource st 'Microsoft.Storage/storageAccounts@2023-01-01' existing = { name: 's' }\n// acs.listKeys().primaryKey\noutput k string = st.listKeys().keys[0].value\noutput s string = 'acs.listKeys().primaryKey'\n";
    expect(rules("a.bicep", text)).toEqual([]);
  });
});

describe("ARM", () => {
  it("accepts comments, follows variables holding keys, and reports secure outputs as warnings", () => {
    const text = `{
  // exported template
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "variables": { "keys": "[listKeys(resourceId('Microsoft.Communication/CommunicationServices', 'acs'), '2023-04-01')]" },
  "resources": [],
  "outputs": { /* both */ "cs": { "type": "secureString", "value": "[variables('keys').primaryConnectionString]" } }
}`;
    expect(rules("t.json", text)).toEqual(["7 iac/listkeys-to-app warning"]);
  });

  it("does not treat other JSON as a template", () => {
    expect(
      rules("package-lock.json", JSON.stringify({ packages: { "node_modules/@azure/communication-sms": {} } })),
    ).toEqual([]);
  });

  // A template that is not JSON was once taken for "not a template": no finding at all, exit 0, "✓ no key-based ACS
  // authentication found", however many keys it copied around.
  const template = (pad: string) =>
    JSON.stringify(
      {
        $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        contentVersion: "1.0.0.0",
        resources: [
          { type: "Microsoft.Communication/communicationServices", apiVersion: "2025-05-01", name: "acs" },
          {
            type: "Microsoft.Web/sites/config",
            apiVersion: "2022-09-01",
            name: "web/appsettings",
            properties: {
              ACS: "[listKeys(resourceId('Microsoft.Communication/communicationServices','acs'),'2025-05-01').primaryConnectionString]",
            },
          },
        ],
        metadata: { pad: "PAD" },
      },
      null,
      2,
    ).replace('"PAD"', pad);
  const messages = (file: string, text: string) => scanText(file, text).map((f) => `${f.line} ${f.message}`);
  const notAnalysed = (reason: string) =>
    `1 The template could not be analysed (${reason}); only its text was searched.`;

  it("reports a template that is not JSON (a trailing comma, nesting past the JSON parser's 512) as a parse error", () => {
    expect(rules("control.json", template("[]"))).toEqual([
      "15 iac/listkeys-to-app error",
      "5 iac/local-auth-enabled error",
      "5 iac/no-resource-logs warning",
    ]);
    expect(messages("comma.json", template("[],"))).toEqual([
      notAnalysed("expected a property name at line 21, column 3"),
    ]);
    expect(messages("deep.json", template(`${"[".repeat(600)}${"]".repeat(600)}`))).toEqual([
      notAnalysed("nesting too deep at line 20, column 523"),
    ]);
    // Without $schema: resources with contentVersion or outputs, as isArmTemplate decides for JSON that parses.
    const bare = template("[],").replace(/"\$schema": [^\n]*\n/, "");
    expect(rules("bare.json", bare)).toEqual(["1 parse-error warning"]);
    // An invalid escape: JSON.parse's message (which can quote the text) is not passed on.
    expect(messages("escape.json", template('"\\q"'))).toEqual([
      notAnalysed("invalid escape in string at line 20, column 12"),
    ]);
  });

  it("analyses a template with a multi-line string (ARM takes them), other control characters are still a parse error", () => {
    expect(rules("multiline.json", template('"first line\nsecond line\tand a tab"'))).toEqual([
      "15 iac/listkeys-to-app error",
      "5 iac/local-auth-enabled error",
      "5 iac/no-resource-logs warning",
    ]);
    expect(rules("bell.json", template('"a \u0007 bell"'))).toEqual(["1 parse-error warning"]);
  });

  it("still searches the text of a template that is not JSON", () => {
    const key = randomBytes(64).toString("base64");
    const cs = `endpoint=https://contoso.communication.azure.com/;accesskey=${key}`;
    const found = rules("comma.json", template(`"${cs}",`));
    expect(found).toContain("1 parse-error warning");
    expect(found).toContain("20 connection-string error");
  });

  it("does not report broken JSON that is not a template", () => {
    const lock = '{ "packages": { "node_modules/@azure/communication-sms": { "resources": [], }, } }';
    expect(rules("package-lock.json", lock)).toEqual([]);
    // "resources" alone (no $schema, contentVersion or outputs) does not make a template, parsed or not.
    expect(rules("notes.json", '{ "resources": ["communication"], }')).toEqual([]);
  });
});

describe("Terraform", () => {
  it("reads heredoc interpolations, azapi jsonencode bodies and .tf.json", () => {
    const hcl = `resource "azapi_resource" "acs" {
  type = "Microsoft.Communication/communicationServices@2025-05-01"
  name = "acs"
  body = jsonencode({ properties = { dataLocation = "Europe", disableLocalAuth = true } })
}
resource "azurerm_monitor_diagnostic_setting" "d" {
  target_resource_id = azapi_resource.acs.id
}
resource "kubernetes_secret" "s" {
  data = {
    cfg = <<EOT
ACS=\${azurerm_communication_service.old.primary_connection_string}
EOT
  }
}
`;
    expect(rules("main.tf", hcl)).toEqual(["11 iac/listkeys-to-app error"]);
    const json = JSON.stringify({
      resource: {
        azurerm_key_vault_secret: { s: { name: "acs", value: "${azurerm_communication_service.a.secondary_key}" } },
      },
    });
    expect(rules("main.tf.json", json)).toEqual(["1 iac/listkeys-to-app error"]);
  });

  it("reports a .tf.json that is not JSON as a parse error", () => {
    const json = '{ "resource": { "azurerm_communication_service": { "acs": { "name": "a", } } } }';
    expect(scanText("main.tf.json", json).map((f) => `${f.ruleId} ${f.message}`)).toEqual([
      "acs-baseline/parse-error The template could not be analysed (expected a property name at line 1, column 74); only its text was searched.",
    ]);
  });

  it("reports azurerm_communication_service with the azapi recommendation", () => {
    const [f] = scanText("main.tf", 'resource "azurerm_communication_service" "acs" {\n  name = "a"\n}\n');
    expect(f.ruleId).toBe("acs-baseline/iac/local-auth-enabled");
    expect(f.message).toContain("azapi_resource");
    expect(f.message).toContain("state");
  });
});
