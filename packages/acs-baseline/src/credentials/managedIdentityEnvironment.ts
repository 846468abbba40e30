/**
 * IM-3: the environment of managed identity, read once when the credential is built and validated then. Which
 * source the host offers (App Service, IMDS, AKS workload identity) and where its token requests go are decided
 * here, never again: a variable planted in `process.env` later changes nothing.
 */
import { BaselineViolationError } from "../errors.js";

/** Where a managed-identity token comes from. */
export type ManagedIdentitySource =
  | { kind: "app-service"; endpoint: string; header: string }
  | { kind: "imds"; endpoint: string }
  | { kind: "workload-identity"; tenantId: string; clientId: string; tokenFilePath: string };

/** The IMDS host of Azure VMs, scale sets, Container Apps and AKS node identities. */
export const IMDS_ORIGIN = "http://169.254.169.254";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "169.254.169.254"]);

const nonEmpty = (v: string | undefined): v is string => typeof v === "string" && v.length > 0;

function refuse(message: string): never {
  throw new BaselineViolationError("CREDENTIAL_NOT_CONFIGURED", message);
}

/**
 * A managed-identity endpoint from `variable`: http only to the host itself (loopback or the IMDS address, where
 * App Service and IMDS listen), https anywhere else; no user-info.
 */
function identityEndpoint(variable: string, value: string, path: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    refuse(`${variable} is not a URL, so the managed-identity endpoint is unknown. Fix or unset it.`);
  }
  const local = url.protocol === "http:" && LOOPBACK.has(url.hostname.toLowerCase());
  if ((url.protocol !== "https:" && !local) || url.username !== "" || url.password !== "") {
    refuse(
      `${variable} must be http://127.0.0.1, http://localhost or the IMDS address (the host's own identity endpoint), or an https URL without user-info: the identity's secret header and token travel over it.`,
    );
  }
  return path.length === 0 ? url.href : new URL(path, url.origin).href;
}

/**
 * Decides the managed-identity source from `env` (read now, once): AKS workload identity when AZURE_TENANT_ID,
 * AZURE_FEDERATED_TOKEN_FILE and a client ID (the option's, else AZURE_CLIENT_ID) are present; App Service with
 * IDENTITY_ENDPOINT and IDENTITY_HEADER; IMDS otherwise (AZURE_POD_IDENTITY_AUTHORITY_HOST may move it).
 * @throws BaselineViolationError CREDENTIAL_NOT_CONFIGURED for a source the factory does not build (Service Fabric,
 *   Azure Arc, Cloud Shell, Azure Machine Learning) or an endpoint it refuses.
 */
export function readManagedIdentitySource(env: NodeJS.ProcessEnv, clientId: string | undefined): ManagedIdentitySource {
  const id = clientId ?? env.AZURE_CLIENT_ID;
  if (nonEmpty(id) && nonEmpty(env.AZURE_TENANT_ID) && nonEmpty(env.AZURE_FEDERATED_TOKEN_FILE)) {
    return {
      kind: "workload-identity",
      tenantId: env.AZURE_TENANT_ID,
      clientId: id,
      tokenFilePath: env.AZURE_FEDERATED_TOKEN_FILE,
    };
  }
  if (
    nonEmpty(env.IDENTITY_SERVER_THUMBPRINT) ||
    nonEmpty(env.IMDS_ENDPOINT) ||
    nonEmpty(env.MSI_ENDPOINT) ||
    nonEmpty(env.MSI_SECRET)
  ) {
    refuse(
      "Managed identity: this host offers Service Fabric, Azure Arc, Cloud Shell or Azure Machine Learning identity (IDENTITY_SERVER_THUMBPRINT, IMDS_ENDPOINT, MSI_ENDPOINT or MSI_SECRET is set), which the factory does not build with its checked transport. Use workload identity federation (workloadIdentity) or a certificate.",
    );
  }
  if (nonEmpty(env.IDENTITY_ENDPOINT) || nonEmpty(env.IDENTITY_HEADER)) {
    if (!nonEmpty(env.IDENTITY_ENDPOINT) || !nonEmpty(env.IDENTITY_HEADER)) {
      refuse("Managed identity: App Service needs both IDENTITY_ENDPOINT and IDENTITY_HEADER; only one is set.");
    }
    return {
      kind: "app-service",
      endpoint: identityEndpoint("IDENTITY_ENDPOINT", env.IDENTITY_ENDPOINT, ""),
      header: env.IDENTITY_HEADER,
    };
  }
  const host = nonEmpty(env.AZURE_POD_IDENTITY_AUTHORITY_HOST) ? env.AZURE_POD_IDENTITY_AUTHORITY_HOST : IMDS_ORIGIN;
  return {
    kind: "imds",
    endpoint: identityEndpoint("AZURE_POD_IDENTITY_AUTHORITY_HOST", host, "/metadata/identity/oauth2/token"),
  };
}

/**
 * Regional authorities (ESTS-R) send the assertion or secret to `<region>.login.microsoft.com`, another host than the
 * checked authority: refused at construction (and, if planted later, at the wire by the credential transport).
 * @throws BaselineViolationError AUTHORITY_NOT_ALLOWED when AZURE_REGIONAL_AUTHORITY_NAME or MSAL_FORCE_REGION is set.
 */
export function refuseRegionalAuthority(env: NodeJS.ProcessEnv): void {
  const set = ["AZURE_REGIONAL_AUTHORITY_NAME", "MSAL_FORCE_REGION"].filter((name) => nonEmpty(env[name]));
  if (set.length > 0) {
    throw new BaselineViolationError(
      "AUTHORITY_NOT_ALLOWED",
      `${set.join(" and ")} ${set.length > 1 ? "are" : "is"} set: a regional authority sends the client assertion or secret to another host than the checked authority, which the factory does not allow. Unset it.`,
    );
  }
}
