/**
 * Reads the factory configuration from environment variables, exactly as `AcsClientFactory.fromEnvironment()` and
 * `acs-baseline doctor` use it. Pure: no file is read, nothing is validated here.
 */
import { isConnectionStringShaped } from "../guard/connectionString.js";

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
  /** Names (never values) of variables holding ACS key material: connection strings or access keys. */
  keyMaterialVariables: string[];
}

const KEY_VARIABLE_NAME = /(COMMUNICATION|ACS).*(CONNECTION_?STRING|ACCESS_?KEY|_KEY)$|^(ACS|COMMUNICATION_SERVICES?)_?(CONNECTION_?STRING|KEY|ACCESS_?KEY)$/i;

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
      return isConnectionStringShaped(v) || KEY_VARIABLE_NAME.test(name);
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
  return config;
}
