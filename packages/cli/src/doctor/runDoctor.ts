/**
 * The doctor's checklist: the configuration exactly as AcsClientFactory.fromEnvironment() reads it, which credential
 * it would build and why, TLS verification, and (online) a token and the resource's posture. Never returns a secret.
 */
import { AcsClientFactory, ACS_TOKEN_SCOPE, DEFAULT_TIMEOUT_MS } from "acs-baseline/internal";
import { ENVIRONMENT_VARIABLES, readEnvironment } from "acs-baseline/internal";
import { loadCertificate } from "acs-baseline/internal";
import { inspectFederatedTokenFile } from "acs-baseline/internal";
import { validateAuthorityHost } from "acs-baseline/internal";
import type { BaselineControlId } from "acs-baseline/internal";
import { isBaselineViolationError } from "acs-baseline/internal";
import { validateEndpoint } from "acs-baseline/internal";
import { POSTURE_ENVIRONMENT_VARIABLES, checkPosture, postureOptionsFromEnvironment } from "acs-baseline/internal";
import { allowedAuthorityHosts as authorityAllowList } from "../authorityHosts.js";
import { cliEndpointSource } from "../allowedHosts.js";
import { environmentReason } from "acs-baseline/internal";
import { describeTokenError, environmentRefusals } from "acs-baseline/internal";
import type { EnvironmentRefusals } from "acs-baseline/internal";

/** One line of the checklist. */
export interface DoctorCheck {
  name: string;
  control: BaselineControlId;
  status: "pass" | "fail" | "warn";
  message: string;
}

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  online: boolean;
  allowedHosts: readonly string[];
  /** From --allowed-authority-host (the environment's list is read here). */
  allowedAuthorityHosts?: readonly string[];
  timeoutMs?: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const V = ENVIRONMENT_VARIABLES;

type Add = (name: string, control: BaselineControlId, status: DoctorCheck["status"], message: string) => void;

/** What every group of checks reads. */
interface DoctorRun {
  env: NodeJS.ProcessEnv;
  config: ReturnType<typeof readEnvironment>;
  add: Add;
  managed: boolean;
  /** What fromEnvironment() (with doctor's overrides) refuses: its own validation, run without building anything. */
  refusals: EnvironmentRefusals;
}

/** A refusal's message (ours: names variables and options, never a value); anything else by kind only. */
const refusalMessage = (error: Error): string => (isBaselineViolationError(error) ? error.message : error.name);

const set = (value: string | undefined): boolean => value !== undefined && value.length > 0;

/**
 * Where a managed-identity token would come from, judged from the variables the factory reads, in its order
 * (`readManagedIdentitySource`): `refused` for the sources it does not build (Service Fabric, Azure Arc, Cloud Shell,
 * Azure Machine Learning), which it refuses with CREDENTIAL_NOT_CONFIGURED.
 */
function managedIdentitySource(env: NodeJS.ProcessEnv): { source: string; refused: boolean } {
  if (set(env.IDENTITY_SERVER_THUMBPRINT))
    return { source: "Service Fabric (IDENTITY_ENDPOINT, IDENTITY_HEADER, IDENTITY_SERVER_THUMBPRINT)", refused: true };
  if (set(env.IMDS_ENDPOINT)) return { source: "Azure Arc (IDENTITY_ENDPOINT, IMDS_ENDPOINT)", refused: true };
  if (set(env.MSI_SECRET)) return { source: "Azure Machine Learning (MSI_ENDPOINT, MSI_SECRET)", refused: true };
  if (set(env.MSI_ENDPOINT)) return { source: "Cloud Shell (MSI_ENDPOINT)", refused: true };
  if (set(env.IDENTITY_ENDPOINT) || set(env.IDENTITY_HEADER))
    return { source: "App Service / Functions (IDENTITY_ENDPOINT, IDENTITY_HEADER)", refused: false };
  return {
    source:
      "the instance metadata service (IMDS, 169.254.169.254): no App Service, Arc or Cloud Shell variables are set",
    refused: false,
  };
}

/** Key material in the environment, TLS verification and the endpoint. */
function checkEnvironment({ env, config, add, refusals }: DoctorRun, allowedHosts: readonly string[]): void {
  // The factory's own key-material rule (a connection string in any value it reads, an access key as the client
  // secret): what it refuses fails here, whatever else is configured.
  if (refusals.keyMaterial !== undefined)
    add(
      "key material in environment",
      "IM-1",
      "fail",
      `AcsClientFactory.fromEnvironment() refuses this environment: ${refusalMessage(refusals.keyMaterial)}`,
    );
  if (config.keyMaterialVariables.length > 0) {
    add(
      "key material in environment",
      "IM-1",
      "warn",
      `ACS connection strings or access keys are present in ${config.keyMaterialVariables.join(", ")} (values not shown). acs-baseline never uses them: remove them and rotate the keys.`,
    );
  } else if (refusals.keyMaterial === undefined)
    add("key material in environment", "IM-1", "pass", "no ACS connection strings or access keys in the environment");

  const tls = environmentReason(env);
  if (tls !== undefined)
    add(
      "tls verification",
      "DP-3",
      "fail",
      `${tls}: Node.js would accept any server certificate. Remove it (trust a private CA with NODE_EXTRA_CA_CERTS instead); AcsClientFactory refuses it (TLS_VERIFICATION_DISABLED).`,
    );
  else
    add(
      "tls verification",
      "DP-3",
      "pass",
      `TLS certificate verification is on${env.NODE_EXTRA_CA_CERTS !== undefined ? " (extra CAs from NODE_EXTRA_CA_CERTS)" : ""}`,
    );

  if (config.endpoint === undefined) add("endpoint", "DP-3", "fail", `${V.endpoint} is not set`);
  else {
    try {
      const endpoint = validateEndpoint(config.endpoint, allowedHosts, cliEndpointSource(env));
      add("endpoint", "DP-3", "pass", `${V.endpoint}: https, host ${endpoint.hostname} is allowed`);
    } catch (error) {
      add(
        "endpoint",
        isBaselineViolationError(error) ? error.control : "DP-3",
        "fail",
        `${V.endpoint}: ${isBaselineViolationError(error) ? error.message : "invalid"}`,
      );
    }
  }
}

/** Tenant id, client id and the authority host. */
function checkIdentity({ config, add, managed, refusals }: DoctorRun, allowedAuthorityHosts: readonly string[]): void {
  if (config.tenantId === undefined) {
    if (!managed) add("tenant id", "IM-3", "fail", `${V.tenantId} is not set`);
  } else if (refusals.tenantId !== undefined)
    add("tenant id", "IM-3", "fail", `${V.tenantId}: ${refusalMessage(refusals.tenantId)}`);
  else if (GUID.test(config.tenantId)) add("tenant id", "IM-3", "pass", `${V.tenantId} is a GUID`);
  else
    add("tenant id", "IM-3", "warn", `${V.tenantId} is not a GUID (a domain name works, the tenant GUID is preferred)`);

  if (config.clientId === undefined) {
    if (!managed) add("client id", "IM-3", "fail", `${V.clientId} is not set`);
  } else if (GUID.test(config.clientId)) add("client id", "IM-3", "pass", `${V.clientId} is a GUID`);
  else
    // a warning: the factory accepts it, and Entra answers a wrong ID at the token request
    add(
      "client id",
      "IM-3",
      "warn",
      `${V.clientId} is not a GUID: the application (client) ID of the ${managed ? "user-assigned managed identity" : "service principal"} is one (the factory sends it as it is; doctor --online asks Microsoft Entra ID for a token with it)`,
    );

  // The authority receives the client assertion or secret (not used by managed identity).
  try {
    const authority = validateAuthorityHost(config.authorityHost, allowedAuthorityHosts);
    const where = authority.microsoft
      ? `a Microsoft cloud login host${config.authorityHost === undefined ? ` (default; ${V.authorityHost} is not set)` : ""}`
      : `not a Microsoft cloud login host, allowed by the allow-list (${V.allowedAuthorityHosts}, --allowed-authority-host); instance discovery is off`;
    add(
      "authority",
      "IM-1",
      "pass",
      `${authority.origin}: ${where}${managed ? " (not used by managed identity)" : ""}`,
    );
  } catch (error) {
    add(
      "authority",
      "IM-1",
      "fail",
      `${V.authorityHost}: ${isBaselineViolationError(error) ? error.message : "invalid"}`,
    );
  }
}

/**
 * Managed identity, opted in: unambiguous only when no other credential is configured, and only from a source the
 * factory builds (a source or endpoint it refuses fails, with its refusal).
 */
function checkManagedIdentity({ env, config, add, refusals }: DoctorRun): void {
  const others = [
    config.certificatePath !== undefined ? V.certificatePath : undefined,
    config.federatedTokenFile !== undefined ? V.federatedTokenFile : undefined,
    config.clientSecret !== undefined ? V.clientSecret : undefined,
  ].filter((x) => x !== undefined);
  if (others.length > 0) {
    add(
      "credential",
      "IM-3",
      "fail",
      `${V.useManagedIdentity} opts in to managed identity, but ${others.join(" and ")} ${others.length > 1 ? "are" : "is"} also set: ambiguous, fromEnvironment refuses it (CREDENTIAL_NOT_CONFIGURED). Remove one.`,
    );
    return;
  }
  const { source, refused } = managedIdentitySource(env);
  // The factory's own refusal of the source (or of its endpoint), when its validation got that far.
  const refusal = refusals.configuration;
  const factoryRefuses =
    refusal !== undefined && isBaselineViolationError(refusal) && refusal.code === "CREDENTIAL_NOT_CONFIGURED";
  if (refused || factoryRefuses) {
    const why = factoryRefuses
      ? `AcsClientFactory.fromEnvironment() refuses it: ${refusal.message}`
      : "the factory does not build this source (CREDENTIAL_NOT_CONFIGURED): use workload identity federation or a certificate";
    add(
      "credential",
      "IM-3",
      "fail",
      `managed identity (opted in by ${V.useManagedIdentity}), token source: ${source}: ${why}`,
    );
    return;
  }
  add(
    "credential",
    "IM-3",
    "pass",
    `managed identity (opted in by ${V.useManagedIdentity}), ${config.clientId !== undefined ? `user-assigned, client ID from ${V.clientId}` : `system-assigned (set ${V.clientId} for a user-assigned one)`}; token source: ${source}. The baseline's table lists managed identities as not supported for ACS data-plane access; ACS accepts their tokens today (docs/factory.md).`,
  );
}

/** The certificate: readable, key matching, and what it makes the other credential variables. */
function checkCertificate({ config, add }: DoctorRun, path: string): void {
  try {
    const c = loadCertificate({
      path,
      ...(config.certificatePassword !== undefined ? { password: config.certificatePassword } : {}),
    });
    add(
      "certificate",
      "IM-3",
      "pass",
      `${V.certificatePath}: readable PEM, key matches, SHA-256 ${c.thumbprint}, valid until ${c.notAfter.toISOString()} (${c.daysRemaining} days)`,
    );
    for (const warning of c.warnings) add("certificate", "IM-3", "warn", warning);
    if (config.federatedTokenFile !== undefined)
      add("credential", "IM-3", "warn", `${V.federatedTokenFile} is set but ignored: a certificate comes first`);
    if (config.clientSecret !== undefined)
      add(
        "secret",
        "IM-8",
        "warn",
        `${V.clientSecret} is set but ignored because a certificate is configured: remove it`,
      );
  } catch (error) {
    add(
      "certificate",
      "IM-3",
      "fail",
      `${V.certificatePath}: ${isBaselineViolationError(error) ? error.message : "cannot be loaded"}`,
    );
  }
}

/** The federated token file (workload identity). */
function checkWorkloadIdentity({ config, add }: DoctorRun, path: string): void {
  let described: string;
  try {
    const info = inspectFederatedTokenFile(path);
    const expiry = info.expiresOn === undefined ? "" : `, expires ${info.expiresOn.toISOString()}`;
    described = `${V.federatedTokenFile}: readable${info.issuer !== undefined ? `, a token from ${info.issuer}` : ""}${expiry}`;
  } catch (error) {
    add(
      "credential",
      "IM-3",
      "fail",
      `${V.federatedTokenFile}: ${isBaselineViolationError(error) ? error.message : "cannot be read"}`,
    );
    return;
  }
  add(
    "credential",
    "IM-3",
    "pass",
    `workload identity federation (no secret in the app): ${described}; exchanged with Microsoft Entra ID for ${V.clientId} in ${V.tenantId}`,
  );
  if (config.clientSecret !== undefined)
    add(
      "secret",
      "IM-8",
      "warn",
      `${V.clientSecret} is set but ignored because workload identity is configured: remove it`,
    );
}

/** Which credential fromEnvironment() would build, in baseline order. */
function checkCredential(run: DoctorRun): void {
  const { config, add } = run;
  if (run.managed) checkManagedIdentity(run);
  else if (config.certificatePath !== undefined) checkCertificate(run, config.certificatePath);
  else if (config.federatedTokenFile !== undefined) checkWorkloadIdentity(run, config.federatedTokenFile);
  else if (config.clientSecret !== undefined) {
    add(
      "credential",
      "IM-3",
      "warn",
      `secret fallback in use: ${V.clientSecret} is set and no certificate or federated token file is configured. Configure ${V.certificatePath} or ${V.federatedTokenFile}.`,
    );
  } else {
    add(
      "credential",
      "IM-3",
      "fail",
      `no credential: set ${V.certificatePath} (preferred) for the service principal, ${V.federatedTokenFile} for workload identity federation, or ${V.useManagedIdentity}=true for managed identity`,
    );
  }
}

/** `--online`: a token through the factory. */
async function checkToken(
  { env, add }: DoctorRun,
  options: DoctorOptions,
  allowedAuthorityHosts: string[],
): Promise<void> {
  let factory: AcsClientFactory | undefined;
  try {
    factory = AcsClientFactory.fromEnvironment(factoryOverrides(options, allowedAuthorityHosts), env);
    const token = await factory.credential.getToken(ACS_TOKEN_SCOPE);
    add(
      "token",
      "IM-1",
      "pass",
      `Microsoft Entra ID issued a token for ${ACS_TOKEN_SCOPE} (${factory.credentialType} credential), valid until ${new Date(token?.expiresOnTimestamp ?? 0).toISOString()}`,
    );
  } catch (error) {
    add("token", "IM-1", "fail", `no token: ${describeTokenError(error)}`);
  } finally {
    await factory?.close();
  }
}

/** The overrides doctor gives fromEnvironment(), offline and online alike. */
function factoryOverrides(options: DoctorOptions, allowedAuthorityHosts: string[]) {
  return {
    allowedHosts: [...options.allowedHosts],
    allowedAuthorityHosts,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}

/**
 * The backstop: whatever fromEnvironment() refuses that no check above caught fails here, so doctor never says
 * "configuration ok" for an environment the factory refuses.
 */
function checkFactoryAgrees({ add, refusals }: DoctorRun, checks: readonly DoctorCheck[]): void {
  const refused = refusals.configuration;
  if (refused === undefined || checks.some((c) => c.status === "fail")) return;
  const control = isBaselineViolationError(refused) ? refused.control : "IM-1";
  add("configuration", control, "fail", `AcsClientFactory.fromEnvironment() refuses it: ${refusalMessage(refused)}`);
}

/** Runs the offline checks (and the online one when asked). Never returns a secret value. */
export async function runDoctor(env: NodeJS.ProcessEnv, options: DoctorOptions): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add: Add = (name, control, status, message) => checks.push({ name, control, status, message });
  const config = readEnvironment(env);
  const allowedAuthorityHosts = authorityAllowList(env, options.allowedAuthorityHosts);
  const refusals = environmentRefusals(factoryOverrides(options, allowedAuthorityHosts), env);
  const run: DoctorRun = { env, config, add, managed: config.useManagedIdentity === true, refusals };
  checkEnvironment(run, options.allowedHosts);
  checkIdentity(run, allowedAuthorityHosts);
  checkCredential(run);
  checkFactoryAgrees(run, checks);
  if (!options.online) return checks;
  const failed = () => checks.some((c) => c.status === "fail");
  if (failed()) {
    add("token", "IM-1", "fail", "--online skipped: fix the failures above first");
    return checks;
  }
  await checkToken(run, options, allowedAuthorityHosts);
  if (env[POSTURE_ENVIRONMENT_VARIABLES.resourceId] !== undefined && !failed())
    await addPosture(env, allowedAuthorityHosts, add);
  return checks;
}

/** `doctor --online` with a resource id: one line per posture check (unknown is a warning, as posture without --strict). */
async function addPosture(env: NodeJS.ProcessEnv, allowedAuthorityHosts: readonly string[], add: Add): Promise<void> {
  try {
    const options = postureOptionsFromEnvironment(env);
    const result = await checkPosture({
      ...options,
      resourceId: options.resourceId ?? "",
      allowedAuthorityHosts: [...(options.allowedAuthorityHosts ?? []), ...allowedAuthorityHosts],
    });
    for (const c of result.checks) {
      add(
        `posture ${c.id}`,
        c.control ?? "PA-7",
        c.status === "unknown" ? "warn" : c.status,
        c.status === "unknown" ? `could not be checked: ${c.evidence}` : c.evidence,
      );
    }
  } catch (error) {
    add(
      "posture",
      "IM-1",
      "fail",
      `${POSTURE_ENVIRONMENT_VARIABLES.resourceId}: ${error instanceof Error ? error.message : "posture check failed"}`,
    );
  }
}
