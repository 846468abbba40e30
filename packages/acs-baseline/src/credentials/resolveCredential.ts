/**
 * IM-3: decides which Entra credential the factory uses, in baseline order: a certificate first; then workload
 * identity federation (a federated token file); a client secret only as a fallback (and flagged). Managed identity
 * is an explicit opt-in; a caller's own TokenCredential is "external". A configured but broken certificate or token
 * file is an error, never a silent fall back to the secret.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { ClientCertificateCredentialOptions, ClientSecretCredentialOptions } from "@azure/identity";
import { ClientAssertionCredential, ClientSecretCredential } from "@azure/identity";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { tokenFileSourceOf } from "../config/readEnvironment.js";
import { BaselineViolationError } from "../errors.js";
import type { CredentialType } from "../audit/record/events.js";
import type { CertificateSource, LoadedCertificate } from "./certificate.js";
import { FEDERATED_TOKEN_FILE_VARIABLE, readFederatedTokenFile } from "./federatedToken.js";
import { loadCertificate } from "./certificate.js";
import type { RotationEvents } from "./rotatingCertificateCredential.js";
import { RotatingCertificateCredential } from "./rotatingCertificateCredential.js";
import type { ManagedIdentitySource } from "./managedIdentityEnvironment.js";
import { readManagedIdentitySource } from "./managedIdentityEnvironment.js";
import { FactoryManagedIdentityCredential } from "./managedIdentityCredential.js";

/** The credential part of the factory options. */
export interface CredentialConfiguration {
  tenantId?: string | undefined;
  clientId?: string | undefined;
  certificate?: CertificateSource | undefined;
  clientSecret?: string | undefined;
  allowSecretFallback?: boolean | undefined;
  credential?: TokenCredential | undefined;
  /** Workload identity federation: the federated token file (Kubernetes service-account token, GitHub OIDC, …). */
  workloadIdentity?: { tokenFilePath: string } | undefined;
  /** Managed identity (explicit opt-in): system-assigned, or user-assigned by client ID. */
  managedIdentity?: { clientId?: string | undefined } | undefined;
}

/** What was resolved. */
export interface ResolvedCredential {
  credential: TokenCredential;
  type: CredentialType;
  certificate?: LoadedCertificate;
  /** Secret-free warnings for the audit log (secret fallback, ignored secret, certificate warnings). */
  warnings: { reason: string; controls: ("IM-3" | "IM-8")[] }[];
}

const nonEmpty = (v: unknown): v is string => typeof v === "string" && v.length > 0;

function notConfigured(message: string): never {
  throw new BaselineViolationError("CREDENTIAL_NOT_CONFIGURED", message);
}

/**
 * Checks the credential configuration (CREDENTIAL_NOT_CONFIGURED, SECRET_FALLBACK_DISABLED) without touching the
 * certificate, so configuration mistakes are reported before certificate problems.
 */
export function checkCredentialConfiguration(config: CredentialConfiguration): CredentialType {
  const hasCertificate = config.certificate !== undefined && config.certificate !== null;
  const hasSecret = nonEmpty(config.clientSecret);
  const hasWorkload = config.workloadIdentity !== undefined && config.workloadIdentity !== null;
  const hasManaged = config.managedIdentity !== undefined && config.managedIdentity !== null;
  const others = (): string =>
    [
      hasCertificate ? '"certificate"' : undefined,
      hasWorkload ? '"workloadIdentity"' : undefined,
      hasSecret ? '"clientSecret"' : undefined,
    ]
      .filter((x) => x !== undefined)
      .join(" and ");
  if (config.credential !== undefined) {
    if (hasCertificate || hasSecret || hasWorkload || hasManaged) {
      notConfigured(
        `Both "credential" and ${hasManaged && others().length === 0 ? '"managedIdentity"' : others()} are set, which is ambiguous. Use your own TokenCredential or let the factory build one, not both.`,
      );
    }
    return "external";
  }
  if (hasManaged) {
    if (hasCertificate || hasSecret || hasWorkload) {
      notConfigured(
        `Managed identity is opted in (managedIdentity, AZURE_COMMUNICATION_USE_MANAGED_IDENTITY) and ${others()} ${others().includes(" and ") ? "are" : "is"} also configured, which is ambiguous. Remove one.`,
      );
    }
    const m = config.managedIdentity as Record<string, unknown>;
    if (typeof m !== "object" || (m.clientId !== undefined && !nonEmpty(m.clientId))) {
      notConfigured(
        "managedIdentity takes { clientId?: string }: omit clientId for the system-assigned identity, or give a user-assigned identity's client ID.",
      );
    }
    return "managed-identity";
  }
  const missing = [
    nonEmpty(config.tenantId) ? undefined : "tenantId",
    nonEmpty(config.clientId) ? undefined : "clientId",
  ].filter((m): m is string => m !== undefined);
  if (!hasCertificate && !hasSecret && !hasWorkload) {
    notConfigured(
      `No credential is configured${missing.length > 0 ? ` (and ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} missing)` : ""}. Configure a service-principal certificate (certificate.path or AZURE_CLIENT_CERTIFICATE_PATH) or workload identity federation (AZURE_FEDERATED_TOKEN_FILE) with tenantId and clientId, opt in to managed identity, or pass a TokenCredential as "credential".`,
    );
  }
  if (missing.length > 0) {
    notConfigured(
      `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} missing. A service principal or workload identity needs both tenantId and clientId (AZURE_TENANT_ID, AZURE_CLIENT_ID).`,
    );
  }
  if (hasCertificate) {
    const c = config.certificate as Record<string, unknown>;
    const hasPath = nonEmpty(c.path);
    const hasPem = nonEmpty(c.pem);
    if (hasPath && hasPem) notConfigured('The certificate has both "path" and "pem"; give one.');
    if (!hasPath && !hasPem) notConfigured('The certificate option needs "path" (a PEM file) or "pem" (PEM text).');
    return "certificate";
  }
  if (hasWorkload) {
    if (!nonEmpty((config.workloadIdentity as Record<string, unknown>).tokenFilePath)) {
      notConfigured('workloadIdentity needs "tokenFilePath": the federated token file (AZURE_FEDERATED_TOKEN_FILE).');
    }
    return "workload-identity";
  }
  if (config.allowSecretFallback === false) {
    throw new BaselineViolationError(
      "SECRET_FALLBACK_DISABLED",
      "Only a client secret is configured and allowSecretFallback is false, so a certificate is required. Configure certificate.path (or AZURE_CLIENT_CERTIFICATE_PATH) for the service principal.",
    );
  }
  return "secret";
}

/** Events the resolved credential reports. */
export type CredentialEvents = RotationEvents;

/** The credential options the factory hands to every credential it builds; `httpClient` is its credential transport. */
export type FactoryCredentialOptions = ClientCertificateCredentialOptions &
  ClientSecretCredentialOptions & { httpClient: HttpClient };

/**
 * Workload identity federation with the factory's options (authority, transport) and nothing read from `process.env`:
 * what upstream's WorkloadIdentityCredential builds (a ClientAssertionCredential whose assertion is the token file),
 * with the file read through {@link readFederatedTokenFile} at each token request instead of a plain `readFile`.
 * `source` is what refusals name: AZURE_FEDERATED_TOKEN_FILE or `workloadIdentity.tokenFilePath`.
 */
function workloadIdentityCredential(
  tenantId: string,
  clientId: string,
  tokenFilePath: string,
  credentialOptions: FactoryCredentialOptions,
  source: string,
): TokenCredential {
  readFederatedTokenFile(tokenFilePath, source); // refused now, not at the first token request
  const { sendCertificateChain: _chain, ...options } = credentialOptions;
  const assertion = (): Promise<string> => {
    try {
      return Promise.resolve(readFederatedTokenFile(tokenFilePath, source));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const inner = new ClientAssertionCredential(tenantId, clientId, assertion, options);
  // MSAL wraps the reader's refusal (AuthenticationRequiredError): the refusal itself is what the caller gets.
  return {
    getToken: (scopes, getTokenOptions) =>
      inner.getToken(scopes, getTokenOptions).catch((error: unknown) => {
        const cause = (error as { cause?: unknown } | null)?.cause;
        throw cause instanceof BaselineViolationError ? cause : error;
      }),
  };
}

/** Managed identity from the source read at construction: AKS workload identity, App Service or IMDS. */
function managedIdentityCredential(
  config: CredentialConfiguration,
  credentialOptions: FactoryCredentialOptions,
  source: ManagedIdentitySource,
): ResolvedCredential {
  const clientId = config.managedIdentity?.clientId;
  if (source.kind === "workload-identity") {
    const credential = workloadIdentityCredential(
      source.tenantId,
      source.clientId,
      source.tokenFilePath,
      credentialOptions,
      FEDERATED_TOKEN_FILE_VARIABLE,
    );
    const reason =
      "Managed identity is opted in and the AKS workload-identity variables (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE) are present: the factory uses workload identity federation with its checked authority and credential transport (configure workloadIdentity to say so).";
    return { credential, type: "workload-identity", warnings: [{ reason, controls: ["IM-3"] }] };
  }
  return {
    credential: new FactoryManagedIdentityCredential(source, clientId, credentialOptions.httpClient),
    type: "managed-identity",
    warnings: [],
  };
}

/**
 * Builds the credential after {@link checkCredentialConfiguration}; loads and checks the certificate.
 * @param managedIdentitySource - for managed identity, the source read at construction (default: read `process.env` now)
 */
export function resolveCredential(
  config: CredentialConfiguration,
  credentialOptions: FactoryCredentialOptions,
  events: CredentialEvents = {},
  managedIdentitySource?: ManagedIdentitySource,
): ResolvedCredential {
  const type = checkCredentialConfiguration(config);
  if (type === "external") return { credential: config.credential as TokenCredential, type, warnings: [] };
  if (type === "managed-identity") {
    const source = managedIdentitySource ?? readManagedIdentitySource(process.env, config.managedIdentity?.clientId);
    return managedIdentityCredential(config, credentialOptions, source);
  }
  const tenantId = config.tenantId as string;
  const clientId = config.clientId as string;
  if (type === "certificate") {
    const source = config.certificate as CertificateSource;
    const loaded = loadCertificate(source);
    const warnings: ResolvedCredential["warnings"] = loaded.warnings.map((reason) => ({ reason, controls: ["IM-3"] }));
    if (config.workloadIdentity !== undefined) {
      warnings.push({
        reason:
          "A federated token file is configured next to the certificate and is ignored: the certificate comes first (AZURE_FEDERATED_TOKEN_FILE).",
        controls: ["IM-3"],
      });
    }
    if (nonEmpty(config.clientSecret)) {
      warnings.push({
        reason:
          "A client secret is configured next to the certificate and is ignored; remove it (AZURE_CLIENT_SECRET).",
        controls: ["IM-3", "IM-8"],
      });
    }
    const credential = new RotatingCertificateCredential(
      tenantId,
      clientId,
      "path" in source
        ? { path: source.path, ...(source.password !== undefined ? { password: source.password } : {}) }
        : {},
      loaded,
      credentialOptions,
      events,
    );
    return { credential, type, certificate: loaded, warnings };
  }
  if (type === "workload-identity") {
    const tokenFilePath = (config.workloadIdentity as { tokenFilePath: string }).tokenFilePath;
    const credential = workloadIdentityCredential(
      tenantId,
      clientId,
      tokenFilePath,
      credentialOptions,
      tokenFileSourceOf(config.workloadIdentity),
    );
    const warnings: ResolvedCredential["warnings"] = nonEmpty(config.clientSecret)
      ? [
          {
            reason:
              "A client secret is configured next to workload identity and is ignored; remove it (AZURE_CLIENT_SECRET).",
            controls: ["IM-3", "IM-8"],
          },
        ]
      : [];
    return { credential, type, warnings };
  }
  const credential = new ClientSecretCredential(tenantId, clientId, config.clientSecret as string, credentialOptions);
  return {
    credential,
    type,
    warnings: [
      {
        reason:
          "Authenticating with a client secret (fallback): no certificate is configured. Configure a certificate for the service principal.",
        controls: ["IM-3"],
      },
    ],
  };
}
