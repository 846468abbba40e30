/**
 * The Azure security baseline for Azure Communication Services (Microsoft cloud security benchmark v1.0), every
 * control of it, as data: what the baseline says and what acs-baseline does about it. docs/baseline.md and
 * `acs-baseline report` are generated from this.
 */
import type { BaselineControlId } from "../errors.js";

/** How acs-baseline covers a control. @public */
export type BaselineControlStatus = "enforced" | "guidance" | "not-applicable";

/** A feature the baseline lists under a control. @public */
export interface BaselineFeature {
  name: string;
  /** "Supported" column of the baseline. */
  supported: boolean;
  /** "Enabled By Default" column (`undefined` where the baseline says Not Applicable). */
  enabledByDefault?: boolean;
  /** "Configuration Responsibility" column. */
  responsibility: "Customer" | "Microsoft" | "Not Applicable";
}

/** One baseline control and how acs-baseline maps it. @public */
export interface BaselineControl {
  id: BaselineControlId;
  title: string;
  /** Benchmark domain, e.g. "Identity management". */
  domain: string;
  features: readonly BaselineFeature[];
  status: BaselineControlStatus;
  /** What acs-baseline does for this control. */
  enforcement: string;
  /** Repository paths of the source that enforces it. */
  sources: readonly string[];
  /** Repository paths of the tests that prove it. */
  tests: readonly string[];
}

const NA = { supported: false, responsibility: "Not Applicable" } as const;

/** Every control of the ACS security baseline, in the baseline's order. @public */
export const baselineControls: readonly BaselineControl[] = Object.freeze([
  {
    id: "NS-1",
    title: "Establish network segmentation boundaries",
    domain: "Network security",
    features: [
      { name: "Virtual Network Integration", ...NA },
      { name: "Network Security Group Support", ...NA },
    ],
    status: "not-applicable",
    enforcement:
      "ACS cannot be deployed into a VNet; nothing to configure. The endpoint allow-list (DP-3) is the application-side boundary.",
    sources: [],
    tests: [],
  },
  {
    id: "NS-2",
    title: "Secure cloud services with network controls",
    domain: "Network security",
    features: [
      { name: "Native IP filtering", ...NA },
      { name: "Disable Public Network Access", ...NA },
    ],
    status: "not-applicable",
    enforcement:
      "No IP filtering or private access for ACS. acs-baseline pins traffic to https and to allowed ACS hosts instead (see DP-3).",
    sources: [],
    tests: [],
  },
  {
    id: "IM-1",
    title: "Use centralized identity and authentication system",
    domain: "Identity management",
    features: [
      {
        name: "Azure AD Authentication Required for Data Plane Access",
        supported: true,
        enabledByDefault: false,
        responsibility: "Customer",
      },
    ],
    status: "enforced",
    enforcement:
      "Clients only through Microsoft Entra ID: connection strings refused (CONNECTION_STRING_REFUSED), key/SAS credentials and access keys given as a client secret refused (KEY_CREDENTIAL_REFUSED), a caller-supplied HttpClient refused unless explicitly allowed (CUSTOM_TRANSPORT_REFUSED), client options outside the factory's allow-list refused (CLIENT_OPTION_NOT_ALLOWED), ChatClient only through createChatClient, whose user token the Entra-authenticated identity client mints (USE_CREATE_CHAT_CLIENT), a request guard blocks any non-Bearer request or requestOverrides before the wire, and a process-wide backstop stops any other non-Bearer http/https request to the endpoint (KEY_AUTH_BLOCKED); the client assertion or secret goes only to https Microsoft cloud login hosts or an explicitly allowed authority, and every token request is pinned to that host and port (AUTHORITY_NOT_ALLOWED; an authority sharing the endpoint's origin is refused, AUTHORITY_SAME_ORIGIN; an authority whose endpoints cannot be resolved, AUTHORITY_UNRESOLVED); the no-key-auth lint rule and `acs-baseline scan` catch key auth in code and config. On the resource: the posture check `local-auth-disabled` reads disableLocalAuth through ARM (`acs-baseline posture`, `checkPosture`), and the factory's posture enforce mode sends nothing until it passes (LOCAL_AUTH_ENABLED; POSTURE_UNVERIFIED when ARM cannot confirm it).",
    sources: [
      "packages/acs-baseline/src/clients/chatClient.ts",
      "packages/acs-baseline/src/text/connectionString.ts",
      "packages/acs-baseline/src/guard/optionStrings.ts",
      "packages/acs-baseline/src/guard/keyCredential.ts",
      "packages/acs-baseline/src/guard/requestGuard.ts",
      "packages/acs-baseline/src/guard/authority.ts",
      "packages/eslint-plugin/src/rules/noKeyAuth.ts",
      "packages/cli/src/scan/scan.ts",
      "packages/acs-baseline/src/posture/checks/localAuth.ts",
      "packages/acs-baseline/src/guard/wireBackstop.ts",
      "packages/acs-baseline/src/clients/AcsClientFactory.ts",
    ],
    tests: [
      "test/clients/chatClient.test.ts",
      "test/clients/refusals.test.ts",
      "test/clients/factory.test.ts",
      "test/clients/authority.test.ts",
      "test/guard/authority.test.ts",
      "test/lint/noKeyAuth.test.ts",
      "test/cli/scan.test.ts",
      "test/text/connectionString.property.test.ts",
      "test/clients/posture.test.ts",
      "test/guard/transportBypass.test.ts",
      "test/guard/checkedIsSent.test.ts",
      "test/guard/lateChanges.test.ts",
      "test/guard/agentOptions.test.ts",
      "test/guard/accessKeyShapes.property.test.ts",
      "test/clients/optionSnapshot.test.ts",
      "test/guard/errorTextNoKeys.test.ts",
      "test/guard/hiddenConnectionStrings.test.ts",
      "test/clients/deceptiveClients.test.ts",
    ],
  },
  {
    id: "IM-3",
    title: "Manage application identities securely and automatically",
    domain: "Identity management",
    features: [
      { name: "Managed Identities", ...NA },
      { name: "Service Principals", supported: true, enabledByDefault: false, responsibility: "Customer" },
    ],
    status: "enforced",
    enforcement:
      "Service principal with a certificate first (validated: PEM, key match, validity window, SHA-256 thumbprint, expiry and file-permission warnings, rotation without restart); then workload identity federation (a federated token file, no secret in the app); a client secret only as an audited fallback (can be disabled: SECRET_FALLBACK_DISABLED); a broken certificate or token file is an error, never a silent fallback. Managed identity is an explicit opt-in: the baseline lists Managed Identities as not supported for the ACS data plane, but ACS accepts managed-identity tokens today (docs/factory.md).",
    sources: [
      "packages/acs-baseline/src/credentials/resolveCredential.ts",
      "packages/acs-baseline/src/credentials/certificate.ts",
      "packages/acs-baseline/src/credentials/federatedToken.ts",
      "packages/acs-baseline/src/credentials/rotatingCertificateCredential.ts",
      "packages/acs-baseline/src/credentials/sharedTokenCache.ts",
    ],
    tests: [
      "test/clients/refusals.test.ts",
      "test/clients/factory.test.ts",
      "test/credentials/rotation.test.ts",
      "test/credentials/workloadIdentity.test.ts",
      "test/credentials/managedIdentity.test.ts",
    ],
  },
  {
    id: "IM-7",
    title: "Restrict resource access based on conditions",
    domain: "Identity management",
    features: [{ name: "Conditional Access for Data Plane", ...NA }],
    status: "not-applicable",
    enforcement: "Conditional Access does not apply to the ACS data plane.",
    sources: [],
    tests: [],
  },
  {
    id: "IM-8",
    title: "Restrict the exposure of credential and secrets",
    domain: "Identity management",
    features: [{ name: "Service Credential and Secrets Support Integration and Storage in Azure Key Vault", ...NA }],
    status: "enforced",
    enforcement:
      "No Key Vault integration in ACS; acs-baseline limits exposure in the application: secrets never in error messages, stacks, util.inspect or JSON of the factory; audit records redacted (tokens, keys, secrets, message text, phone numbers masked); `doctor` names key material in the environment without printing it; guidance on certificate storage.",
    sources: [
      "packages/acs-baseline/src/errors.ts",
      "packages/acs-baseline/src/text/scrub.ts",
      "packages/acs-baseline/src/clients/AcsClientFactory.ts",
      "packages/cli/src/commands/doctor.ts",
    ],
    tests: [
      "test/clients/refusals.test.ts",
      "test/audit/noSecrets.property.test.ts",
      "test/audit/phoneVariants.test.ts",
      "test/credentials/tokenSnapshot.test.ts",
      "test/cli/doctor.test.ts",
    ],
  },
  {
    id: "PA-7",
    title: "Follow just enough administration (least privilege) principle",
    domain: "Privileged access",
    features: [
      { name: "Azure RBAC for Data Plane", supported: true, enabledByDefault: false, responsibility: "Customer" },
    ],
    status: "guidance",
    enforcement:
      "Role assignment lives outside code; acs-baseline checks it on the live resource: the posture check `key-access-principals` lists every principal whose role (built-in or custom, at the resource or inherited from its resource group, subscription or management group, wildcards and notActions resolved) grants listKeys/regenerateKey, and `app-principal-least-privilege` flags the app's own key, delete and role-assignment rights and generates a least-privilege custom role (docs/posture.md). A 403 from ACS is recorded as a failed request in the audit log.",
    sources: [
      "docs/guidance.md",
      "packages/acs-baseline/src/audit/write/auditPolicy.ts",
      "packages/acs-baseline/src/posture/checks/keyAccess.ts",
      "packages/acs-baseline/src/posture/checks/appPrincipal.ts",
      "packages/acs-baseline/src/posture/roleActions.ts",
      "packages/acs-baseline/src/posture/customRole.ts",
    ],
    tests: [
      "test/audit/auditPolicy.test.ts",
      "test/posture/checkPosture.test.ts",
      "test/posture/roleActions.property.test.ts",
    ],
  },
  {
    id: "PA-8",
    title: "Determine access process for cloud provider support",
    domain: "Privileged access",
    features: [{ name: "Customer Lockbox", ...NA }],
    status: "not-applicable",
    enforcement: "Customer Lockbox is not available for ACS.",
    sources: [],
    tests: [],
  },
  {
    id: "DP-1",
    title: "Discover, classify, and label sensitive data",
    domain: "Data protection",
    features: [{ name: "Sensitive Data Discovery and Classification", ...NA }],
    status: "not-applicable",
    enforcement:
      "Not supported by ACS. acs-baseline keeps message text and full phone numbers out of its own logs (IM-8).",
    sources: [],
    tests: [],
  },
  {
    id: "DP-2",
    title: "Monitor anomalies and threats targeting sensitive data",
    domain: "Data protection",
    features: [{ name: "Data Leakage/Loss Prevention", ...NA }],
    status: "not-applicable",
    enforcement: "Not supported by ACS.",
    sources: [],
    tests: [],
  },
  {
    id: "DP-3",
    title: "Encrypt sensitive data in transit",
    domain: "Data protection",
    features: [
      { name: "Data in Transit Encryption", supported: true, enabledByDefault: true, responsibility: "Microsoft" },
    ],
    status: "enforced",
    enforcement:
      "The service encrypts in transit; acs-baseline makes sure the application uses it: https only (INSECURE_ENDPOINT), host allow-list with look-alike, user-info, path, query and fragment refusal (ENDPOINT_NOT_ALLOWED), the request guard blocks any request to another host or over http, and TLS certificate verification cannot be switched off by tlsOptions, an agent or NODE_TLS_REJECT_UNAUTHORIZED=0 for the credential or any client (TLS_VERIFICATION_DISABLED; custom CAs stay allowed; `doctor` flags it); a missing endpoint is ENDPOINT_NOT_CONFIGURED, and a server certificate that does not verify toward Entra, ACS or ARM is TLS_CERTIFICATE_NOT_TRUSTED, naming the host and how to trust a CA.",
    sources: [
      "packages/acs-baseline/src/guard/endpoint.ts",
      "packages/acs-baseline/src/guard/requestGuard.ts",
      "packages/acs-baseline/src/guard/tlsVerification.ts",
      "packages/acs-baseline/src/guard/tlsTrust.ts",
      "packages/acs-baseline/src/credentials/credentialTransport.ts",
    ],
    tests: [
      "test/guard/endpoint.test.ts",
      "test/clients/refusals.test.ts",
      "test/guard/transportBypass.test.ts",
      "test/guard/lateChanges.test.ts",
      "test/guard/agentOptions.test.ts",
      "test/cli/doctor.test.ts",
      "test/guard/tlsTrust.test.ts",
      "test/docs/errorTable.test.ts",
    ],
  },
  {
    id: "DP-4",
    title: "Enable data at rest encryption by default",
    domain: "Data protection",
    features: [
      {
        name: "Data at Rest Encryption Using Platform Keys",
        supported: true,
        enabledByDefault: true,
        responsibility: "Microsoft",
      },
    ],
    status: "guidance",
    enforcement: "On by default and managed by Microsoft; nothing to configure. Documented in docs/guidance.md.",
    sources: ["docs/guidance.md"],
    tests: [],
  },
  {
    id: "DP-5",
    title: "Use customer-managed key option in data at rest encryption when required",
    domain: "Data protection",
    features: [{ name: "Data at Rest Encryption Using CMK", ...NA }],
    status: "not-applicable",
    enforcement: "Customer-managed keys are not supported by ACS.",
    sources: [],
    tests: [],
  },
  {
    id: "DP-6",
    title: "Use a secure key management process",
    domain: "Data protection",
    features: [{ name: "Key Management in Azure Key Vault", ...NA }],
    status: "not-applicable",
    enforcement: "Not supported by ACS. acs-baseline removes the need for ACS access keys altogether (IM-1).",
    sources: [],
    tests: [],
  },
  {
    id: "DP-7",
    title: "Use a secure certificate management process",
    domain: "Data protection",
    features: [{ name: "Certificate Management in Azure Key Vault", ...NA }],
    status: "not-applicable",
    enforcement:
      "Not supported by ACS. For the service principal's own certificate, acs-baseline checks validity, warns before expiry and follows rotation (IM-3); docs/guidance.md covers storage.",
    sources: [],
    tests: [],
  },
  {
    id: "AM-2",
    title: "Use only approved services",
    domain: "Asset management",
    features: [{ name: "Azure Policy Support", ...NA }],
    status: "not-applicable",
    enforcement: "Azure Policy cannot monitor or enforce ACS configuration.",
    sources: [],
    tests: [],
  },
  {
    id: "LT-1",
    title: "Enable threat detection capabilities",
    domain: "Logging and threat detection",
    features: [{ name: "Microsoft Defender for Service / Product Offering", ...NA }],
    status: "not-applicable",
    enforcement: "No Microsoft Defender offering for ACS.",
    sources: [],
    tests: [],
  },
  {
    id: "LT-4",
    title: "Enable logging for security investigation",
    domain: "Logging and threat detection",
    features: [{ name: "Azure Resource Logs", supported: true, enabledByDefault: false, responsibility: "Customer" }],
    status: "enforced",
    enforcement:
      "Application-side audit log (pino): every credential resolution, client creation, token acquisition, request and refusal as a structured acs-baseline.audit/1 record, SHA-256 hash-chained, crash-safe, with ECDSA P-256 signed checkpoints (heartbeats, on close), an off-host anchor, one writer per file, rotation, verifiable with `acs-baseline verify-log`; an incompatible host logger (AUDIT_LOGGER_INCOMPATIBLE), a symlinked, hard-linked, FIFO, socket or locked destination (AUDIT_DESTINATION_REFUSED) and requests while records cannot be written (AUDIT_WRITE_FAILED) are refused. Azure Resource Logs: the posture checks `resource-logs` (a diagnostic setting sends allLogs, audit or explicit categories to a workspace, storage account or event hub) and `auth-logs` (AuthOperational and the app's client categories) read the resource's diagnostic settings; `--plan` prints the allLogs setting (docs/posture.md).",
    sources: [
      "packages/acs-baseline/src/audit/write/recorder.ts",
      "packages/acs-baseline/src/audit/write/auditPolicy.ts",
      "packages/acs-baseline/src/audit/verify/verifyLog.ts",
      "packages/acs-baseline/src/audit/write/signing.ts",
      "packages/acs-baseline/src/audit/write/sink.ts",
      "packages/acs-baseline/src/posture/checks/diagnostics.ts",
    ],
    tests: [
      "test/audit/recorder.test.ts",
      "test/audit/crash.test.ts",
      "test/audit/verifyLog.test.ts",
      "test/audit/factory.e2e.test.ts",
      "test/audit/checkpoints.test.ts",
      "test/audit/fileHandling.test.ts",
      "test/audit/incompleteRequestRecord.e2e.test.ts",
      "test/posture/checkPosture.test.ts",
    ],
  },
  {
    id: "BR-1",
    title: "Ensure regular automated backups",
    domain: "Backup and recovery",
    features: [
      { name: "Azure Backup", ...NA },
      { name: "Service Native Backup Capability", ...NA },
    ],
    status: "not-applicable",
    enforcement: "ACS has no backup capability.",
    sources: [],
    tests: [],
  },
] satisfies BaselineControl[]);
