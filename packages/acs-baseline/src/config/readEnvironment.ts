/**
 * Reads the factory configuration from environment variables, exactly as `AcsClientFactory.fromEnvironment()` and
 * `acs-baseline doctor` use it. Pure: no file is read, nothing is validated here.
 */
import { holdsConnectionString } from "../text/connectionString.js";

/** The ARM endpoint posture reads (`POSTURE_ENVIRONMENT_VARIABLES.armEndpoint`; the factory's posture option too). */
export const ARM_ENDPOINT_VARIABLE = "AZURE_RESOURCE_MANAGER_ENDPOINT";

/** The environment variables acs-baseline reads. @public */
export const ENVIRONMENT_VARIABLES = Object.freeze({
  endpoint: "AZURE_COMMUNICATION_ENDPOINT",
  tenantId: "AZURE_TENANT_ID",
  clientId: "AZURE_CLIENT_ID",
  certificatePath: "AZURE_CLIENT_CERTIFICATE_PATH",
  certificatePassword: "AZURE_CLIENT_CERTIFICATE_PASSWORD",
  clientSecret: "AZURE_CLIENT_SECRET",
  authorityHost: "AZURE_AUTHORITY_HOST",
  sendCertificateChain: "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
  federatedTokenFile: "AZURE_FEDERATED_TOKEN_FILE",
  useManagedIdentity: "AZURE_COMMUNICATION_USE_MANAGED_IDENTITY",
  allowedAuthorityHosts: "AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS",
  allowedHosts: "AZURE_COMMUNICATION_ALLOWED_HOSTS",
} as const);

/** What the environment configures (values as read; secrets included, so never log this object). */
export interface EnvironmentConfiguration {
  endpoint?: string;
  tenantId?: string;
  clientId?: string;
  certificatePath?: string;
  certificatePassword?: string;
  clientSecret?: string;
  authorityHost?: string;
  sendCertificateChain?: boolean;
  /** Path of the federated token file (workload identity federation: AKS, GitHub OIDC, …). */
  federatedTokenFile?: string;
  /** True when AZURE_COMMUNICATION_USE_MANAGED_IDENTITY opts in to managed identity (`true` or `1`). */
  useManagedIdentity?: boolean;
  /** Extra authority hosts (AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS, comma-separated). */
  allowedAuthorityHosts?: string[];
  /** Hosts the endpoint may use (AZURE_COMMUNICATION_ALLOWED_HOSTS, comma-separated): replaces the default, like `allowedHosts`. */
  allowedHosts?: string[];
  /** Names (never values) of variables holding ACS key material: connection strings or access keys. */
  keyMaterialVariables: string[];
}

const KEY_VARIABLE_NAME =
  /(COMMUNICATION|ACS).*(CONNECTION_?STRING|ACCESS_?KEY|_KEY)$|^(ACS|COMMUNICATION_SERVICES?)_?(CONNECTION_?STRING|KEY|ACCESS_?KEY)$/i;

/** Reads the configuration from `env` (default `process.env`). */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): EnvironmentConfiguration {
  const value = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim().length === 0 ? undefined : v.trim();
  };
  const keyMaterialVariables = Object.keys(env)
    .filter((name) => {
      const v = env[name];
      if (v === undefined || v.length === 0) return false;
      return holdsConnectionString(v) || KEY_VARIABLE_NAME.test(name);
    })
    .sort();
  const chain = value(ENVIRONMENT_VARIABLES.sendCertificateChain);
  const config: EnvironmentConfiguration = { keyMaterialVariables };
  const set = <K extends keyof EnvironmentConfiguration>(key: K, v: EnvironmentConfiguration[K] | undefined) => {
    if (v !== undefined) config[key] = v;
  };
  set("endpoint", value(ENVIRONMENT_VARIABLES.endpoint));
  set("tenantId", value(ENVIRONMENT_VARIABLES.tenantId));
  set("clientId", value(ENVIRONMENT_VARIABLES.clientId));
  set("certificatePath", value(ENVIRONMENT_VARIABLES.certificatePath));
  // Passwords and secrets are taken verbatim (white space can be part of them).
  const password = env[ENVIRONMENT_VARIABLES.certificatePassword];
  set("certificatePassword", password === undefined || password.length === 0 ? undefined : password);
  const secret = env[ENVIRONMENT_VARIABLES.clientSecret];
  set("clientSecret", secret === undefined || secret.length === 0 ? undefined : secret);
  set("authorityHost", value(ENVIRONMENT_VARIABLES.authorityHost));
  set("sendCertificateChain", chain === undefined ? undefined : chain === "1" || chain.toLowerCase() === "true");
  set("federatedTokenFile", value(ENVIRONMENT_VARIABLES.federatedTokenFile));
  const managed = value(ENVIRONMENT_VARIABLES.useManagedIdentity);
  set("useManagedIdentity", managed === undefined ? undefined : managed === "1" || managed.toLowerCase() === "true");
  const authorities = parseHostList(value(ENVIRONMENT_VARIABLES.allowedAuthorityHosts));
  set("allowedAuthorityHosts", authorities.length > 0 ? authorities : undefined);
  const hosts = parseHostList(value(ENVIRONMENT_VARIABLES.allowedHosts));
  set("allowedHosts", hosts.length > 0 ? hosts : undefined);
  return config;
}

/**
 * Parses a comma-separated host list (AZURE_COMMUNICATION_ALLOWED_HOSTS, AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS):
 * trimmed, empty entries dropped. Each entry is then matched exactly as an `allowedHosts` entry.
 */
export function parseHostList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(",")
    .map((h) => h.trim())
    .filter((h) => h.length > 0);
}

/**
 * The Entra configuration the environment gives, as factory (and posture) options: certificate, workload identity,
 * secret, managed-identity opt-in, authority and its allow-list. One mapping, so every entry point that reads the
 * environment builds the same credential in the same baseline order.
 */
export interface EnvironmentCredentialOptions {
  endpoint?: string;
  tenantId?: string;
  clientId?: string;
  certificate?: { path: string; password?: string };
  workloadIdentity?: { tokenFilePath: string };
  clientSecret?: string;
  managedIdentity?: { clientId?: string };
  authorityHost?: string;
  allowedAuthorityHosts?: string[];
  sendCertificateChain?: boolean;
}

/**
 * Marks a `workloadIdentity` object built from the environment. Non-enumerable: option snapshots copy it, spreads and
 * JSON do not. A refusal of the token file then names AZURE_FEDERATED_TOKEN_FILE, and `workloadIdentity.tokenFilePath`
 * for a path the caller passed.
 */
const FROM_ENVIRONMENT = Symbol("acs-baseline.fromEnvironment");

/**
 * `{ tokenFilePath }` read from AZURE_FEDERATED_TOKEN_FILE, marked so that refusals name the variable.
 * @param tokenFilePath - the variable's value
 */
export function workloadIdentityFromEnvironment(tokenFilePath: string): { tokenFilePath: string } {
  return Object.defineProperty({ tokenFilePath }, FROM_ENVIRONMENT, { value: true, enumerable: false });
}

/**
 * What a refusal of the federated token file names: AZURE_FEDERATED_TOKEN_FILE when the environment gave
 * `workloadIdentity` (see {@link workloadIdentityFromEnvironment}), else the option `workloadIdentity.tokenFilePath`.
 * @param workloadIdentity - the `workloadIdentity` option the credential is built from
 */
export function tokenFileSourceOf(workloadIdentity: unknown): string {
  return typeof workloadIdentity === "object" &&
    workloadIdentity !== null &&
    (workloadIdentity as Record<symbol, unknown>)[FROM_ENVIRONMENT] === true
    ? ENVIRONMENT_VARIABLES.federatedTokenFile
    : "workloadIdentity.tokenFilePath";
}

/** {@link EnvironmentCredentialOptions} from what {@link readEnvironment} read (values included: never log this). */
export function credentialOptionsFromEnvironment(e: EnvironmentConfiguration): EnvironmentCredentialOptions {
  return {
    ...(e.endpoint !== undefined ? { endpoint: e.endpoint } : {}),
    ...(e.tenantId !== undefined ? { tenantId: e.tenantId } : {}),
    ...(e.clientId !== undefined ? { clientId: e.clientId } : {}),
    ...(e.certificatePath !== undefined
      ? {
          certificate:
            e.certificatePassword !== undefined
              ? { path: e.certificatePath, password: e.certificatePassword }
              : { path: e.certificatePath },
        }
      : {}),
    ...(e.federatedTokenFile !== undefined
      ? { workloadIdentity: workloadIdentityFromEnvironment(e.federatedTokenFile) }
      : {}),
    ...(e.clientSecret !== undefined ? { clientSecret: e.clientSecret } : {}),
    ...(e.useManagedIdentity === true
      ? { managedIdentity: e.clientId !== undefined ? { clientId: e.clientId } : {} }
      : {}),
    ...(e.authorityHost !== undefined ? { authorityHost: e.authorityHost } : {}),
    ...(e.allowedAuthorityHosts !== undefined ? { allowedAuthorityHosts: e.allowedAuthorityHosts } : {}),
    ...(e.sendCertificateChain !== undefined ? { sendCertificateChain: e.sendCertificateChain } : {}),
  };
}
