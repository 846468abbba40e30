/**
 * The only way acs-baseline hands out ACS SDK clients: through one Microsoft Entra ID credential (certificate first,
 * then workload identity federation, client secret as an audited fallback; managed identity on explicit opt-in; or
 * your own TokenCredential), with the request guard and the audit policy installed on every client. Connection
 * strings and keys are refused at construction.
 */
import { inspect } from "node:util";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type { CommonClientOptions } from "@azure/core-client";
import type { HttpClient, PipelinePolicy } from "@azure/core-rest-pipeline";
import { createDefaultHttpClient } from "@azure/core-rest-pipeline";
import { SmsClient } from "@azure/communication-sms";
import { CommunicationIdentityClient } from "@azure/communication-identity";
import type { AuditOptions, AuditRecorder } from "../audit/recorder.js";
import { openAuditRecorder } from "../audit/recorder.js";
import { createAuditPolicy } from "../audit/auditPolicy.js";
import type { CredentialType } from "../audit/events.js";
import { scrubText } from "../audit/redaction.js";
import { readEnvironment } from "../config/readEnvironment.js";
import { resolveCredential, checkCredentialConfiguration } from "../credentials/resolveCredential.js";
import { SharedTokenCredential } from "../credentials/sharedTokenCache.js";
import type { BaselineControlId } from "../errors.js";
import { BaselineViolationError, isBaselineViolationError } from "../errors.js";
import { validateAuthorityHost } from "../guard/authority.js";
import { credentialOptionsFromEnvironment } from "../config/readEnvironment.js";
import { DEFAULT_ALLOWED_HOSTS, validateEndpoint } from "../guard/endpoint.js";
import type { GuardTarget } from "../guard/requestGuard.js";
import { REQUEST_GUARD_POLICY_NAME, createRequestGuardPolicy, guardHttpClient, proxyConfigured } from "../guard/requestGuard.js";
import { assertNotAccessKey, assertTokenCredential } from "../guard/keyCredential.js";
import { snapshotIfObject, snapshotOptions } from "../guard/optionSnapshot.js";
import { assertNoConnectionString } from "../guard/optionStrings.js";
import { checkPosture } from "../posture/checkPosture.js";
import { clientTypeOfClass } from "../posture/clientNeeds.js";
import { parseAcsResourceId, parseArmEndpoint } from "../posture/resourceId.js";
import type { PostureClientType, PostureResult } from "../posture/types.js";
import { checkTransportOptions, isStockHttpsAgent } from "../guard/transportOptions.js";
import { registerWireBackstop } from "../guard/wireBackstop.js";
import type { CredentialTransport } from "../credentials/credentialTransport.js";
import { createCredentialTransport } from "../credentials/credentialTransport.js";
import type { ChatClient } from "@azure/communication-chat";
import type { ChatUser, CreateChatClientOptions } from "./chatClient.js";
import { assertNotChatClient, createChatClient } from "./chatClient.js";

/** The Entra scope for ACS data-plane tokens. @public */
export const ACS_TOKEN_SCOPE = "https://communication.azure.com//.default";

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
   * (`AZURE_FEDERATED_TOKEN_FILE`), exchanged with tenantId and clientId for an Entra token by `WorkloadIdentityCredential`.
   * Audited as `workload-identity`. A certificate, when also configured, comes first.
   */
  workloadIdentity?: { tokenFilePath: string };
  /**
   * Managed identity, as an explicit opt-in (`AZURE_COMMUNICATION_USE_MANAGED_IDENTITY=true` in the environment):
   * system-assigned, or user-assigned by `clientId`, through `ManagedIdentityCredential`. Audited as
   * `managed-identity`. Cannot be combined with a certificate, secret, token file or `credential`.
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
   * Options (retry, tlsOptions, proxy, additional policies) for the credential and every client. `httpClient` is
   * refused unless {@link AcsClientFactoryOptions.allowCustomHttpClient}; `tlsOptions` and `agent` must keep
   * certificate verification on (a custom `ca` is fine).
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
   * `enforce`: clients send nothing until a posture check has passed `local-auth-disabled` (otherwise
   * BaselineViolationError LOCAL_AUTH_ENABLED, also when ARM is unreachable or forbidden). `warn`: failing checks
   * become `warn` audit records and clients keep working.
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

/** A client class whose constructor takes `(endpoint, TokenCredential, options)`. @public */
export type AcsClientConstructor<TClient, TOptions extends object = CommonClientOptions> = new (
  endpoint: string,
  credential: TokenCredential,
  options?: TOptions,
) => TClient;

const CLOSED = "This AcsClientFactory is closed; create a new one.";

/** Deepest nesting searched for pipelines in a client (upstream clients keep theirs 1–3 levels deep). */
const PIPELINE_SEARCH_DEPTH = 8;
const PIPELINE_SEARCH_NODES = 5_000;

/**
 * Every pipeline reachable from `client` through own properties — enumerable or not, string or Symbol keys — up to
 * {@link PIPELINE_SEARCH_DEPTH} levels. (`#private` fields and closures cannot be seen: the wire backstop covers them.)
 */
function pipelinesOf(client: unknown): { getOrderedPolicies(): PipelinePolicy[] }[] {
  const found: { getOrderedPolicies(): PipelinePolicy[] }[] = [];
  const seen = new Set<object>();
  let nodes = 0;
  const visit = (value: unknown, depth: number): void => {
    if (typeof value !== "object" || value === null || seen.has(value) || depth > PIPELINE_SEARCH_DEPTH || nodes++ > PIPELINE_SEARCH_NODES) return;
    seen.add(value);
    if (typeof (value as { getOrderedPolicies?: unknown }).getOrderedPolicies === "function") {
      found.push(value as { getOrderedPolicies(): PipelinePolicy[] });
      return;
    }
    if (ArrayBuffer.isView(value)) return;
    let keys: (string | symbol)[];
    try {
      keys = Reflect.ownKeys(value);
    } catch {
      return;
    }
    for (const key of keys) {
      let child: unknown;
      try {
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        if (descriptor === undefined || !("value" in descriptor)) continue;
        child = descriptor.value;
      } catch {
        continue;
      }
      visit(child, depth + 1);
    }
  };
  visit(client, 0);
  return found;
}

/**
 * Builds ACS SDK clients that authenticate only with Microsoft Entra ID and are guarded and audited.
 *
 * @remarks
 * Credentials in baseline order: a certificate, then workload identity federation (a federated token file), then a
 * client secret as an audited fallback (unlike `EnvironmentCredential`, a certificate always wins over a secret);
 * managed identity only on explicit opt-in. Every refusal is a {@link BaselineViolationError} thrown synchronously, in
 * this order: a connection string in any option value; a non-token credential or an access key as client secret; a
 * non-https endpoint; the endpoint's shape and host; the authority (`AUTHORITY_NOT_ALLOWED`); a caller-supplied
 * HttpClient or agent, or TLS verification switched off; the credential configuration; the certificate itself.
 * @public
 */
export class AcsClientFactory {
  readonly #recorder: AuditRecorder;
  readonly #endpoint: string;
  readonly #target: GuardTarget;
  readonly #clientOptions: CommonClientOptions;
  readonly #credential: SharedTokenCredential;
  readonly #credentialType: CredentialType;
  readonly #principal: { tenantId?: string; clientId?: string };
  readonly #timeoutMs: number;
  readonly #allowCustomHttpClient: boolean;
  readonly #credentialTransport: CredentialTransport;
  /** False when no audit options were given: the request policy is then not installed at all. */
  readonly #audited: boolean;
  #thumbprint: string | undefined;
  #closed = false;
  readonly #posture: (FactoryPostureOptions & { maxAgeMs: number }) | undefined;
  /** The last posture result and when it was taken. */
  #postureResult: { result: PostureResult; at: number } | undefined;
  #postureRun: Promise<PostureResult> | undefined;
  readonly #clientTypes = new Set<PostureClientType>();
  #releaseBackstop: (() => void) | undefined;

  /**
   * @throws BaselineViolationError when the configuration would break the baseline (see the remarks).
   */
  constructor(options: AcsClientFactoryOptions) {
    if (typeof options === "string") {
      assertNoConnectionString({ options });
      throw new TypeError("AcsClientFactory takes an options object: { endpoint, tenantId, clientId, certificate }.");
    }
    if (typeof options !== "object" || options === null) {
      throw new TypeError("AcsClientFactory takes an options object: { endpoint, tenantId, clientId, certificate }.");
    }
    // Every option is read once, here; checks and use see only this copy (a getter or Proxy cannot answer the checks
    // one way and the credential another).
    const opts = snapshotOptions(options);
    // A connection string where the audit destination belongs is refused before anything is opened with it.
    assertNoConnectionString({ audit: opts.audit });
    // The blob anchor authenticates with this factory's own Entra credential (resolved below, read when the anchor starts).
    this.#recorder = openAuditRecorder(opts.audit, { credential: () => this.#credential });
    this.#audited = opts.audit !== undefined;
    const principalClientId = typeof opts.clientId === "string" ? opts.clientId : opts.managedIdentity?.clientId;
    this.#principal = {
      ...(typeof opts.tenantId === "string" ? { tenantId: opts.tenantId } : {}),
      ...(typeof principalClientId === "string" ? { clientId: principalClientId } : {}),
    };
    this.#recorder.setPrincipal(this.#principal);
    try {
      const { audit: _audit, credential, ...rest } = opts; // audit was checked above, before its recorder opened anything
      assertNoConnectionString(rest);
      if (typeof credential === "string") assertNoConnectionString({ credential });
      if (credential !== undefined) assertTokenCredential(credential);
      assertNotAccessKey(opts.clientSecret);
      const endpoint = validateEndpoint(opts.endpoint, opts.allowedHosts ?? DEFAULT_ALLOWED_HOSTS);
      this.#recorder.setEndpoint(endpoint.origin.slice("https://".length));
      // The authority receives the client assertion or secret: checked before any credential is built (IM-1).
      const authority = validateAuthorityHost(opts.authorityHost, opts.allowedAuthorityHosts ?? []);
      checkTransportOptions(opts.clientOptions, "clientOptions", opts.allowCustomHttpClient === true);
      checkCredentialConfiguration(opts);
      this.#allowCustomHttpClient = opts.allowCustomHttpClient === true;
      this.#endpoint = endpoint.origin;
      this.#target = { hostname: endpoint.hostname, port: endpoint.port };
      this.#clientOptions = { ...(opts.clientOptions ?? {}) };
      const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
        throw new TypeError("timeoutMs must be a number of milliseconds ≥ 0 (0 = no bound).");
      }
      this.#timeoutMs = timeoutMs;
      this.#posture = checkPostureOption(opts.posture);
      const { additionalPolicies: _policies, httpClient: customHttpClient, ...credentialClientOptions } = this.#clientOptions;
      this.#credentialTransport = createCredentialTransport(
        customHttpClient ?? sharedDefaultHttpClient(),
        timeoutMs,
        (error) => this.#record("refuse", "failure", [error.control], { level: "error", reason: error.message, error: { code: error.code } }),
        { agent: credentialClientOptions.agent, proxy: proxyConfigured(credentialClientOptions.proxyOptions) },
      );
      // Always explicit, so @azure/identity never falls back to AZURE_AUTHORITY_HOST from process.env.
      const disableInstanceDiscovery = opts.disableInstanceDiscovery ?? !authority.microsoft;
      const credentialOptions = {
        ...credentialClientOptions,
        httpClient: this.#credentialTransport,
        authorityHost: authority.origin,
        disableInstanceDiscovery,
        ...(opts.sendCertificateChain !== undefined ? { sendCertificateChain: opts.sendCertificateChain } : {}),
      };
      const resolved = resolveCredential(
        {
          tenantId: opts.tenantId,
          clientId: opts.clientId,
          certificate: opts.certificate,
          clientSecret: opts.clientSecret,
          allowSecretFallback: opts.allowSecretFallback,
          workloadIdentity: opts.workloadIdentity,
          managedIdentity: opts.managedIdentity,
          credential,
        },
        credentialOptions,
        {
          rotated: (loaded) => {
            this.#thumbprint = loaded.thumbprint;
            this.#recorder.setPrincipal({ certificateThumbprint: loaded.thumbprint });
            this.#record("credential.rotate", "success", ["IM-3"], { level: loaded.warnings.length > 0 ? "warn" : "info", ...(loaded.warnings.length > 0 ? { reason: loaded.warnings.join(" ") } : {}) });
          },
          rotationFailed: (code, reason) => {
            this.#record("credential.rotate", "failure", ["IM-3"], { reason: `${reason} The previous certificate stays in use.`, error: { code, message: reason } });
          },
        },
      );
      this.#credentialType = resolved.type;
      this.#thumbprint = resolved.certificate?.thumbprint;
      this.#recorder.setPrincipal({
        credentialType: resolved.type,
        ...(resolved.certificate !== undefined ? { certificateThumbprint: resolved.certificate.thumbprint } : {}),
      });
      this.#credential = new SharedTokenCredential(resolved.credential, {
        acquired: (token: AccessToken, scopes: string[]) =>
          this.#record("token.acquire", "success", ["IM-1", "IM-3"], { token: { expiresOn: new Date(token.expiresOnTimestamp).toISOString(), scope: scopes.join(" ") || ACS_TOKEN_SCOPE } }),
        failed: (error: unknown) =>
          this.#record("token.acquire", "failure", ["IM-1", "IM-3"], { reason: "Microsoft Entra ID did not issue a token.", error: describeError(error) }),
      }, timeoutMs, resolved.type === "external" ? undefined : () => this.#credentialTransport.abortAll());
      const secretFallback = resolved.type === "secret";
      const usesAuthority = resolved.type === "certificate" || resolved.type === "workload-identity" || resolved.type === "secret";
      const authorityNote =
        usesAuthority && !authority.microsoft
          ? `Authority ${authority.hostname} is not a Microsoft cloud login host; it is allowed by allowedAuthorityHosts${disableInstanceDiscovery ? " and instance discovery is off" : ""}.`
          : undefined;
      const reason = [secretFallback ? (resolved.warnings[0]?.reason ?? "client secret fallback") : undefined, authorityNote].filter((r) => r !== undefined).join(" ");
      this.#record("credential.resolve", "success", ["IM-1", "IM-3"], {
        level: secretFallback ? "warn" : "info",
        ...(reason.length > 0 ? { reason } : {}),
        ...(resolved.certificate !== undefined ? { certificate: { notAfter: resolved.certificate.notAfter.toISOString(), daysRemaining: resolved.certificate.daysRemaining } } : {}),
      });
      this.#releaseBackstop = registerWireBackstop(this.#target, (error) =>
        this.#record("refuse", "failure", [error.control], { level: "error", reason: error.message, error: { code: error.code } }),
      );
      for (const warning of secretFallback ? resolved.warnings.slice(1) : resolved.warnings) {
        this.#record("config.warning", "success", warning.controls, { level: "warn", reason: warning.reason });
      }
      if (customHttpClient !== undefined) this.#customTransportWarning("clientOptions.httpClient");
      if (credentialClientOptions.agent !== undefined && !isStockHttpsAgent(credentialClientOptions.agent)) this.#customTransportWarning("clientOptions.agent");
    } catch (error) {
      this.#refused(error);
      // The factory is never handed out: release the log (the refuse record is already written).
      void this.#recorder.close();
      throw error;
    }
  }

  /**
   * Builds a factory from the environment: AZURE_COMMUNICATION_ENDPOINT, AZURE_TENANT_ID, AZURE_CLIENT_ID,
   * AZURE_CLIENT_CERTIFICATE_PATH, AZURE_CLIENT_CERTIFICATE_PASSWORD, AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_SECRET,
   * AZURE_COMMUNICATION_USE_MANAGED_IDENTITY, AZURE_AUTHORITY_HOST, AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS,
   * AZURE_CLIENT_SEND_CERTIFICATE_CHAIN. `overrides` win over the environment. Key material found in other
   * variables (connection strings, access keys) is reported by name in a `config.warning` audit record.
   */
  static fromEnvironment(overrides: Partial<AcsClientFactoryOptions> = {}, env: NodeJS.ProcessEnv = process.env): AcsClientFactory {
    overrides = snapshotIfObject(overrides);
    const e = readEnvironment(env);
    const fromEnv: Partial<AcsClientFactoryOptions> = credentialOptionsFromEnvironment(e);
    const options = { ...fromEnv, ...overrides } as AcsClientFactoryOptions;
    // A credential chosen in code replaces whatever the environment configures (unless the overrides set it too).
    if (overrides.credential !== undefined || overrides.managedIdentity !== undefined) {
      for (const key of ["certificate", "clientSecret", "workloadIdentity", "managedIdentity"] as const) {
        if (overrides[key] === undefined) delete options[key];
      }
    }
    const factory = new AcsClientFactory(options);
    if (e.keyMaterialVariables.length > 0) {
      factory.#record("config.warning", "success", ["IM-1", "IM-8"], {
        level: "warn",
        reason: "ACS key material (connection strings or access keys) is present in the environment; it is not used. Remove it and disable local auth on the resource.",
        variables: e.keyMaterialVariables,
      });
    }
    return factory;
  }

  /** The kind of credential in use. */
  get credentialType(): CredentialType {
    return this.#credentialType;
  }

  /** The one TokenCredential shared by every client of this factory (tokens are shared and refreshed ahead of expiry). */
  get credential(): TokenCredential {
    return this.#credential;
  }

  /** The endpoint clients are built for (`https://host[:port]`). */
  get endpoint(): string {
    return this.#endpoint;
  }

  /** An SmsClient with the guard and the audit policy. */
  createSmsClient(options?: CommonClientOptions): SmsClient {
    return this.createClient(SmsClient, options);
  }

  /** A CommunicationIdentityClient with the guard and the audit policy. */
  createIdentityClient(options?: CommonClientOptions): CommunicationIdentityClient {
    return this.createClient(CommunicationIdentityClient, options);
  }

  /**
   * A ChatClient for a Communication Services user (needs the optional peer `@azure/communication-chat`): this
   * factory's identity client mints the user's `chat` token and mints it again once it has expired; the client (and
   * every ChatThreadClient it hands out) carries the request guard and the audit policies; each mint is audited
   * (`user-token.issue`, `user-token.refresh`), never the token. See docs/factory.md.
   * @param user - `{ communicationUserId }` from `CommunicationIdentityClient.createUser`, or its raw ID `8:acs:…`
   * @throws TypeError for another kind of user; RangeError for `tokenExpiresInMinutes` outside 60–1440; Error when
   * `@azure/communication-chat` is not installed; BaselineViolationError as {@link AcsClientFactory.createClient}.
   */
  createChatClient(user: ChatUser, options?: CreateChatClientOptions): ChatClient {
    if (this.#closed) throw new Error(CLOSED);
    const parts = {
      createIdentityClient: () => this.createIdentityClient(),
      createClient: <C, O extends object>(ClientClass: AcsClientConstructor<C, O>, opts?: O) => this.createClient(ClientClass, opts),
      record: (event: Parameters<AuditRecorder["write"]>[0]) => this.#recorder.write(event),
    };
    return createChatClient(parts, user, options);
  }

  /**
   * Any ACS client whose constructor takes `(endpoint, TokenCredential, options)` (EmailClient, RoomsClient,
   * PhoneNumbersClient, CallAutomationClient, …), with the guard and the audit policy installed.
   * @throws BaselineViolationError CONNECTION_STRING_REFUSED for a connection string in `options`;
   * CUSTOM_TRANSPORT_REFUSED for an `httpClient` in `options` without `allowCustomHttpClient`;
   * TLS_VERIFICATION_DISABLED for `tlsOptions` or an `agent` that switch certificate verification off; KEY_AUTH_BLOCKED
   * when the guard cannot be installed on every pipeline found in the client (the client is then not handed out);
   * USE_CREATE_CHAT_CLIENT for ChatClient and ChatThreadClient (use {@link AcsClientFactory.createChatClient}).
   */
  createClient<TClient, TOptions extends object = CommonClientOptions>(
    ClientClass: AcsClientConstructor<TClient, TOptions>,
    options?: TOptions,
  ): TClient {
    if (this.#closed) throw new Error(CLOSED);
    const name = clientName(ClientClass);
    try {
      if (typeof ClientClass !== "function") throw new TypeError("createClient needs an ACS client class.");
      assertNotChatClient(ClientClass);
      // Read once: the checks below and the client see the same options.
      const opts = snapshotIfObject(options);
      assertNoConnectionString(opts, "options");
      checkTransportOptions(opts, "options", this.#allowCustomHttpClient);
      if ((opts as CommonClientOptions | undefined)?.httpClient !== undefined) this.#customTransportWarning("options.httpClient", name);
      const ownAgent = (opts as CommonClientOptions | undefined)?.agent;
      if (ownAgent !== undefined && !isStockHttpsAgent(ownAgent)) this.#customTransportWarning("options.agent", name);
      const merged = { ...this.#clientOptions, ...(opts ?? {}) } as CommonClientOptions & Record<string, unknown>;
      const onBlocked = (error: BaselineViolationError) =>
        this.#record("refuse", "failure", [error.control], { reason: error.message, error: { code: error.code }, client: name });
      const clientType = clientTypeOfClass(name);
      if (clientType !== undefined) this.#clientTypes.add(clientType);
      const clientOptions = {
        ...merged,
        httpClient: guardHttpClient(merged.httpClient ?? sharedDefaultHttpClient(), this.#target, onBlocked, this.#timeoutMs, {
          agent: merged.agent,
          proxy: proxyConfigured(merged.proxyOptions),
        }),
        additionalPolicies: [
          ...(this.#posture !== undefined ? [{ policy: this.#postureGatePolicy(onBlocked), position: "perCall" as const }] : []),
          ...(merged.additionalPolicies ?? []),
          ...(this.#audited ? [{ policy: createAuditPolicy(this.#recorder, name), position: "perRetry" as const }] : []),
          { policy: createRequestGuardPolicy(this.#target, onBlocked), position: "perRetry" as const },
        ],
      };
      // Some clients (RoomsClient) read their opts from the second argument when it is not a key credential:
      // the credential handed to every client therefore also carries the opts.
      const shared = this.#credential;
      const credentialWithOptions: TokenCredential = Object.assign(Object.create(null) as object, clientOptions, {
        getToken: shared.getToken.bind(shared),
      });
      const client = new ClientClass(this.#endpoint, credentialWithOptions, clientOptions as unknown as TOptions);
      const pipelines = pipelinesOf(client);
      if (pipelines.length === 0 || !pipelines.every((p) => p.getOrderedPolicies().some((policy) => policy.name === REQUEST_GUARD_POLICY_NAME))) {
        throw new BaselineViolationError(
          "KEY_AUTH_BLOCKED",
          `The request guard could not be installed on ${name}, so the client is not handed out. Use a client whose constructor takes (endpoint, TokenCredential, opts).`,
        );
      }
      this.#record("client.create", "success", ["IM-1", "DP-3"], { client: name });
      return client;
    } catch (error) {
      this.#refused(error, name);
      throw error;
    }
  }

  /**
   * Checks the resource's posture now (the `posture` option's resource and ARM endpoint, this factory's credential,
   * TLS opts and endpoint) and writes one `posture.check` audit record per check. The result is what
   * {@link checkPosture} returns; in `enforce` mode a passing `local-auth-disabled` opens the clients for `maxAgeMs`.
   * @throws TypeError when the factory has no `posture` option.
   */
  async checkPosture(): Promise<PostureResult> {
    if (this.#posture === undefined) throw new TypeError("This AcsClientFactory has no posture option: pass posture: { resourceId, mode }.");
    this.#postureRun ??= this.#runPosture(this.#posture).finally(() => {
      this.#postureRun = undefined;
    });
    return this.#postureRun;
  }

  async #runPosture(posture: FactoryPostureOptions & { maxAgeMs: number }): Promise<PostureResult> {
    const result = await checkPosture({
      resourceId: posture.resourceId,
      ...(posture.armEndpoint !== undefined ? { armEndpoint: posture.armEndpoint } : {}),
      endpoint: this.#endpoint,
      clients: posture.clients ?? [...this.#clientTypes],
      credential: this.#credential,
      clientOptions: this.#clientOptions,
      allowCustomHttpClient: this.#allowCustomHttpClient,
      ...(this.#principal.tenantId !== undefined ? { tenantId: this.#principal.tenantId } : {}),
      ...(this.#principal.clientId !== undefined ? { clientId: this.#principal.clientId } : {}),
      ...(this.#timeoutMs > 0 ? { timeoutMs: this.#timeoutMs } : {}),
    });
    for (const check of result.checks) {
      const failing = check.status === "fail";
      this.#record("posture.check", check.status === "pass" ? "success" : "failure", check.control !== null ? [check.control] : [], {
        level: check.status === "pass" ? "info" : failing && posture.mode === "enforce" ? "error" : "warn",
        reason: `${check.title}: ${check.evidence}`,
        posture: { check: check.id, status: check.status, resourceId: result.resourceId },
      });
    }
    this.#postureResult = { result, at: Date.now() };
    return result;
  }

  /** Enforce: wait for a fresh passing `local-auth-disabled` or refuse; warn: refresh in the background. */
  #postureGatePolicy(onBlocked: (error: BaselineViolationError) => void): PipelinePolicy {
    return {
      name: "acsBaselinePostureGate",
      sendRequest: async (request, next) => {
        const posture = this.#posture as FactoryPostureOptions & { maxAgeMs: number };
        const cached = this.#postureResult;
        const fresh = cached !== undefined && Date.now() - cached.at < posture.maxAgeMs;
        if (posture.mode === "warn") {
          if (!fresh && this.#postureRun === undefined) void this.checkPosture().catch(() => undefined);
          return next(request);
        }
        const passed = (r: PostureResult | undefined) => r?.checks.some((c) => c.id === "local-auth-disabled" && c.status === "pass") === true;
        // Only a pass is reused: after a failure every request checks again, so the PATCH takes effect at once.
        let result = fresh && passed(cached.result) ? cached.result : undefined;
        if (result === undefined) {
          try {
            result = await this.checkPosture();
          } catch (error) {
            const refused = new BaselineViolationError(
              "LOCAL_AUTH_ENABLED",
              `Posture enforce mode: the resource's posture could not be checked (${error instanceof Error ? error.message.slice(0, 200) : "error"}), so nothing is sent (fail closed).`,
            );
            onBlocked(refused);
            throw refused;
          }
        }
        if (!passed(result)) {
          const check = result.checks.find((c) => c.id === "local-auth-disabled");
          const refused = new BaselineViolationError(
            "LOCAL_AUTH_ENABLED",
            check?.status === "unknown"
              ? `Posture enforce mode: whether local auth is disabled on ${result.resourceId} could not be verified (${check.evidence}) Nothing is sent until ARM confirms it (fail closed).`
              : `Posture enforce mode: local (access-key) authentication is enabled on ${result.resourceId}, so a leaked key gets past every client-side check. Nothing is sent until disableLocalAuth is true. ${check?.remediation ?? ""}`.trim(),
          );
          onBlocked(refused);
          throw refused;
        }
        return next(request);
      },
    };
  }

  /**
   * Aborts token fetches still in flight (their callers get an AbortError), flushes the audit log and writes its
   * final `log.close` record. No timer or socket of the factory keeps the process alive afterwards. Clients already
   * created keep working (a later request fetches a new token).
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#releaseBackstop?.();
    this.#releaseBackstop = undefined;
    this.#credential.close();
    await this.#recorder.close();
  }

  /** A secret-free summary. */
  toJSON(): Record<string, unknown> {
    return {
      endpoint: this.#endpoint,
      credentialType: this.#credentialType,
      ...this.#principal,
      ...(this.#thumbprint !== undefined ? { certificateThumbprint: this.#thumbprint } : {}),
    };
  }

  /** @internal */
  [inspect.custom](): string {
    return `AcsClientFactory ${inspect(this.toJSON())}`;
  }

  #record(
    action: "credential.resolve" | "credential.rotate" | "client.create" | "token.acquire" | "refuse" | "config.warning" | "posture.check",
    outcome: "success" | "failure",
    controls: readonly BaselineControlId[],
    extra: Omit<Parameters<AuditRecorder["write"]>[0], "action" | "outcome" | "controls"> = {},
  ): void {
    this.#recorder.write({ action, outcome, controls, ...extra });
  }

  #customTransportWarning(where: string, client?: string): void {
    this.#record("config.warning", "success", ["IM-1", "DP-3"], {
      level: "warn",
      reason: `A caller-supplied transport (${where}) is in use because allowCustomHttpClient is true. It runs after the request guard and can change where and how requests are sent: the request guard's wire guarantees do not hold for it.`,
      ...(client !== undefined ? { client } : {}),
    });
  }

  #refused(error: unknown, client?: string): void {
    if (!isBaselineViolationError(error)) return;
    this.#record("refuse", "failure", [error.control], {
      level: "error",
      reason: error.message,
      error: { code: error.code },
      ...(client !== undefined ? { client } : {}),
    });
  }
}

function checkPostureOption(option: FactoryPostureOptions | undefined): (FactoryPostureOptions & { maxAgeMs: number }) | undefined {
  if (option === undefined) return undefined;
  if (typeof option !== "object" || option === null) throw new TypeError("posture must be { resourceId, mode: \"warn\" | \"enforce\", armEndpoint?, maxAgeMs? }.");
  parseAcsResourceId(option.resourceId);
  if (option.armEndpoint !== undefined) parseArmEndpoint(option.armEndpoint);
  if (option.mode !== "warn" && option.mode !== "enforce") throw new TypeError('posture.mode must be "warn" or "enforce".');
  const maxAgeMs = option.maxAgeMs ?? DEFAULT_POSTURE_MAX_AGE_MS;
  if (typeof maxAgeMs !== "number" || !Number.isFinite(maxAgeMs) || maxAgeMs < 0) throw new TypeError("posture.maxAgeMs must be a number of milliseconds ≥ 0.");
  return { ...option, maxAgeMs };
}

/**
 * The client class's name for messages and records: as written when it is an identifier of at most 64 characters
 * that the audit log's redaction leaves alone, otherwise `AcsClient` (a name is caller text and could hold a key).
 */
function clientName(ClientClass: unknown): string {
  const name: unknown = typeof ClientClass === "function" ? ClientClass.name : undefined;
  return typeof name === "string" && /^[A-Za-z_$][\w$]{0,63}$/.test(name) && scrubText(name) === name ? name : "AcsClient";
}

let defaultHttpClient: HttpClient | undefined;
/**
 * One default HttpClient for every client the factories build, as core-client shares one across all Azure SDK clients
 * (its agents are keyed by TLS settings, so clients with different `tlsOptions` still get their own connections):
 * clients of one endpoint reuse warm keep-alive connections instead of each opening its own.
 */
function sharedDefaultHttpClient(): HttpClient {
  defaultHttpClient ??= createDefaultHttpClient();
  return defaultHttpClient;
}

function describeError(error: unknown): { code?: string; message?: string } {
  if (typeof error !== "object" || error === null) return { code: "UnknownError" };
  const e = error as { name?: unknown; code?: unknown; errorResponse?: { error?: unknown; errorDescription?: unknown }; statusCode?: unknown };
  const code =
    typeof e.errorResponse?.error === "string" ? e.errorResponse.error : typeof e.code === "string" ? e.code : typeof e.name === "string" ? e.name : "Error";
  const aadsts = typeof e.errorResponse?.errorDescription === "string" ? /AADSTS\d+/.exec(e.errorResponse.errorDescription)?.[0] : undefined;
  return {
    code: code.slice(0, 64),
    message: `Token request failed (${[code, aadsts, typeof e.statusCode === "number" ? `HTTP ${e.statusCode}` : undefined].filter(Boolean).join(", ")}).`,
  };
}
