/**
 * The rules of the text front ends (Python, C#, Java/Kotlin, Go, shell, PowerShell, assembled connection strings):
 * ids, severities, controls and a fix that names the Microsoft Entra ID equivalent in that language. `rules.ts` puts
 * them in the scanner's catalog (SARIF `rules[]`, docs/scan.md).
 */
import type { ScanRule } from "../ruleTypes.js";

const RULE_DOCS = "https://github.com/acs-baseline/acs-baseline/blob/main/docs/rules";
const AFTER =
  "give that identity an ACS data-plane role, then set disableLocalAuth: true on the resource and rotate both keys.";

const languageRule = (
  r: Omit<ScanRule, "helpUri" | "severity" | "securitySeverity"> & { page: string; securitySeverity?: string },
): ScanRule => ({
  id: r.id,
  name: r.name,
  severity: "error",
  control: r.control,
  summary: r.summary,
  help: r.help,
  securitySeverity: r.securitySeverity ?? "8.0",
  helpUri: `${RULE_DOCS}/${r.page}.md`,
});

/** Rule ids of the text front ends. */
export const LANGUAGE_RULE_IDS = {
  python: "acs-baseline/python/key-auth",
  csharp: "acs-baseline/csharp/key-auth",
  java: "acs-baseline/java/key-auth",
  go: "acs-baseline/go/key-auth",
  shell: "acs-baseline/shell/key-fetch",
  powershell: "acs-baseline/powershell/key-fetch",
  assembled: "acs-baseline/connection-string-assembled",
} as const;

/** The text front ends' rules, in catalog order. */
export const LANGUAGE_RULES: readonly ScanRule[] = [
  languageRule({
    id: LANGUAGE_RULE_IDS.python,
    name: "PythonKeyAuth",
    control: "IM-1",
    summary:
      "A Python ACS client is built from a connection string (`from_connection_string`) or an AzureKeyCredential, or the management SDK lists the access keys.",
    help: `Build the client from the endpoint and an Entra credential from azure-identity: SmsClient(endpoint, DefaultAzureCredential()), or CertificateCredential(tenant_id, client_id, certificate_path) for a service principal with a certificate; ${AFTER}`,
    page: "python-key-auth",
  }),
  languageRule({
    id: LANGUAGE_RULE_IDS.csharp,
    name: "CSharpKeyAuth",
    control: "IM-1",
    summary:
      "A .NET ACS client is constructed from a connection string (a literal, a variable or configuration) or an AzureKeyCredential, or the management SDK reads the access keys.",
    help: `Construct the client from the endpoint and an Entra credential from Azure.Identity: new SmsClient(new Uri(endpoint), new DefaultAzureCredential()), or new ClientCertificateCredential(tenantId, clientId, certificatePath) for a service principal with a certificate; keep only the endpoint in configuration; ${AFTER}`,
    page: "csharp-key-auth",
  }),
  languageRule({
    id: LANGUAGE_RULE_IDS.java,
    name: "JavaKeyAuth",
    control: "IM-1",
    summary:
      "A Java or Kotlin ACS client builder is given a connection string (`.connectionString(…)`) or an AzureKeyCredential, or the management SDK lists the access keys.",
    help: `Give the builder the endpoint and an Entra credential from azure-identity: new SmsClientBuilder().endpoint(endpoint).credential(new DefaultAzureCredentialBuilder().build()), or new ClientCertificateCredentialBuilder().tenantId(…).clientId(…).pemCertificate(path).build() for a service principal with a certificate; ${AFTER}`,
    page: "java-key-auth",
  }),
  languageRule({
    id: LANGUAGE_RULE_IDS.go,
    name: "GoKeyAuth",
    control: "IM-1",
    summary:
      "A Go ACS client is built from a connection string or a key (`NewClientFromConnectionString`, `NewClientWithHmacAuth`, `azcore.NewKeyCredential`), or armcommunication lists the access keys.",
    help: `Build the client with an azidentity credential: azidentity.NewDefaultAzureCredential(nil), or azidentity.NewClientCertificateCredential(tenantID, clientID, certs, key, nil) for a service principal with a certificate, and the client's NewClient(endpoint, cred, nil); ${AFTER}`,
    page: "go-key-auth",
  }),
  languageRule({
    id: LANGUAGE_RULE_IDS.shell,
    name: "ShellKeyFetch",
    control: "IM-1, IM-8",
    summary:
      "A shell script or pipeline step fetches the ACS access keys or connection string (`az communication list-key`, `az rest … listKeys`).",
    help: `Do not hand keys to the app: pass only the endpoint (az communication show --query hostName), give the app's managed identity or service principal an ACS data-plane role (az role assignment create), and let the app authenticate with DefaultAzureCredential or ClientCertificateCredential (AcsClientFactory in Node.js); ${AFTER}`,
    page: "shell-key-fetch",
  }),
  languageRule({
    id: LANGUAGE_RULE_IDS.powershell,
    name: "PowerShellKeyFetch",
    control: "IM-1, IM-8",
    summary:
      "A PowerShell script fetches the ACS access keys or connection string (`Get-AzCommunicationServiceKey`, `Invoke-AzRestMethod … listKeys`).",
    help: `Do not hand keys to the app: pass only the endpoint ((Get-AzCommunicationService …).HostName), give the app's managed identity or service principal an ACS data-plane role (New-AzRoleAssignment), and let the app authenticate with DefaultAzureCredential or ClientCertificateCredential (AcsClientFactory in Node.js); ${AFTER}`,
    page: "powershell-key-fetch",
  }),
  languageRule({
    id: LANGUAGE_RULE_IDS.assembled,
    name: "ConnectionStringAssembled",
    control: "IM-1, IM-8",
    summary:
      "Code or a configuration template assembles an ACS connection string from an `accesskey=` part (concatenation, interpolation, format string), without a literal `endpoint=https://…` before it.",
    help: "Do not assemble a connection string from an access key: configure the endpoint only (https://<resource>.communication.azure.com) and build the client with an Entra credential (DefaultAzureCredential or ClientCertificateCredential in Python, .NET, Java and Go; AcsClientFactory in Node.js), then disable local auth on the resource.",
    page: "connection-string-assembled",
    securitySeverity: "7.5",
  }),
];
