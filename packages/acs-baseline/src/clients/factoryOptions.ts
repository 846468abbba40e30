/**
 * The factory's options room: options and environment, read once and validated in the baseline's order, turned into
 * one frozen {@link FactoryConfiguration}. The key-material and credential-setting checks are shared with
 * `checkPosture`, so both refuse the same configurations with the same errors.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { CommonClientOptions } from "@azure/core-client";
import type { AuditOptions } from "../audit/write/recorder.js";
import {
  ARM_ENDPOINT_VARIABLE,
  ENVIRONMENT_VARIABLES,
  credentialOptionsFromEnvironment,
  readEnvironment,
} from "../config/readEnvironment.js";
import type { CredentialConfiguration } from "../credentials/resolveCredential.js";
import { checkCredentialConfiguration } from "../credentials/resolveCredential.js";
import type { ValidatedAuthority } from "../guard/authority.js";
import { validateAuthorityHost } from "../guard/authority.js";
import type { EndpointSource, ValidatedEndpoint } from "../guard/endpoint.js";
import { DEFAULT_ALLOWED_HOSTS, OPTION_ENDPOINT_SOURCE, validateEndpoint } from "../guard/endpoint.js";
import { assertNotAccessKey, assertTokenCredential, isAccessKeyShaped } from "../guard/keyCredential.js";
import { snapshotIfObject, snapshotOptions } from "../guard/optionSnapshot.js";
import { assertNoConnectionString } from "../guard/optionStrings.js";
import { holdsConnectionString } from "../text/connectionString.js";
import type { GuardTarget } from "../guard/requestGuard.js";
import { checkTransportOptions } from "../guard/transportOptions.js";
import { assertClientOptionsAllowed } from "../guard/clientOptionAllowList.js";
import { BaselineViolationError } from "../errors.js";
import { parseAcsResourceId, parseArmEndpoint } from "../posture/resourceId.js";
import type { PostureClientType } from "../posture/types.js";

/**
 * A certificate for the service principal: a PEM file (`path`) or PEM text (`pem`) holding the private key
 * (PKCS#8, PKCS#1 or SEC1; encrypted when `password` is given) and the certificate, optionally followed by its chain.
 * @public
 */
export type CertificateOption = { path: string; password?: string } | { pem: string; password?: string };

/**
 * Options of {@link AcsClientFactory}.
 * @public
 */
export interface AcsClientFactoryOptions {
  /** The ACS resource endpoint, `https://<name>.communication.azure.com`: https, an allowed host, no path, query or user-info. */
  endpoint: string;
  /** Microsoft Entra tenant (directory) ID of the service principal. */
  tenantId?: string;
  /** Application (client) ID of the service principal. */
  clientId?: string;
  /** The service principal's certificate: preferred over a client secret. */
  certificate?: CertificateOption;
  /** Client secret: used only when no certificate is configured, and audited as a fallback. */
  clientSecret?: string;
  /** Allow the client-secret fallback (default true). `false` requires a certificate. */
  allowSecretFallback?: boolean;
  /**
   * Workload identity federation (AKS workload identity, GitHub OIDC, …): `tokenFilePath` is the federated token file
   * (`AZURE_FEDERATED_TOKEN_FILE`), exchanged with tenantId and clientId for an Entra token (a `ClientAssertionCredential` reading the file with the factory's checks at each token request).
   * Audited as `workload-identity`. A certificate, when also configured, comes first.
   */
  workloadIdentity?: { tokenFilePath: string };
  /**
   * Managed identity, as an explicit opt-in (`AZURE_COMMUNICATION_USE_MANAGED_IDENTITY=true` in the environment):
   * system-assigned, or user-assigned by `clientId`. The environment is read once, at construction: App Service
   * (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`) and IMDS get the factory's own credential pinned to that endpoint
   * (audited `managed-identity`); with the AKS workload-identity variables the factory builds workload identity federation
   * itself (audited `workload-identity`); other sources are refused. Cannot be combined with a certificate, secret,
   * token file or `credential`.
   */
  managedIdentity?: { clientId?: string };
  /** Your own Microsoft Entra TokenCredential, audited as `external`. Key and SAS credentials are refused. */
  credential?: TokenCredential;
  /**
   * Entra authority host, e.g. `https://login.microsoftonline.us` (default `https://login.microsoftonline.com`; the
   * constructor never reads `AZURE_AUTHORITY_HOST`, `fromEnvironment` does). Must be https and a Microsoft cloud login
   * host or listed in `allowedAuthorityHosts`, or the factory refuses with `AUTHORITY_NOT_ALLOWED`.
   */
  authorityHost?: string;
  /**
   * Hosts besides Microsoft's cloud login hosts that `authorityHost` may use (Azure Stack, ADFS, the emulator),
   * matched like `allowedHosts`: `*.x` matches any subdomain of x, anything else is exact. Default none.
   */
  allowedAuthorityHosts?: string[];
  /**
   * Skip Entra instance discovery. Default: skipped exactly when the authority host is not a Microsoft cloud login
   * host (it is then in `allowedAuthorityHosts`), since discovery only knows Microsoft's clouds.
   */
  disableInstanceDiscovery?: boolean;
  /** Send the certificate chain (x5c) for subject-name/issuer authentication. */
  sendCertificateChain?: boolean;
  /** Hosts the endpoint may use. `*.x` matches any subdomain of x; anything else is exact. Default `["*.communication.azure.com", "*.communication.azure.us"]`. */
  allowedHosts?: string[];
  /**
   * Options (retry, tlsOptions, proxy, additional policies) for the credential and every client. Only the members of
   * `ALLOWED_CLIENT_OPTIONS` are accepted (else CLIENT_OPTION_NOT_ALLOWED), and not `proxyOptions` with
   * `tlsOptions.ca`. `httpClient` is refused unless {@link AcsClientFactoryOptions.allowCustomHttpClient};
   * `tlsOptions` and `agent` must keep certificate verification on (a custom `ca` is fine).
   */
  clientOptions?: CommonClientOptions;
  /**
   * Let a caller-supplied `httpClient`, or an `agent` that is not a plain `https.Agent`, (in `clientOptions` or a
   * `createClient` call) through (default false: CUSTOM_TRANSPORT_REFUSED). It runs after the request guard and can change what is sent, so the wire guarantees
   * no longer hold for the clients that use it (docs/security.md); each use writes a `warn` record.
   */
  allowCustomHttpClient?: boolean;
  /** Audit log options (see docs/audit-log.md). Without them, nothing is recorded. */
  audit?: AuditOptions;
  /**
   * Upper bound in milliseconds for one ACS request attempt and for one token acquisition, so a stalled endpoint
   * gives the caller an error instead of a hang (default 60000; 0 = no bound). A request's own `timeout` wins.
   */
  timeoutMs?: number;
  /** Check the live resource's posture through ARM (needs the optional peer dependencies, see docs/posture.md). */
  posture?: FactoryPostureOptions;
}

/**
 * The factory's resource-posture option (docs/posture.md).
 * @public
 */
export interface FactoryPostureOptions {
  /** `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Communication/communicationServices/{n}` */
  resourceId: string;
  /**
   * `enforce`: clients send nothing until a posture check has passed `local-auth-disabled` and `endpoint-matches`
   * (otherwise BaselineViolationError LOCAL_AUTH_ENABLED, or POSTURE_UNVERIFIED when ARM is unreachable, forbidden or
   * malformed, or the resource is not the endpoint's). `warn`: failing checks become `warn` audit records and clients
   * keep working.
   */
  mode: "warn" | "enforce";
  /** ARM endpoint, https only. Default `https://management.azure.com`. */
  armEndpoint?: string;
  /** How long a passing posture result is reused, in milliseconds (default 300000, 5 minutes). */
  maxAgeMs?: number;
  /** Client types for the log and role checks. Default: the types of the clients this factory created. */
  clients?: PostureClientType[];
}

/** Default of {@link FactoryPostureOptions.maxAgeMs}. @public */
export const DEFAULT_POSTURE_MAX_AGE_MS = 300_000;

/** Default of {@link AcsClientFactoryOptions.timeoutMs}. @public */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** The `posture` option, checked, with its default filled in. */
export type ValidatedPostureOptions = Readonly<FactoryPostureOptions & { maxAgeMs: number }>;

/** The principal named in audit records: tenant and client ID as configured (the managed identity's client ID too). */
export interface FactoryPrincipal {
  tenantId?: string;
  clientId?: string;
}

/** The factory's validated configuration: read once, checked once, frozen. Everything after validation reads this. */
export interface FactoryConfiguration {
  /** The options as read once (a snapshot: a getter or Proxy cannot answer the checks one way and the credential another). */
  readonly options: Readonly<AcsClientFactoryOptions>;
  /** The checked endpoint. */
  readonly endpoint: Readonly<ValidatedEndpoint>;
  /** Where the guard lets requests go. */
  readonly target: Readonly<GuardTarget>;
  /** The checked authority host. */
  readonly authority: Readonly<ValidatedAuthority>;
  /** A copy of `clientOptions` (empty when none were given). */
  readonly clientOptions: Readonly<CommonClientOptions>;
  /** Bound for one ACS request attempt and one token acquisition (0 = none). */
  readonly timeoutMs: number;
  readonly allowCustomHttpClient: boolean;
  readonly posture: ValidatedPostureOptions | undefined;
  readonly principal: Readonly<FactoryPrincipal>;
  /** The credential part of the options, for `factoryCredential.ts`. */
  readonly credential: Readonly<CredentialConfiguration>;
}

/** The options both the factory and `checkPosture` check for key material and credential settings. */
export type CredentialSettingOptions = Pick<
  AcsClientFactoryOptions,
  | "credential"
  | "clientSecret"
  | "tenantId"
  | "clientId"
  | "managedIdentity"
  | "authorityHost"
  | "allowedAuthorityHosts"
  | "clientOptions"
  | "allowCustomHttpClient"
>;

const NOT_AN_OBJECT = "AcsClientFactory takes an options object: { endpoint, tenantId, clientId, certificate }.";

/**
 * Reads the factory's options once (every later check and use sees only this copy) and refuses a connection string
 * where the audit destination belongs, before anything is opened with it.
 * @throws TypeError for anything but an options object (after refusing a connection string passed as the options).
 */
export function readFactoryOptions(options: AcsClientFactoryOptions): AcsClientFactoryOptions {
  if (typeof options === "string") {
    assertNoConnectionString({ options });
    throw new TypeError(NOT_AN_OBJECT);
  }
  if (typeof options !== "object" || options === null) throw new TypeError(NOT_AN_OBJECT);
  const opts = snapshotOptions(options);
  for (const known of [ENDPOINT_SOURCES, ENVIRONMENTS] as WeakMap<object, unknown>[])
    if (known.has(options)) known.set(opts, known.get(options));
  assertNoConnectionString({ audit: opts.audit });
  return opts;
}

/**
 * Where `fromEnvironment` found the endpoint and its allow-list, by the options object it built: a refusal then names
 * AZURE_COMMUNICATION_ENDPOINT / AZURE_COMMUNICATION_ALLOWED_HOSTS instead of the options. Options a caller builds
 * are not in it (their source is the options).
 */
const ENDPOINT_SOURCES = new WeakMap<object, EndpointSource>();

/** The environment `fromEnvironment` built options from (the credential reads managed identity from it too). */
const ENVIRONMENTS = new WeakMap<object, NodeJS.ProcessEnv>();
/** Where options read by {@link readFactoryOptions} came from, when `fromEnvironment` built them. */
export const environmentOf = (opts: AcsClientFactoryOptions) => ENVIRONMENTS.get(opts);

/**
 * The principal the audit records name, from options read by {@link readFactoryOptions}. An ID the factory refuses as
 * key material (an access key, a connection string) or a tenant ID `@azure/identity` rejects is left out: the `refuse`
 * record names the option, never the value.
 */
export function principalOf(opts: AcsClientFactoryOptions): FactoryPrincipal {
  const clientId = typeof opts.clientId === "string" ? opts.clientId : opts.managedIdentity?.clientId;
  const named = (id: unknown): id is string =>
    typeof id === "string" && !isAccessKeyShaped(id) && !holdsConnectionString(id);
  return {
    ...(named(opts.tenantId) && TENANT_ID.test(opts.tenantId) ? { tenantId: opts.tenantId } : {}),
    ...(named(clientId) ? { clientId } : {}),
  };
}

/**
 * IM-1 / IM-8, first in the baseline order: no connection string in any option value, no key or SAS credential, no
 * access key as client secret, tenant ID or client ID. `auditChecked` leaves out the `audit` option when it was checked before.
 */
export function refuseKeyMaterial(opts: CredentialSettingOptions & object, auditChecked = false): void {
  const { credential, ...rest } = opts;
  if (auditChecked) delete (rest as { audit?: unknown }).audit;
  assertNoConnectionString(rest);
  if (typeof credential === "string") assertNoConnectionString({ credential });
  if (credential !== undefined) assertTokenCredential(credential);
  assertNotAccessKey(opts.clientSecret);
  refuseAccessKeyAsIdentifier(opts);
}

/**
 * An ACS access key as the tenant or client ID would be sent to Entra (`client_id`, the authority path): refused like
 * one given as the client secret. The message names the option, never the value.
 * @throws BaselineViolationError KEY_CREDENTIAL_REFUSED
 */
function refuseAccessKeyAsIdentifier(opts: CredentialSettingOptions): void {
  const managed: unknown = opts.managedIdentity;
  const managedClientId =
    typeof managed === "object" && managed !== null ? (managed as { clientId?: unknown }).clientId : undefined;
  const identifiers: [string, unknown][] = [
    ["tenantId (AZURE_TENANT_ID)", opts.tenantId],
    ["clientId (AZURE_CLIENT_ID)", opts.clientId],
    ["managedIdentity.clientId (AZURE_CLIENT_ID)", managedClientId],
  ];
  for (const [name, value] of identifiers) {
    if (typeof value === "string" && isAccessKeyShaped(value)) {
      throw new BaselineViolationError(
        "KEY_CREDENTIAL_REFUSED",
        `${name} has the shape of an ACS access key (64 bytes as base64, base64url or hex), not of a Microsoft Entra ID. Access keys are refused (it would be sent to Microsoft Entra ID): give the tenant (directory) ID and the application (client) ID, and rotate the key.`,
      );
    }
  }
}

/** `@azure/identity`'s own rule for a tenant ID (`checkTenantId`): ASCII letters, digits, `-` and `.`. */
const TENANT_ID = /^[0-9a-zA-Z.-]+$/;

/**
 * A tenant ID `@azure/identity` would refuse with a plain `Error` when the credential is built, refused first with a
 * code. Not checked next to the caller's own `credential` (the tenant ID is then only named in audit records).
 * @throws BaselineViolationError CREDENTIAL_NOT_CONFIGURED
 */
export function refuseInvalidTenantId(opts: Pick<AcsClientFactoryOptions, "tenantId" | "credential">): void {
  if (opts.credential !== undefined || typeof opts.tenantId !== "string" || opts.tenantId.length === 0) return;
  if (!TENANT_ID.test(opts.tenantId)) {
    throw new BaselineViolationError(
      "CREDENTIAL_NOT_CONFIGURED",
      'tenantId (AZURE_TENANT_ID) is not a tenant ID Microsoft Entra ID accepts: only ASCII letters, digits, "-" and "." (the tenant GUID, or a domain such as contoso.onmicrosoft.com). Fix it; the value is not shown.',
    );
  }
}

/**
 * The authority (IM-1: it receives the client assertion or secret, so it is checked before any credential is built),
 * the tenant ID (as `@azure/identity` checks it, but with a code) and the transport (no caller transport unless allowed, certificate verification stays on).
 */
export function validateCredentialSettings(opts: CredentialSettingOptions): ValidatedAuthority {
  const authority = validateAuthorityHost(opts.authorityHost, opts.allowedAuthorityHosts ?? []);
  refuseInvalidTenantId(opts);
  assertClientOptionsAllowed(opts.clientOptions, "clientOptions");
  checkTransportOptions(opts.clientOptions, "clientOptions", opts.allowCustomHttpClient === true);
  return authority;
}

/** The credential part of the options, as `resolveCredential` takes it. */
export function credentialConfigurationOf(
  opts: AcsClientFactoryOptions | CredentialConfiguration,
): CredentialConfiguration {
  return {
    tenantId: opts.tenantId,
    clientId: opts.clientId,
    certificate: opts.certificate,
    clientSecret: opts.clientSecret,
    allowSecretFallback: opts.allowSecretFallback,
    workloadIdentity: opts.workloadIdentity,
    managedIdentity: opts.managedIdentity,
    credential: opts.credential,
  };
}

/** Hooks into validation: the endpoint is known to the audit log as soon as it is checked. */
export interface ValidationHooks {
  endpointValidated?(endpoint: ValidatedEndpoint): void;
}

/**
 * Validates options read by {@link readFactoryOptions}, in the baseline order (see `AcsClientFactory`'s remarks),
 * and returns the frozen configuration.
 * @throws BaselineViolationError for the first rule the options break; TypeError for a malformed value.
 */
export function validateFactoryOptions(
  opts: AcsClientFactoryOptions,
  hooks: ValidationHooks = {},
): FactoryConfiguration {
  refuseKeyMaterial(opts, true);
  const source = ENDPOINT_SOURCES.get(opts) ?? OPTION_ENDPOINT_SOURCE;
  const endpoint = validateEndpoint(opts.endpoint, opts.allowedHosts ?? DEFAULT_ALLOWED_HOSTS, source);
  hooks.endpointValidated?.(endpoint);
  const authority = validateCredentialSettings(opts);
  refuseSameOrigin(authority, endpoint);
  checkCredentialConfiguration(opts);
  const clientOptions = Object.freeze({ ...(opts.clientOptions ?? {}) });
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new TypeError("timeoutMs must be a number of milliseconds ≥ 0 (0 = no bound).");
  }
  const posture = validatePostureOption(opts.posture);
  return Object.freeze({
    options: opts,
    endpoint: Object.freeze(endpoint),
    target: Object.freeze({ hostname: endpoint.hostname, port: endpoint.port }),
    authority: Object.freeze(authority),
    clientOptions,
    timeoutMs,
    allowCustomHttpClient: opts.allowCustomHttpClient === true,
    posture,
    principal: Object.freeze(principalOf(opts)),
    credential: Object.freeze(credentialConfigurationOf(opts)),
  });
}

/**
 * The wire backstop keeps every non-Bearer request off the ACS endpoint's origin, and the token request is one: an
 * authority on the same host and port could never answer. Refused here, with the reason, instead of MSAL's opaque
 * endpoint-resolution error later.
 * @throws BaselineViolationError AUTHORITY_SAME_ORIGIN
 */
function refuseSameOrigin(authority: ValidatedAuthority, endpoint: ValidatedEndpoint): void {
  const port = (origin: string) => {
    const url = new URL(origin);
    return url.port === "" ? 443 : Number(url.port);
  };
  if (
    authority.hostname.toLowerCase() === endpoint.hostname.toLowerCase() &&
    port(authority.origin) === endpoint.port
  ) {
    throw new BaselineViolationError(
      "AUTHORITY_SAME_ORIGIN",
      `The authority host and the ACS endpoint share an origin (${endpoint.hostname}:${endpoint.port}). They cannot: the wire backstop keeps every non-Bearer request, the token request included, off the ACS endpoint's origin. Give the authority its own host or port.`,
    );
  }
}

/** Checks the `posture` option and fills in `maxAgeMs`. */
function validatePostureOption(option: FactoryPostureOptions | undefined): ValidatedPostureOptions | undefined {
  if (option === undefined) return undefined;
  if (typeof option !== "object" || option === null) {
    throw new TypeError('posture must be { resourceId, mode: "warn" | "enforce", armEndpoint?, maxAgeMs? }.');
  }
  parseAcsResourceId(option.resourceId);
  if (option.armEndpoint !== undefined) parseArmEndpoint(option.armEndpoint);
  if (option.mode !== "warn" && option.mode !== "enforce")
    throw new TypeError('posture.mode must be "warn" or "enforce".');
  const maxAgeMs = option.maxAgeMs ?? DEFAULT_POSTURE_MAX_AGE_MS;
  if (typeof maxAgeMs !== "number" || !Number.isFinite(maxAgeMs) || maxAgeMs < 0) {
    throw new TypeError("posture.maxAgeMs must be a number of milliseconds ≥ 0.");
  }
  return Object.freeze({ ...option, maxAgeMs });
}

/** Options built from the environment, and the names of variables that hold key material (never their values). */
export interface EnvironmentFactoryOptions {
  options: AcsClientFactoryOptions;
  keyMaterialVariables: string[];
}

/**
 * The factory's options from the environment (`AcsClientFactory.fromEnvironment`): `overrides` (read once) win; a
 * credential chosen in code replaces whatever the environment configures, unless the overrides set that too.
 */
export function factoryOptionsFromEnvironment(
  overrides: Partial<AcsClientFactoryOptions>,
  env: NodeJS.ProcessEnv,
): EnvironmentFactoryOptions {
  const own = snapshotIfObject(overrides);
  const e = readEnvironment(env);
  const fromEnv: Partial<AcsClientFactoryOptions> = {
    ...credentialOptionsFromEnvironment(e),
    ...(e.allowedHosts !== undefined ? { allowedHosts: e.allowedHosts } : {}),
  };
  const options = { ...fromEnv, ...own } as AcsClientFactoryOptions;
  // The posture check's ARM endpoint, as `acs-baseline posture` reads it, when the posture option names none.
  const armEndpoint = env[ARM_ENDPOINT_VARIABLE]?.trim();
  const posture = options.posture as { armEndpoint?: unknown } | undefined;
  if (typeof posture === "object" && posture !== null && posture.armEndpoint === undefined && armEndpoint)
    options.posture = { ...options.posture, armEndpoint } as AcsClientFactoryOptions["posture"];
  if (own.credential !== undefined || own.managedIdentity !== undefined) {
    for (const key of ["certificate", "clientSecret", "workloadIdentity", "managedIdentity"] as const) {
      if (own[key] === undefined) delete options[key];
    }
  }
  ENDPOINT_SOURCES.set(options, environmentEndpointSource(own, e.allowedHosts !== undefined));
  ENVIRONMENTS.set(options, env);
  return { options, keyMaterialVariables: e.keyMaterialVariables };
}

/** Names what set the endpoint and the allowed hosts: an override (option) or the environment. */
function environmentEndpointSource(own: Partial<AcsClientFactoryOptions>, hostsFromEnv: boolean): EndpointSource {
  const V = ENVIRONMENT_VARIABLES;
  const ownHosts = own.allowedHosts !== undefined;
  return {
    endpoint: own.endpoint !== undefined ? "the endpoint option" : V.endpoint,
    allowedHosts: ownHosts ? "allowedHosts" : hostsFromEnv ? V.allowedHosts : "the default allowed hosts",
    addTo: ownHosts ? "allowedHosts" : `${V.allowedHosts} (comma-separated)`,
    missing:
      own.endpoint !== undefined
        ? "the endpoint option is missing, empty or not a string"
        : `${V.endpoint} is not set and no endpoint option was passed`,
  };
}
