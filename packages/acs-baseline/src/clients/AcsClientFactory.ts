/** The only way acs-baseline hands out ACS SDK clients: orchestration of the rooms next to it (docs/architecture.md). */
import { inspect } from "node:util";
import type { TokenCredential } from "@azure/core-auth";
import type { CommonClientOptions } from "@azure/core-client";
import type { SmsClient } from "@azure/communication-sms";
import type { CommunicationIdentityClient } from "@azure/communication-identity";
import { openAuditRecorder, type AuditRecorder } from "../audit/write/recorder.js";
import type { CredentialType } from "../audit/record/events.js";
import type { SharedTokenCredential } from "../credentials/sharedTokenCache.js";
import type { BaselineViolationError } from "../errors.js";
import { registerWireBackstop } from "../guard/wireBackstop.js";
import { clientTypeOfClass } from "../posture/clientNeeds.js";
import type { PostureClientType, PostureResult } from "../posture/types.js";
import {
  assertGuardInstalled,
  clientName,
  clientPipelineOptions,
  credentialForClient,
  factoryPostureGate,
  readClientOptions,
  sharedDefaultHttpClient,
  type PostureGate,
} from "./clientPipeline.js";
import {
  createFactoryCredential,
  credentialSettingsOf,
  shareCredential,
  type FactoryCredential,
} from "./factoryCredential.js";
import { FactoryRecords } from "./factoryRecords.js";
import type { AcsClientConstructor } from "./clientConstructor.js";
import { assertNotChatClient, createChatClient } from "./chatClient.js";
import type { ChatClientLike, ChatUser, CreateChatClientOptions } from "./chatClient.js";
import { identityClientClass, smsClientClass } from "./clientPackages.js";
import {
  factoryOptionsFromEnvironment,
  principalOf,
  readFactoryOptions,
  validateFactoryOptions,
  type AcsClientFactoryOptions,
  type FactoryConfiguration,
} from "./factoryOptions.js";
export type { AcsClientConstructor } from "./clientConstructor.js";

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
  readonly #records: FactoryRecords;
  readonly #config: FactoryConfiguration;
  readonly #credential: SharedTokenCredential;
  readonly #credentialType: CredentialType;
  /** False without audit options: the request policy is then not installed at all. */
  readonly #audited: boolean;
  readonly #gate: PostureGate | undefined;
  readonly #clientTypes = new Set<PostureClientType>();
  #thumbprint: string | undefined;
  #closed = false;
  #releaseBackstop: (() => void) | undefined;

  /** @throws BaselineViolationError when the configuration would break the baseline (see the remarks). */
  constructor(options: AcsClientFactoryOptions) {
    const opts = readFactoryOptions(options);
    // The blob anchor authenticates with this factory's own Entra credential (built below, read when the anchor starts).
    this.#recorder = openAuditRecorder(opts.audit, { credential: () => this.#credential });
    this.#records = new FactoryRecords(this.#recorder);
    this.#audited = opts.audit !== undefined;
    this.#recorder.setPrincipal(principalOf(opts));
    try {
      const config = validateFactoryOptions(opts, {
        endpointValidated: (endpoint) => this.#recorder.setEndpoint(endpoint.origin.slice("https://".length)),
      });
      this.#config = config;
      const records = this.#records;
      this.#gate = factoryPostureGate(config, () => this.#credential, this.#clientTypes, records);
      const built = this.#buildCredential(config);
      const { resolved } = built;
      this.#credentialType = resolved.type;
      this.#thumbprint = resolved.certificate?.thumbprint;
      records.principalResolved(resolved);
      this.#credential = shareCredential(built, config.timeoutMs, records.tokenEvents());
      records.credentialResolved(built, config.authority);
      this.#releaseBackstop = registerWireBackstop(config.target, (error) => records.refusedAtWire(error));
      records.credentialWarnings(resolved);
      records.factoryTransport(config.clientOptions);
    } catch (error) {
      this.#records.refused(error);
      // The factory is never handed out: release the log (the refuse record is already written).
      void this.#recorder.close();
      throw error;
    }
  }

  /**
   * Builds a factory from the environment (the variables of `ENVIRONMENT_VARIABLES`; docs/factory.md lists them);
   * `overrides` win. Key material in other variables is reported by name in a `config.warning` audit record.
   */
  static fromEnvironment(
    overrides: Partial<AcsClientFactoryOptions> = {},
    env: NodeJS.ProcessEnv = process.env,
  ): AcsClientFactory {
    const { options, keyMaterialVariables } = factoryOptionsFromEnvironment(overrides, env);
    const factory = new AcsClientFactory(options);
    if (keyMaterialVariables.length > 0) factory.#records.keyMaterialInEnvironment(keyMaterialVariables);
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

  /** The endpoint clients are built for. */
  get endpoint(): string {
    return this.#config.endpoint.origin;
  }

  /** An SmsClient with the guard and the audit policy (`@azure/communication-sms` loads on the first call). */
  createSmsClient(options?: CommonClientOptions): SmsClient {
    return this.#createClient(smsClientClass(), options, false);
  }

  /** A CommunicationIdentityClient with the guard and the audit policy (its package loads on the first call). */
  createIdentityClient(options?: CommonClientOptions): CommunicationIdentityClient {
    return this.#createClient(identityClientClass(), options, false);
  }

  /**
   * A ChatClient (`createChatClient<ChatClient>(user)` types it) whose user token this factory's identity client mints
   * and re-mints; guarded and audited like every client. @throws TypeError, RangeError, Error: see docs/factory.md.
   */
  createChatClient<TChatClient extends object = ChatClientLike>(
    user: ChatUser,
    options?: CreateChatClientOptions,
  ): TChatClient {
    if (this.#closed) throw new Error("This AcsClientFactory is closed; create a new one.");
    const parts = {
      createIdentityClient: () => this.createIdentityClient(),
      createClient: <C, O extends object>(Client: AcsClientConstructor<C, O>, o?: O) => this.createClient(Client, o),
      record: (event: Parameters<AuditRecorder["write"]>[0]) => this.#recorder.write(event),
      isClosed: () => this.#closed,
    };
    return createChatClient(parts, user, options) as TChatClient;
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
    return this.#createClient(ClientClass, options, true);
  }

  /** {@link AcsClientFactory.createClient}; `pollers: false` for a client class that starts no long-running operation. */
  #createClient<TClient, TOptions extends object>(
    ClientClass: AcsClientConstructor<TClient, TOptions>,
    options: TOptions | undefined,
    pollers: boolean,
  ): TClient {
    if (this.#closed) throw new Error("This AcsClientFactory is closed; create a new one.");
    const name = clientName(ClientClass);
    try {
      if (typeof ClientClass !== "function") throw new TypeError("createClient needs an ACS client class.");
      assertNotChatClient(ClientClass);
      const customTransport = (where: string) => this.#records.customTransport(where, name);
      const opts = readClientOptions(options, this.#config.allowCustomHttpClient, customTransport);
      const clientType = clientTypeOfClass(name);
      if (clientType !== undefined) this.#clientTypes.add(clientType);
      const merged = { ...this.#config.clientOptions, ...(opts ?? {}) };
      const clientOptions = clientPipelineOptions(merged, name, {
        ...this.#config,
        recorder: this.#audited ? this.#recorder : undefined,
        gate: this.#gate,
        onBlocked: this.#records.blockedFor(name),
        pollers,
      });
      const credential = credentialForClient(this.#credential, clientOptions);
      const client = new ClientClass(this.#config.endpoint.origin, credential, clientOptions as unknown as TOptions);
      assertGuardInstalled(client, name);
      this.#records.write("client.create", "success", ["IM-1", "DP-3"], { client: name });
      return client;
    } catch (error) {
      this.#records.refused(error, name);
      throw error;
    }
  }

  /**
   * Checks the resource's posture now (with this factory's credential, TLS options and endpoint) and records each
   * check (`posture.check`); in `enforce` mode a pass opens the clients for `maxAgeMs`.
   * @throws TypeError when the factory has no `posture` option.
   */
  async checkPosture(): Promise<PostureResult> {
    if (this.#gate === undefined)
      throw new TypeError("This AcsClientFactory has no posture option: pass posture: { resourceId, mode }.");
    return this.#gate.check();
  }

  /**
   * Aborts token fetches in flight, flushes the audit log and writes its final `log.close`; nothing of the factory
   * keeps the process alive afterwards. Clients already created keep working (a later request fetches a new token).
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
      endpoint: this.#config.endpoint.origin,
      credentialType: this.#credentialType,
      ...this.#config.principal,
      ...(this.#thumbprint !== undefined ? { certificateThumbprint: this.#thumbprint } : {}),
    };
  }

  /** @internal */
  [inspect.custom](): string {
    return `AcsClientFactory ${inspect(this.toJSON())}`;
  }

  #buildCredential(config: FactoryConfiguration): FactoryCredential {
    const records = this.#records;
    const onBlocked = (error: BaselineViolationError) => records.refusedAtWire(error);
    const transport = { defaultHttpClient: sharedDefaultHttpClient(), timeoutMs: config.timeoutMs, onBlocked };
    const events = records.rotationEvents((loaded) => {
      this.#thumbprint = loaded.thumbprint;
      this.#recorder.setPrincipal({ certificateThumbprint: loaded.thumbprint });
    });
    return createFactoryCredential(credentialSettingsOf(config), transport, events);
  }
}
