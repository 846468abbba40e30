// The text front ends (issue 25 item 7): Python, C#, Java/Kotlin, Go, shell, PowerShell and assembled connection
// strings. Each documented key form is found with its rule id; the Entra form, and the key forms written only in
// comments or documentation strings, are not; a stray NUL byte or a BOM-less UTF-16 file does not hide a file.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { languageFindings } from "../../../packages/cli/src/scan/languages/analyse.js";
import { scanPaths, scanText } from "../../../packages/cli/src/scan/scan.js";
import { SCAN_RULES } from "../../../packages/cli/src/scan/rules.js";

const ids = (file: string, text: string) => languageFindings(file, text).map((f) => `${f.line} ${f.ruleId}`);

describe("key forms are found, per language", () => {
  const cases: [string, string, string[]][] = [
    [
      "a.py",
      "from azure.communication.sms import SmsClient\nc = SmsClient.from_connection_string(cs)\n",
      ["2 acs-baseline/python/key-auth"],
    ],
    [
      "a.py",
      "import azure.communication.rooms as r\nc = r.RoomsClient.from_connection_string(cs)\n",
      ["2 acs-baseline/python/key-auth"],
    ],
    [
      "a.py",
      "from azure.communication.sms import SmsClient as S\nAlias = S\nc = Alias.from_connection_string(cs)\n",
      ["3 acs-baseline/python/key-auth"],
    ],
    [
      "a.py",
      "from azure.core.credentials import AzureKeyCredential\nc = SmsClient(endpoint, credential=AzureKeyCredential(k))\n",
      ["2 acs-baseline/python/key-auth"],
    ],
    ["a.cs", 'var c = new SmsClient(Environment.GetEnvironmentVariable("ACS"));\n', ["1 acs-baseline/csharp/key-auth"]],
    [
      "a.cs",
      'var c = new Azure.Communication.Email.EmailClient(builder.Configuration.GetConnectionString("Acs"));\n',
      ["1 acs-baseline/csharp/key-auth"],
    ],
    ["a.cs", "CallAutomationClient c = new(cs);\n", ["1 acs-baseline/csharp/key-auth"]],
    ["a.cs", "var c = new RoomsClient(new Uri(e), new AzureKeyCredential(k));\n", ["1 acs-baseline/csharp/key-auth"]],
    // CallAutomationClient's (Uri pmaEndpoint, string connectionString, options) constructor, positional or named.
    [
      "a.cs",
      'var a = new CallAutomationClient(pmaEndpoint: new Uri("https://pma.example:6448"), connectionString: acsCs);\n' +
        "var b = new CallAutomationClient(pmaEndpoint, connectionString: acsConnectionString);\n" +
        "var c = new CallAutomationClient(pmaEndpoint, acsConnectionString);\n" +
        "var e = new CallAutomationClient(pmaEndpoint, settings.ConnectionString, new CallAutomationClientOptions());\n",
      [
        "1 acs-baseline/csharp/key-auth",
        "2 acs-baseline/csharp/key-auth",
        "3 acs-baseline/csharp/key-auth",
        "4 acs-baseline/csharp/key-auth",
      ],
    ],
    // One argument and client options, whatever the options are called.
    [
      "a.cs",
      "var a = new SmsClient(cs, options);\nvar b = new EmailClient(connectionString, opts);\n" +
        "var c = new EmailClient(cs, options: o);\nvar d = new SmsClient(cs, smsClientOptions);\n",
      [
        "1 acs-baseline/csharp/key-auth",
        "2 acs-baseline/csharp/key-auth",
        "3 acs-baseline/csharp/key-auth",
        "4 acs-baseline/csharp/key-auth",
      ],
    ],
    [
      "a.java",
      "SmsClient c = new SmsClientBuilder()\n  .connectionString(cs)\n  .buildClient();\n",
      ["2 acs-baseline/java/key-auth"],
    ],
    [
      "a.java",
      "var c = new CommunicationIdentityClientBuilder().endpoint(e).credential(new AzureKeyCredential(k)).buildClient();\n",
      ["1 acs-baseline/java/key-auth"],
    ],
    ["a.java", 'var keys = manager.communicationServices().listKeys("rg", "acs");\n', ["1 acs-baseline/java/key-auth"]],
    [
      "a.go",
      'import id "github.com/Azure/azure-sdk-for-go/sdk/communication/azcommunicationidentity"\nvar c = id.NewClientFromConnectionString(cs, nil)\n',
      ["2 acs-baseline/go/key-auth"],
    ],
    [
      "a.sh",
      "KEY=$(az communication list-key -n acs -g rg --query primaryKey -o tsv)\n",
      ["1 acs-baseline/shell/key-fetch"],
    ],
    [
      "deploy",
      "#!/bin/bash\naz resource invoke-action --action listKeys \\\n  --ids /subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs\n",
      ["2 acs-baseline/shell/key-fetch"],
    ],
    [
      "ci.yml",
      '- run: az rest --method post --url "$ARM/providers/Microsoft.Communication/communicationServices/acs/listKeys"\n',
      ["1 acs-baseline/shell/key-fetch"],
    ],
    [
      "a.ps1",
      "$k = Get-AzCommunicationServiceKey -CommunicationServiceName acs -ResourceGroupName rg\n",
      ["1 acs-baseline/powershell/key-fetch"],
    ],
    [
      "a.ps1",
      'Invoke-AzRestMethod -Method POST `\n  -Path "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs/listKeys?api-version=2023-04-01"\n',
      ["2 acs-baseline/powershell/key-fetch"],
    ],
    [
      "a.py",
      'from azure.communication.sms import SmsClient\nconn = "endpoint=" + endpoint + ";accesskey=" + key\n',
      ["2 acs-baseline/connection-string-assembled"],
    ],
    [
      "a.java",
      'import com.azure.communication.sms.*;\nString cs = String.format("%s;accesskey=%s", e, k);\n',
      ["2 acs-baseline/connection-string-assembled"],
    ],
    [
      "appsettings.Production.json",
      '{ "Acs": "communication", "AcsKeyPart": "accesskey=<your-access-key>" }\n',
      ["1 acs-baseline/connection-string-assembled"],
    ],
  ];
  for (const [file, text, expected] of cases) {
    it(`${file}: ${text
      .split("\n")
      .find((l) => /\S/.test(l) && !l.startsWith("import") && !l.startsWith("from") && !l.startsWith("#!"))
      ?.slice(0, 70)}`, () => {
      expect(ids(file, text)).toEqual(expected);
    });
  }
});

describe("key listing through a management SDK", () => {
  it("is reported at the call (past its leading dot), with the call named and the Entra alternative", () => {
    const cases: [string, string, string, string][] = [
      [
        "a.py",
        "keys = client.communication_service.list_keys(rg, name)\n",
        "communication_service.list_keys(",
        "(communication_services.list_keys)",
      ],
      [
        "a.go",
        'import "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/communication/armcommunication"\nk, _ := c.ListKeys(ctx, rg, n, nil)\n',
        "ListKeys(",
        "armcommunication lists the ACS access keys (ListKeys)",
      ],
      [
        "a.cs",
        "using Azure.ResourceManager.Communication;\nvar k = await acs.GetKeysAsync();\n",
        "GetKeysAsync(",
        "reads the ACS access keys (GetKeys/ListKeys)",
      ],
      [
        "a.java",
        'var keys = manager.communicationServices().listKeys("rg", "acs");\n',
        "communicationServices().listKeys(",
        "(communicationServices().listKeys)",
      ],
    ];
    for (const [file, text, call, named] of cases) {
      const found = languageFindings(file, text);
      expect(found, file).toHaveLength(1);
      const [f] = found;
      const line = text.split("\n")[f.line - 1];
      expect(line.slice(f.column - 1, f.endColumn - 1), file).toBe(call);
      expect(f.message, file).toContain(named);
      expect(f.message, file).toContain(
        "Give the app an Entra identity with an ACS data-plane role instead of handing it a key.",
      );
    }
  });
});

describe("no finding for the Entra forms, other services, or names only in comments and docs", () => {
  const clean: [string, string][] = [
    ["a.py", "c = SmsClient(endpoint, DefaultAzureCredential())\n"],
    [
      "a.py",
      'def f():\n    """Legacy: SmsClient.from_connection_string(cs)."""\n    return SmsClient(e, CertificateCredential(t, c, p))\n',
    ],
    ["a.py", "# c = SmsClient.from_connection_string(cs)\nc = BlobServiceClient.from_connection_string(cs)\n"],
    ["a.py", 'print("call SmsClient.from_connection_string(cs) only in tests")\n'],
    [
      "a.cs",
      "/// <example>new SmsClient(connectionString)</example>\nvar c = new SmsClient(new Uri(e), new DefaultAzureCredential());\n",
    ],
    ["a.cs", "var c = new SmsClient(endpointUri, credential);\nvar m = new SmsClient();\n"],
    [
      "a.cs",
      "var c = new CallAutomationClient(pmaEndpoint, credential, options);\nvar e = new EmailClient(endpoint, tokenCredential);\n" +
        "var r = new RoomsClient(new Uri(connectionStringEndpoint), new DefaultAzureCredential(), roomsOptions);\n",
    ],
    ["a.cs", 'var s = @"new SmsClient(""cs"")";\nvar t = """\nnew SmsClient(cs)\n""";\n'],
    [
      "a.java",
      "/** new SmsClientBuilder().connectionString(cs) */\nvar b = new BlobServiceClientBuilder().connectionString(cs);\n",
    ],
    [
      "a.go",
      'import "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"\nvar c, _ = azblob.NewClientFromConnectionString(cs, nil)\n',
    ],
    ["a.sh", "# az communication list-key -n acs -g rg\necho done # then: az communication list-key\n"],
    [
      "a.sh",
      'az storage account keys list -n st -g rg\naz rest --method post --url "$BASE/Microsoft.Storage/storageAccounts/st/listKeys"\n',
    ],
    [
      "a.ps1",
      "<#\nGet-AzCommunicationServiceKey -CommunicationServiceName acs\n#>\n# Get-AzCommunicationServiceKey\nGet-AzCommunicationService -Name acs\n",
    ],
    [
      "a.py",
      '# SignalR, not ACS (communication hub)\nconn = "Endpoint=" + e + ";AccessKey=" + k + ";Version=1.0;"  # signalr\n',
    ],
    ["a.py", 'import azure.communication.sms\ndef f():\n    r"""Build it as conn = ";accesskey=" + key."""\n'],
    ["a.cs", 'var p = @$"C:\\acs\\{name}\\";\n// new SmsClient(cs)\nvar c = new SmsClient(new Uri(e), cred);\n'],
    ["notes.md", "Use the communication resource; never `;accesskey=` + key.\n"],
    [
      "openapi.yaml",
      "paths:\n  /subscriptions/{s}/providers/Microsoft.Communication/communicationServices/{n}/listKeys:\n    post: {}\n",
    ],
    ["README.md", "```sh\naz communication list-key --name acs --resource-group rg\n```\n"],
    ["a.py", 'conn = ";accesskey=" + key  # no ACS context in this file\n'],
  ];
  for (const [file, text] of clean) {
    it(`${file}: ${text.split("\n")[0].slice(0, 70)}`, () => expect(ids(file, text)).toEqual([]));
  }
});

describe("catalog", () => {
  it("every front-end rule has a fix naming the Entra credential of its language and a rule page", () => {
    const expectations: Record<string, RegExp> = {
      "acs-baseline/python/key-auth": /DefaultAzureCredential\(\).*CertificateCredential/,
      "acs-baseline/csharp/key-auth": /new DefaultAzureCredential\(\).*ClientCertificateCredential/,
      "acs-baseline/java/key-auth": /DefaultAzureCredentialBuilder.*ClientCertificateCredentialBuilder/,
      "acs-baseline/go/key-auth": /azidentity\.NewDefaultAzureCredential.*NewClientCertificateCredential/,
      "acs-baseline/shell/key-fetch": /DefaultAzureCredential or ClientCertificateCredential/,
      "acs-baseline/powershell/key-fetch": /DefaultAzureCredential or ClientCertificateCredential/,
      "acs-baseline/connection-string-assembled": /DefaultAzureCredential or ClientCertificateCredential/,
    };
    for (const [id, help] of Object.entries(expectations)) {
      const rule = SCAN_RULES.find((r) => r.id === id);
      expect(rule?.help, id).toMatch(help);
      expect(rule?.helpUri, id).toMatch(/\/docs\/rules\/[a-z-]+\.md$/);
    }
  });
});

describe("binary detection is not a hiding place", () => {
  const dir = mkdtempSync(join(tmpdir(), "acs-scan-nul-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a text file with a stray NUL byte early on is scanned", () => {
    writeFileSync(
      join(dir, "send.py"),
      Buffer.from("\0# x\nfrom azure.communication.sms import SmsClient\nc = SmsClient.from_connection_string(cs)\n"),
    );
    writeFileSync(
      join(dir, "fetch.sh"),
      Buffer.concat([
        Buffer.from("#!/bin/sh\n\0\0\n"),
        Buffer.from("az communication list-key -n a -g b\n"),
        Buffer.from([0xff, 0xfe, 0x00]),
      ]),
    );
    const r = scanPaths(["send.py", "fetch.sh"], { cwd: dir, useGit: false });
    expect(r.skipped).toEqual([]);
    expect(r.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual([
      "fetch.sh:3 acs-baseline/shell/key-fetch",
      "send.py:3 acs-baseline/python/key-auth",
    ]);
  });

  it("ASCII text saved as UTF-16 without a BOM is decoded and scanned", () => {
    writeFileSync(
      join(dir, "keys.ps1"),
      Buffer.from("Get-AzCommunicationServiceKey -CommunicationServiceName acs\r\n", "utf16le"),
    );
    const r = scanPaths(["keys.ps1"], { cwd: dir, useGit: false });
    expect(r.findings.map((f) => f.ruleId)).toEqual(["acs-baseline/powershell/key-fetch"]);
  });

  it("a real binary (PNG header) is still skipped and reported", () => {
    writeFileSync(
      join(dir, "logo.png"),
      Buffer.from([
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0x00, 0x9c,
      ]),
    );
    const r = scanPaths(["logo.png"], { cwd: dir, useGit: false });
    expect(r.skipped).toEqual([{ file: "logo.png", reason: "binary" }]);
  });

  it("ARM, Bicep and Terraform files are left to the IaC front end (no double finding)", () => {
    const arm = `{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#","resources":[],"outputs":{"c":{"type":"string","value":"[concat('endpoint=', 'x', ';accesskey=', 'communication')]"}}}`;
    expect(
      scanText("azuredeploy.json", arm).filter((f) => f.ruleId === "acs-baseline/connection-string-assembled"),
    ).toEqual([]);
  });
});
