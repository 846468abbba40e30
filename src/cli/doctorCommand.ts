/**
 * `acs-baseline doctor [--online] [--json] [--allowed-host HOST]…`: checks the configuration exactly as
 * `AcsClientFactory.fromEnvironment()` reads it, using the same functions, and sends nothing unless `--online`.
 */
import { parseArgs } from "node:util";
import { AcsClientFactory, ACS_TOKEN_SCOPE, DEFAULT_TIMEOUT_MS } from "../clients/AcsClientFactory.js";
import { ENVIRONMENT_VARIABLES, readEnvironment } from "../config/readEnvironment.js";
import { loadCertificate } from "../credentials/certificate.js";
import type { BaselineControlId } from "../errors.js";
import { isBaselineViolationError } from "../errors.js";
import { DEFAULT_ALLOWED_HOSTS, validateEndpoint } from "../guard/endpoint.js";
import { TLS_REJECT_UNAUTHORIZED_VARIABLE, environmentReason } from "../guard/tlsVerification.js";
import type { CliCommand } from "./io.js";
import { EXIT_USAGE, println } from "./io.js";

/** One line of the checklist. */
export interface DoctorCheck {
  name: string;
  control: BaselineControlId;
  status: "pass" | "fail" | "warn";
  message: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MARK = { pass: "✓", fail: "✗", warn: "!" } as const;
const HELP = `Usage: acs-baseline doctor [--online [--timeout-ms N]] [--json] [--allowed-host HOST]…

Checks the configuration exactly as AcsClientFactory.fromEnvironment() reads it (${Object.values(ENVIRONMENT_VARIABLES).join(", ")}),
and that ${TLS_REJECT_UNAUTHORIZED_VARIABLE}=0 does not switch TLS certificate verification off.
Nothing is sent unless --online, which acquires a Microsoft Entra token and reports the outcome; the token request
is aborted after --timeout-ms (default ${DEFAULT_TIMEOUT_MS}) and doctor exits.
--allowed-host adds hosts to the endpoint allow-list (default ${DEFAULT_ALLOWED_HOSTS.join(", ")}).
Exit 1 when a check fails (✗); warnings (!) do not fail.`;

/** Runs the offline checks (and the online one when asked). Never returns a secret value. */
export async function runDoctor(env: NodeJS.ProcessEnv, options: { online: boolean; allowedHosts: readonly string[]; timeoutMs?: number }): Promise<DoctorCheck[]> {
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
      const endpoint = validateEndpoint(config.endpoint, options.allowedHosts);
      add("endpoint", "DP-3", "pass", `${V.endpoint}: https, host ${endpoint.hostname} is allowed`);
    } catch (error) {
      add("endpoint", isBaselineViolationError(error) ? error.control : "DP-3", "fail", `${V.endpoint}: ${isBaselineViolationError(error) ? error.message : "invalid"}`);
    }
  }

  if (config.tenantId === undefined) add("tenant id", "IM-3", "fail", `${V.tenantId} is not set`);
  else if (GUID.test(config.tenantId)) add("tenant id", "IM-3", "pass", `${V.tenantId} is a GUID`);
  else add("tenant id", "IM-3", "warn", `${V.tenantId} is not a GUID (a domain name works, the tenant GUID is preferred)`);

  if (config.clientId === undefined) add("client id", "IM-3", "fail", `${V.clientId} is not set`);
  else if (GUID.test(config.clientId)) add("client id", "IM-3", "pass", `${V.clientId} is a GUID`);
  else add("client id", "IM-3", "fail", `${V.clientId} is not a GUID (the application (client) ID of the service principal)`);

  if (config.certificatePath !== undefined) {
    try {
      const c = loadCertificate({ path: config.certificatePath, ...(config.certificatePassword !== undefined ? { password: config.certificatePassword } : {}) });
      add("certificate", "IM-3", "pass", `${V.certificatePath}: readable PEM, key matches, SHA-256 ${c.thumbprint}, valid until ${c.notAfter.toISOString()} (${c.daysRemaining} days)`);
      for (const warning of c.warnings) add("certificate", "IM-3", "warn", warning);
      if (config.clientSecret !== undefined) add("secret", "IM-8", "warn", `${V.clientSecret} is set but ignored because a certificate is configured: remove it`);
    } catch (error) {
      add("certificate", "IM-3", "fail", `${V.certificatePath}: ${isBaselineViolationError(error) ? error.message : "cannot be loaded"}`);
    }
  } else if (config.clientSecret !== undefined) {
    add("credential", "IM-3", "warn", `secret fallback in use: ${V.clientSecret} is set and no certificate is configured. Configure ${V.certificatePath}.`);
  } else {
    add("credential", "IM-3", "fail", `no credential: set ${V.certificatePath} (preferred) for the service principal`);
  }

  if (options.online) {
    if (checks.some((c) => c.status === "fail")) {
      add("token", "IM-1", "fail", "--online skipped: fix the failures above first");
    } else {
      let factory: AcsClientFactory | undefined;
      try {
        factory = AcsClientFactory.fromEnvironment({ allowedHosts: [...options.allowedHosts], timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS }, env);
        const token = await factory.credential.getToken(ACS_TOKEN_SCOPE);
        add("token", "IM-1", "pass", `Microsoft Entra ID issued a token for ${ACS_TOKEN_SCOPE} (${factory.credentialType} credential), valid until ${new Date(token?.expiresOnTimestamp ?? 0).toISOString()}`);
      } catch (error) {
        const e = error as { name?: string; errorResponse?: { error?: string; errorDescription?: string } };
        const aadsts = /AADSTS\d+/.exec(e.errorResponse?.errorDescription ?? "")?.[0];
        add("token", "IM-1", "fail", `no token: ${isBaselineViolationError(error) ? error.message : [e.name, e.errorResponse?.error, aadsts].filter(Boolean).join(" ")}`);
      } finally {
        await factory?.close();
      }
    }
  }
  return checks;
}

export const doctorCommand: CliCommand = async (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        online: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        "allowed-host": { type: "string", multiple: true },
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
  const allowedHosts = [...DEFAULT_ALLOWED_HOSTS, ...(parsed.values["allowed-host"] ?? [])];
  const timeoutText = parsed.values["timeout-ms"];
  const timeoutMs = timeoutText === undefined ? DEFAULT_TIMEOUT_MS : Number(timeoutText);
  if (!/^\d{1,9}$/.test(timeoutText ?? "0") || timeoutMs < 1) {
    println(io.stderr, `acs-baseline doctor: --timeout-ms takes a whole number of milliseconds ≥ 1\n\n${HELP}`);
    return EXIT_USAGE;
  }
  const checks = await runDoctor(io.env, { online: parsed.values.online === true, allowedHosts, timeoutMs });
  const ok = !checks.some((c) => c.status === "fail");
  if (parsed.values.json === true) println(io.stdout, JSON.stringify({ ok, checks }, null, 2));
  else {
    for (const c of checks) println(io.stdout, `${MARK[c.status]} ${c.control.padEnd(5)} ${c.name}: ${c.message}`);
    println(io.stdout, ok ? "\nconfiguration ok" : "\nconfiguration has failures (✗)");
  }
  return ok ? 0 : 1;
};
