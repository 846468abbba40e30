/**
 * IM-3: decides which Entra credential the factory uses. Certificate first; a client secret only as a fallback (and
 * flagged); a caller's own TokenCredential is "external". A configured but broken certificate is an error, never a
 * silent fall back to the secret.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { ClientCertificateCredentialOptions, ClientSecretCredentialOptions } from "@azure/identity";
import { ClientSecretCredential } from "@azure/identity";
import { BaselineViolationError } from "../errors.js";
import type { CredentialType } from "../audit/events.js";
import type { CertificateSource, LoadedCertificate } from "./certificate.js";
import { loadCertificate } from "./certificate.js";
import type { RotationEvents } from "./rotatingCertificateCredential.js";
import { RotatingCertificateCredential } from "./rotatingCertificateCredential.js";

/** The credential part of the factory options. */
export interface CredentialConfiguration {
  tenantId?: string | undefined;
  clientId?: string | undefined;
  certificate?: CertificateSource | undefined;
  clientSecret?: string | undefined;
  allowSecretFallback?: boolean | undefined;
  credential?: TokenCredential | undefined;
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
  if (config.credential !== undefined) {
    if (hasCertificate || hasSecret) {
      notConfigured(
        `Both "credential" and ${hasCertificate ? '"certificate"' : '"clientSecret"'} are set, which is ambiguous. Use your own TokenCredential or let the factory build one from tenantId, clientId and a certificate, not both.`,
      );
    }
    return "external";
  }
  const missing = [nonEmpty(config.tenantId) ? undefined : "tenantId", nonEmpty(config.clientId) ? undefined : "clientId"].filter(
    (m): m is string => m !== undefined,
  );
  if (!hasCertificate && !hasSecret) {
    notConfigured(
      `No credential is configured${missing.length > 0 ? ` (and ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} missing)` : ""}. Configure a service-principal certificate (certificate.path or AZURE_CLIENT_CERTIFICATE_PATH) with tenantId and clientId, or pass a TokenCredential as "credential".`,
    );
  }
  if (missing.length > 0) {
    notConfigured(`${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} missing. A service principal needs both tenantId and clientId (AZURE_TENANT_ID, AZURE_CLIENT_ID).`);
  }
  if (hasCertificate) {
    const c = config.certificate as Record<string, unknown>;
    const hasPath = nonEmpty(c.path);
    const hasPem = nonEmpty(c.pem);
    if (hasPath && hasPem) notConfigured('The certificate has both "path" and "pem"; give one.');
    if (!hasPath && !hasPem) notConfigured('The certificate option needs "path" (a PEM file) or "pem" (PEM text).');
    return "certificate";
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

/** Builds the credential after {@link checkCredentialConfiguration}; loads and checks the certificate. */
export function resolveCredential(
  config: CredentialConfiguration,
  credentialOptions: ClientCertificateCredentialOptions & ClientSecretCredentialOptions,
  events: CredentialEvents = {},
): ResolvedCredential {
  const type = checkCredentialConfiguration(config);
  if (type === "external") return { credential: config.credential as TokenCredential, type, warnings: [] };
  const tenantId = config.tenantId as string;
  const clientId = config.clientId as string;
  if (type === "certificate") {
    const source = config.certificate as CertificateSource;
    const loaded = loadCertificate(source);
    const warnings: ResolvedCredential["warnings"] = loaded.warnings.map((reason) => ({ reason, controls: ["IM-3"] }));
    if (nonEmpty(config.clientSecret)) {
      warnings.push({ reason: "A client secret is configured next to the certificate and is ignored; remove it (AZURE_CLIENT_SECRET).", controls: ["IM-3", "IM-8"] });
    }
    const credential = new RotatingCertificateCredential(
      tenantId,
      clientId,
      "path" in source ? { path: source.path, ...(source.password !== undefined ? { password: source.password } : {}) } : {},
      loaded,
      credentialOptions,
      events,
    );
    return { credential, type, certificate: loaded, warnings };
  }
  const credential = new ClientSecretCredential(tenantId, clientId, config.clientSecret as string, credentialOptions);
  return {
    credential,
    type,
    warnings: [{ reason: "Authenticating with a client secret (fallback): no certificate is configured. Configure a certificate for the service principal.", controls: ["IM-3"] }],
  };
}
