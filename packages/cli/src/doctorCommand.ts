/**
 * `acs-baseline doctor [--online] [--json] [--allowed-host HOST]… [--allowed-authority-host HOST]…`: checks the configuration exactly as
 * `AcsClientFactory.fromEnvironment()` reads it, using the same functions, and sends nothing unless `--online`.
 */
import { parseArgs } from "node:util";
import { AcsClientFactory, ACS_TOKEN_SCOPE, DEFAULT_TIMEOUT_MS } from "acs-baseline/internal";
import { ENVIRONMENT_VARIABLES, readEnvironment } from "acs-baseline/internal";
import { loadCertificate } from "acs-baseline/internal";
import { inspectFederatedTokenFile } from "acs-baseline/internal";
import { validateAuthorityHost } from "acs-baseline/internal";
import type { BaselineControlId } from "acs-baseline/internal";
import { isBaselineViolationError } from "acs-baseline/internal";
import { validateEndpoint } from "acs-baseline/internal";
import { POSTURE_ENVIRONMENT_VARIABLES, checkPosture, postureOptionsFromEnvironment } from "acs-baseline/internal";
import { ALLOWED_AUTHORITY_HOST_OPTION, allowedAuthorityHosts as authorityAllowList } from "./authorityHosts.js";
import { ALLOWED_HOST_HELP, ALLOWED_HOST_OPTION, cliEndpointSource, endpointAllowedHosts } from "./allowedHosts.js";
import { TLS_REJECT_UNAUTHORIZED_VARIABLE, environmentReason } from "acs-baseline/internal";
import type { CliCommand } from "./io.js";
import { EXIT_USAGE, escapeForTerminal, paint, println } from "./io.js";

/** One line of the checklist. */
export interface DoctorCheck {
  name: string;
  control: BaselineControlId;
  status: "pass" | "fail" | "warn";
  message: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MARK = { pass: "✓", fail: "✗", warn: "!" } as const;
const MARK_STYLE = { pass: "green", fail: "red", warn: "yellow" } as const;
const HELP = `Usage: acs-baseline doctor [--online [--timeout-ms N]] [--json] [--allowed-host HOST]… [--allowed-authority-host HOST]…

Checks the configuration exactly as AcsClientFactory.fromEnvironment() reads it (${Object.values(ENVIRONMENT_VARIABLES).join(", ")}),
shows which credential it would build and why, and that ${TLS_REJECT_UNAUTHORIZED_VARIABLE}=0 does not switch TLS
certificate verification off.
Nothing is sent unless --online, which acquires a Microsoft Entra token and reports the outcome (the token request is
aborted after --timeout-ms, default ${DEFAULT_TIMEOUT_MS}, and doctor exits), and, when
${POSTURE_ENVIRONMENT_VARIABLES.resourceId} is set, checks the resource's posture through ARM (read only; see
\`acs-baseline posture\`; unknown results are warnings).
${ALLOWED_HOST_HELP}
--allowed-authority-host adds hosts to the authority allow-list (besides Microsoft's cloud login hosts and ${ENVIRONMENT_VARIABLES.allowedAuthorityHosts}).
Exit 1 when a check fails (✗); warnings (!) do not fail.`;

/** Where ManagedIdentityCredential would ask for a token, judged from the variables it reads. */
function managedIdentitySource(env: NodeJS.ProcessEnv): string {
  if (env.IDENTITY_ENDPOINT !== undefined && env.IDENTITY_HEADER !== undefined) {
    return env.IDENTITY_SERVER_THUMBPRINT !== undefined ? "Service Fabric (IDENTITY_ENDPOINT)" : "App Service / Functions (IDENTITY_ENDPOINT, IDENTITY_HEADER)";
  }
  if (env.IDENTITY_ENDPOINT !== undefined && env.IMDS_ENDPOINT !== undefined) return "Azure Arc (IDENTITY_ENDPOINT, IMDS_ENDPOINT)";
  if (env.MSI_ENDPOINT !== undefined) return "Cloud Shell (MSI_ENDPOINT)";
  return "the instance metadata service (IMDS, 169.254.169.254): no App Service, Arc or Cloud Shell variables are set";
}

/** Runs the offline checks (and the online one when asked). Never returns a secret value. */
export async function runDoctor(
  env: NodeJS.ProcessEnv,
  options: {
    online: boolean;
    allowedHosts: readonly string[];
    /** From --allowed-authority-host (the environment's list is read here). */
    allowedAuthorityHosts?: readonly string[];
    timeoutMs?: number;
  },
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (name: string, control: BaselineControlId, status: DoctorCheck["status"], message: string) => checks.push({ name, control, status, message });
  const config = readEnvironment(env);
  const V = ENVIRONMENT_VARIABLES;

  if (config.keyMaterialVariables.length > 0) {
    add("key material in environment", "IM-1", "warn", `ACS connection strings or access keys are present in ${config.keyMaterialVariables.join(", ")} (values not shown). acs-baseline never uses them: remove them and rotate the keys.`);
  } else add("key material in environment", "IM-1", "pass", "no ACS connection strings or access keys in the environment");

  const tls = environmentReason(env);
  if (tls !== undefined) add("tls verification", "DP-3", "fail", `${tls}: Node.js would accept any server certificate. Remove it (trust a private CA with NODE_EXTRA_CA_CERTS instead); AcsClientFactory refuses it (TLS_VERIFICATION_DISABLED).`);
  else add("tls verification", "DP-3", "pass", `TLS certificate verification is on${env.NODE_EXTRA_CA_CERTS !== undefined ? " (extra CAs from NODE_EXTRA_CA_CERTS)" : ""}`);

  if (config.endpoint === undefined) add("endpoint", "DP-3", "fail", `${V.endpoint} is not set`);
  else {
    try {
      const endpoint = validateEndpoint(config.endpoint, options.allowedHosts, cliEndpointSource(env));
      add("endpoint", "DP-3", "pass", `${V.endpoint}: https, host ${endpoint.hostname} is allowed`);
    } catch (error) {
      add("endpoint", isBaselineViolationError(error) ? error.control : "DP-3", "fail", `${V.endpoint}: ${isBaselineViolationError(error) ? error.message : "invalid"}`);
    }
  }

  const managed = config.useManagedIdentity === true;
  if (config.tenantId === undefined) {
    if (!managed) add("tenant id", "IM-3", "fail", `${V.tenantId} is not set`);
  } else if (GUID.test(config.tenantId)) add("tenant id", "IM-3", "pass", `${V.tenantId} is a GUID`);
  else add("tenant id", "IM-3", "warn", `${V.tenantId} is not a GUID (a domain name works, the tenant GUID is preferred)`);

  if (config.clientId === undefined) {
    if (!managed) add("client id", "IM-3", "fail", `${V.clientId} is not set`);
  } else if (GUID.test(config.clientId)) add("client id", "IM-3", "pass", `${V.clientId} is a GUID`);
  else add("client id", "IM-3", "fail", `${V.clientId} is not a GUID (the application (client) ID of the ${managed ? "user-assigned managed identity" : "service principal"})`);

  // The authority receives the client assertion or secret (not used by managed identity).
  const allowedAuthorityHosts = authorityAllowList(env, options.allowedAuthorityHosts);
  try {
    const authority = validateAuthorityHost(config.authorityHost, allowedAuthorityHosts);
    const where = authority.microsoft
      ? `a Microsoft cloud login host${config.authorityHost === undefined ? ` (default; ${V.authorityHost} is not set)` : ""}`
      : `not a Microsoft cloud login host, allowed by the allow-list (${V.allowedAuthorityHosts}, --allowed-authority-host); instance discovery is off`;
    add("authority", "IM-1", "pass", `${authority.origin}: ${where}${managed ? " (not used by managed identity)" : ""}`);
  } catch (error) {
    add("authority", "IM-1", "fail", `${V.authorityHost}: ${isBaselineViolationError(error) ? error.message : "invalid"}`);
  }

  const tokenFile = (): string | undefined => {
    try {
      const info = inspectFederatedTokenFile(config.federatedTokenFile as string);
      const expiry = info.expiresOn === undefined ? "" : `, expires ${info.expiresOn.toISOString()}`;
      return `${V.federatedTokenFile}: readable${info.issuer !== undefined ? `, a token from ${info.issuer}` : ""}${expiry}`;
    } catch (error) {
      add("credential", "IM-3", "fail", `${V.federatedTokenFile}: ${isBaselineViolationError(error) ? error.message : "cannot be read"}`);
      return undefined;
    }
  };

  if (managed) {
    const others = [
      config.certificatePath !== undefined ? V.certificatePath : undefined,
      config.federatedTokenFile !== undefined ? V.federatedTokenFile : undefined,
      config.clientSecret !== undefined ? V.clientSecret : undefined,
    ].filter((x) => x !== undefined);
    if (others.length > 0) {
      add("credential", "IM-3", "fail", `${V.useManagedIdentity} opts in to managed identity, but ${others.join(" and ")} ${others.length > 1 ? "are" : "is"} also set: ambiguous, fromEnvironment refuses it (CREDENTIAL_NOT_CONFIGURED). Remove one.`);
    } else {
      add(
        "credential",
        "IM-3",
        "pass",
        `managed identity (opted in by ${V.useManagedIdentity}), ${config.clientId !== undefined ? `user-assigned, client ID from ${V.clientId}` : `system-assigned (set ${V.clientId} for a user-assigned one)`}; token source: ${managedIdentitySource(env)}. The baseline's table lists managed identities as not supported for ACS data-plane access; ACS accepts their tokens today (docs/factory.md).`,
      );
    }
  } else if (config.certificatePath !== undefined) {
    try {
      const c = loadCertificate({ path: config.certificatePath, ...(config.certificatePassword !== undefined ? { password: config.certificatePassword } : {}) });
      add("certificate", "IM-3", "pass", `${V.certificatePath}: readable PEM, key matches, SHA-256 ${c.thumbprint}, valid until ${c.notAfter.toISOString()} (${c.daysRemaining} days)`);
      for (const warning of c.warnings) add("certificate", "IM-3", "warn", warning);
      if (config.federatedTokenFile !== undefined) add("credential", "IM-3", "warn", `${V.federatedTokenFile} is set but ignored: a certificate comes first`);
      if (config.clientSecret !== undefined) add("secret", "IM-8", "warn", `${V.clientSecret} is set but ignored because a certificate is configured: remove it`);
    } catch (error) {
      add("certificate", "IM-3", "fail", `${V.certificatePath}: ${isBaselineViolationError(error) ? error.message : "cannot be loaded"}`);
    }
  } else if (config.federatedTokenFile !== undefined) {
    const described = tokenFile();
    if (described !== undefined) {
      add("credential", "IM-3", "pass", `workload identity federation (no secret in the app): ${described}; exchanged with Microsoft Entra ID for ${V.clientId} in ${V.tenantId}`);
      if (config.clientSecret !== undefined) add("secret", "IM-8", "warn", `${V.clientSecret} is set but ignored because workload identity is configured: remove it`);
    }
  } else if (config.clientSecret !== undefined) {
    add("credential", "IM-3", "warn", `secret fallback in use: ${V.clientSecret} is set and no certificate or federated token file is configured. Configure ${V.certificatePath} or ${V.federatedTokenFile}.`);
  } else {
    add(
      "credential",
      "IM-3",
      "fail",
      `no credential: set ${V.certificatePath} (preferred) for the service principal, ${V.federatedTokenFile} for workload identity federation, or ${V.useManagedIdentity}=true for managed identity`,
    );
  }

  if (options.online) {
    if (checks.some((c) => c.status === "fail")) {
      add("token", "IM-1", "fail", "--online skipped: fix the failures above first");
    } else {
      let factory: AcsClientFactory | undefined;
      try {
        factory = AcsClientFactory.fromEnvironment({ allowedHosts: [...options.allowedHosts], allowedAuthorityHosts, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS }, env);
        const token = await factory.credential.getToken(ACS_TOKEN_SCOPE);
        add("token", "IM-1", "pass", `Microsoft Entra ID issued a token for ${ACS_TOKEN_SCOPE} (${factory.credentialType} credential), valid until ${new Date(token?.expiresOnTimestamp ?? 0).toISOString()}`);
      } catch (error) {
        const e = error as { name?: string; errorResponse?: { error?: string; errorDescription?: string } };
        const aadsts = /AADSTS\d+/.exec(e.errorResponse?.errorDescription ?? "")?.[0];
        add("token", "IM-1", "fail", `no token: ${isBaselineViolationError(error) ? error.message : [e.name, e.errorResponse?.error, aadsts].filter(Boolean).join(" ")}`);
      } finally {
        await factory?.close();
      }
      if (env[POSTURE_ENVIRONMENT_VARIABLES.resourceId] !== undefined && !checks.some((c) => c.status === "fail")) {
        await addPosture(env, allowedAuthorityHosts, add);
      }
    }
  }
  return checks;
}

/** `doctor --online` with a resource id: one line per posture check (unknown is a warning, as posture without --strict). */
async function addPosture(
  env: NodeJS.ProcessEnv,
  allowedAuthorityHosts: readonly string[],
  add: (name: string, control: BaselineControlId, status: DoctorCheck["status"], message: string) => void,
): Promise<void> {
  try {
    const options = postureOptionsFromEnvironment(env);
    const result = await checkPosture({ ...options, resourceId: options.resourceId ?? "", allowedAuthorityHosts: [...(options.allowedAuthorityHosts ?? []), ...allowedAuthorityHosts] });
    for (const c of result.checks) {
      add(`posture ${c.id}`, c.control ?? "PA-7", c.status === "unknown" ? "warn" : c.status, c.status === "unknown" ? `could not be checked: ${c.evidence}` : c.evidence);
    }
  } catch (error) {
    add("posture", "IM-1", "fail", `${POSTURE_ENVIRONMENT_VARIABLES.resourceId}: ${error instanceof Error ? error.message : "posture check failed"}`);
  }
}

export const doctorCommand: CliCommand = async (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        online: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        ...ALLOWED_HOST_OPTION,
        ...ALLOWED_AUTHORITY_HOST_OPTION,
        "timeout-ms": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    println(io.stderr, `acs-baseline doctor: ${(error as Error).message}\n\n${HELP}`);
    return EXIT_USAGE;
  }
  if (parsed.values.help === true) {
    println(io.stdout, HELP);
    return 0;
  }
  const allowedHosts = endpointAllowedHosts(io.env, parsed.values["allowed-host"]);
  const timeoutText = parsed.values["timeout-ms"];
  const timeoutMs = timeoutText === undefined ? DEFAULT_TIMEOUT_MS : Number(timeoutText);
  if (!/^\d{1,9}$/.test(timeoutText ?? "0") || timeoutMs < 1) {
    println(io.stderr, `acs-baseline doctor: --timeout-ms takes a whole number of milliseconds ≥ 1\n\n${HELP}`);
    return EXIT_USAGE;
  }
  const checks = await runDoctor(io.env, { online: parsed.values.online === true, allowedHosts, allowedAuthorityHosts: parsed.values["allowed-authority-host"] ?? [], timeoutMs });
  const ok = !checks.some((c) => c.status === "fail");
  if (parsed.values.json === true) println(io.stdout, JSON.stringify({ ok, checks }, null, 2));
  else {
    for (const c of checks) println(io.stdout, `${paint(io, MARK_STYLE[c.status], MARK[c.status])} ${c.control.padEnd(5)} ${c.name}: ${escapeForTerminal(c.message)}`);
    println(io.stdout, ok ? "\nconfiguration ok" : "\nconfiguration has failures (✗)");
  }
  return ok ? 0 : 1;
};
