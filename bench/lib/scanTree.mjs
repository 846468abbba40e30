// Generates a source tree for the scan benchmark: mostly ordinary code and config, one file in five an IaC template
// (ARM JSON, Bicep, Terraform; half of them declare a baseline-conformant ACS resource, so the analysers really run),
// with seeded ACS key-auth cases in known files. Returns the seeded file paths (relative) so finders can be scored.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const FAKE_KEY = "QUNTQkVOQ0hGQUtFS0VZQUNTQkVOQ0hGQUtFS0VZQUNTQkVOQ0g="; // not a real key: base64 of a marker

const SEEDS = [
  [
    "js",
    `import { SmsClient } from "@azure/communication-sms";\nconst client = new SmsClient("endpoint=https://contoso.communication.azure.com/;accesskey=${FAKE_KEY}");\n`,
  ],
  [
    "js",
    `const { SmsClient } = require("@azure/communication-sms");\nconst client = new SmsClient(process.env.ACS_CONNECTION_STRING);\n`,
  ],
  [
    "ts",
    `import { CommunicationIdentityClient } from "@azure/communication-identity";\nimport { AzureKeyCredential } from "@azure/core-auth";\nexport const c = new CommunicationIdentityClient("https://contoso.communication.azure.com", new AzureKeyCredential(process.env.ACS_KEY!));\n`,
  ],
  [
    "mjs",
    `import * as sms from "@azure/communication-sms";\nconst cs = process.env.CS;\nexport const client = new sms.SmsClient(cs, { retryOptions: { maxRetries: 2 } });\n`,
  ],
  [
    "ts",
    `import { EmailClient } from "@azure/communication-email";\nimport { AzureKeyCredential } from "@azure/core-auth";\nconst credential = new AzureKeyCredential("k");\nexport const email = new EmailClient("https://contoso.communication.azure.com", credential);\n`,
  ],
  ["env", `ACS_CONNECTION_STRING=endpoint=https://contoso.communication.azure.com/;accesskey=${FAKE_KEY}\n`],
  [
    "json",
    `{ "acs": { "connectionString": "endpoint=https://contoso.communication.azure.com/;accesskey=${FAKE_KEY}" } }\n`,
  ],
  ["yaml", `acs:\n  connectionString: "endpoint=https://contoso.communication.azure.com/;accesskey=${FAKE_KEY}"\n`],
  ["md", `Configure: \`endpoint=https://contoso.communication.azure.com/;accesskey=${FAKE_KEY}\`\n`],
  [
    "cjs",
    `const { parseConnectionString } = require("@azure/communication-common");\nmodule.exports = parseConnectionString(process.env.CS);\n`,
  ],
  [
    "bicep",
    `resource acs 'Microsoft.Communication/communicationServices@2023-04-01' existing = {\n  name: 'contoso-acs'\n}\n#disable-next-line outputs-should-not-contain-secrets\noutput cs string = acs.listKeys().primaryConnectionString\n`,
  ],
  [
    "json",
    JSON.stringify(
      {
        $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        contentVersion: "1.0.0.0",
        resources: [
          {
            type: "Microsoft.Web/sites",
            apiVersion: "2022-09-01",
            name: "app",
            properties: {
              siteConfig: {
                appSettings: [
                  {
                    name: "ACS",
                    value:
                      "[listKeys(resourceId('Microsoft.Communication/communicationServices', 'acs'), '2023-04-01').primaryConnectionString]",
                  },
                ],
              },
            },
          },
        ],
      },
      null,
      2,
    ),
  ],
  [
    "tf",
    `resource "azurerm_linux_web_app" "app" {\n  name = "app"\n  app_settings = {\n    ACS = azurerm_communication_service.acs.primary_connection_string\n  }\n}\n`,
  ],
];

// IaC files without findings: half declare a conformant ACS resource (disableLocalAuth, diagnostic setting).
function iacFile(i) {
  const acs = Math.floor(i / 5) % 2 === 0;
  switch (Math.floor(i / 10) % 3) {
    case 0:
      return [
        "json",
        JSON.stringify(
          {
            $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            contentVersion: "1.0.0.0",
            parameters: { name: { type: "string", defaultValue: `svc${i}` } },
            variables: { tags: { env: "prod", idx: i } },
            resources: acs
              ? [
                  {
                    type: "Microsoft.Communication/communicationServices",
                    apiVersion: "2025-05-01",
                    name: "[parameters('name')]",
                    location: "global",
                    properties: { dataLocation: "Europe", disableLocalAuth: true },
                  },
                  {
                    type: "Microsoft.Insights/diagnosticSettings",
                    apiVersion: "2021-05-01-preview",
                    name: "logs",
                    scope: "[resourceId('Microsoft.Communication/communicationServices', parameters('name'))]",
                    properties: { logs: [{ categoryGroup: "allLogs", enabled: true }] },
                  },
                ]
              : [
                  {
                    type: "Microsoft.Storage/storageAccounts",
                    apiVersion: "2023-01-01",
                    name: "[parameters('name')]",
                    location: "[resourceGroup().location]",
                    sku: { name: "Standard_LRS" },
                    kind: "StorageV2",
                    properties: { minimumTlsVersion: "TLS1_2" },
                  },
                ],
            outputs: {
              id: { type: "string", value: "[resourceId('Microsoft.Storage/storageAccounts', parameters('name'))]" },
            },
          },
          null,
          2,
        ),
      ];
    case 1:
      return [
        "bicep",
        acs
          ? `param name string = 'svc${i}'\nparam workspaceId string\n\nresource acs 'Microsoft.Communication/communicationServices@2025-05-01' = {\n  name: name\n  location: 'global'\n  properties: {\n    dataLocation: 'Europe'\n    disableLocalAuth: true\n  }\n}\n\nresource diag 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {\n  name: 'logs'\n  scope: acs\n  properties: { workspaceId: workspaceId }\n}\n\noutput endpoint string = 'https://\${acs.properties.hostName}'\n`
          : `param name string = 'st${i}'\n\nresource st 'Microsoft.Storage/storageAccounts@2023-01-01' = {\n  name: name\n  location: resourceGroup().location\n  sku: { name: 'Standard_LRS' }\n  kind: 'StorageV2'\n}\n\noutput id string = st.id\n`,
      ];
    default:
      return [
        "tf",
        acs
          ? `resource "azapi_resource" "acs" {\n  type      = "Microsoft.Communication/communicationServices@2025-05-01"\n  name      = "svc${i}"\n  parent_id = var.rg_id\n  location  = "global"\n  body = {\n    properties = {\n      dataLocation     = "Europe"\n      disableLocalAuth = true\n    }\n  }\n}\n\nresource "azurerm_monitor_diagnostic_setting" "acs" {\n  name               = "logs"\n  target_resource_id = azapi_resource.acs.id\n  enabled_log { category_group = "allLogs" }\n}\n`
          : `resource "azurerm_storage_account" "st" {\n  name                     = "st${i}"\n  resource_group_name      = var.rg\n  location                 = var.location\n  account_tier             = "Standard"\n  account_replication_type = "LRS"\n}\n\noutput "id" {\n  value = azurerm_storage_account.st.id\n}\n`,
      ];
  }
}

// What an app that uses ACS the right way writes (Microsoft Entra ID, no key): the rule must run on it and stay quiet.
const ACS_USE = [
  `import { SmsClient } from "@azure/communication-sms";`,
  `import { DefaultAzureCredential } from "@azure/identity";`,
  "",
  `const sms = new SmsClient("https://contoso.communication.azure.com", new DefaultAzureCredential());`,
  `export const sendAlert = (to, message) => sms.send({ from: "+15550100", to: [to], message });`,
];

function ordinaryJs(i, acs = false) {
  const lines = [
    `import { readFile } from "node:fs/promises";`,
    `import { createHash } from "node:crypto";`,
    ...(acs ? ACS_USE : []),
    "",
  ];
  for (let f = 0; f < 12; f++) {
    lines.push(
      `export async function handler${i}_${f}(path, options = {}) {`,
      `  const text = await readFile(path, "utf8");`,
      `  const digest = createHash("sha256").update(text + String(options.salt ?? ${f})).digest("hex");`,
      `  if (digest.startsWith("00")) { return { ok: false, reason: "unlucky", path }; }`,
      `  return { ok: true, digest, size: text.length, items: text.split("\\n").map((l) => l.trim()).filter(Boolean) };`,
      `}`,
      "",
    );
  }
  return lines.join("\n");
}

function ordinaryTs(i, acs = false) {
  return ordinaryJs(i, acs)
    .replace("(to, message)", "(to: string, message: string)")
    .replace(/\(path, options = \{\}\)/g, "(path: string, options: { salt?: number } = {})")
    .replace(/\(l\)/g, "(l: string)");
}

/**
 * `acsEvery`: one ordinary JavaScript/TypeScript file in this many imports an ACS SDK (with Entra ID, no finding);
 * 1 makes every one do so (an ACS-heavy app), 20 is the mixed tree. 0 means none.
 */
export function generateScanTree(root, { files = 5000, seeds = 50, acsEvery = 20 } = {}) {
  const seeded = [];
  let code = 0;
  const nextUsesAcs = () => acsEvery > 0 && code++ % acsEvery === 0;
  const everyNth = Math.floor(files / seeds);
  for (let i = 0; i < files; i++) {
    const dir = join(root, `pkg${i % 50}`, `mod${i % 7}`);
    mkdirSync(dir, { recursive: true });
    if (i % everyNth === 1 && seeded.length < seeds) {
      const [ext, text] = SEEDS[seeded.length % SEEDS.length];
      const name = ext === "env" ? `.env.seed${i}` : `seed${i}.${ext}`;
      writeFileSync(join(dir, name), text);
      seeded.push(join(dir, name).slice(root.length + 1));
      continue;
    }
    if (i % 5 === 0) {
      const [ext, text] = iacFile(i);
      // One directory per Terraform file: a Terraform module is a directory.
      const target = ext === "tf" ? join(dir, `tf${i}`) : dir;
      mkdirSync(target, { recursive: true });
      writeFileSync(join(target, ext === "json" ? `azuredeploy${i}.json` : `main${i}.${ext}`), text);
      continue;
    }
    const kind = i % 10;
    if (kind < 5) writeFileSync(join(dir, `file${i}.js`), ordinaryJs(i, nextUsesAcs()));
    else if (kind < 8) writeFileSync(join(dir, `file${i}.ts`), ordinaryTs(i, nextUsesAcs()));
    else if (kind === 8)
      writeFileSync(
        join(dir, `config${i}.json`),
        JSON.stringify({ name: `svc${i}`, port: 3000 + i, endpoints: ["https://example.com"] }, null, 2),
      );
    else
      writeFileSync(join(dir, `notes${i}.md`), `# Notes ${i}\n\nNothing secret here; see https://example.com/docs.\n`);
  }
  mkdirSync(dirname(join(root, "x")), { recursive: true });
  return seeded;
}
