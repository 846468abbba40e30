/**
 * The factory's pipeline room: what one client gets. The guarded HttpClient, the error scrubber, the posture gate, the caller's policies,
 * the audit policy and the request guard, in that order; the credential handed to the client; and the check that the
 * guard sits on every pipeline the client holds, before the client is handed out.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { CommonClientOptions } from "@azure/core-client";
import type { HttpClient, PipelinePolicy } from "@azure/core-rest-pipeline";
import { createDefaultHttpClient } from "@azure/core-rest-pipeline";
import { createAuditPolicy } from "../audit/write/auditPolicy.js";
import type { AuditRecorder } from "../audit/write/recorder.js";
import { BaselineViolationError } from "../errors.js";
import type { GuardTarget } from "../guard/requestGuard.js";
import {
  REQUEST_GUARD_POLICY_NAME,
  createRequestGuardPolicy,
  guardHttpClient,
  sealedTlsSettings,
} from "../guard/requestGuard.js";
import type { PostureResult } from "../posture/types.js";
import { scrubText } from "../text/scrub.js";
import { checkPosture, type CheckPostureOptions } from "../posture/checkPosture.js";
import type { PostureClientType } from "../posture/types.js";
import { snapshotIfObject } from "../guard/optionSnapshot.js";
import { assertNoConnectionString } from "../guard/optionStrings.js";
import { checkTransportOptions, isStockHttpsAgent } from "../guard/transportOptions.js";
import type { FactoryConfiguration, ValidatedPostureOptions } from "./factoryOptions.js";
import { proxyConfigured } from "../guard/proxyAgent.js";
import { createErrorScrubPolicy } from "./errorScrubPolicy.js";
import { withSecretsHidden } from "../guard/tlsValueCopy.js";

/** Deepest nesting searched for pipelines in a client (upstream clients keep theirs 1–3 levels deep). */
const PIPELINE_SEARCH_DEPTH = 8;
const PIPELINE_SEARCH_NODES = 5_000;

type Pipeline = { getOrderedPolicies(): PipelinePolicy[] };

/** The own data properties of `value` (string and Symbol keys, enumerable or not); none when reading them throws. */
function ownValues(value: object): unknown[] {
  let keys: (string | symbol)[];
  try {
    keys = Reflect.ownKeys(value);
  } catch {
    return [];
  }
  const values: unknown[] = [];
  for (const key of keys) {
    try {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor !== undefined && "value" in descriptor) values.push(descriptor.value);
    } catch {
      continue;
    }
  }
  return values;
}

/**
 * Every pipeline reachable from `client` through own properties — enumerable or not, string or Symbol keys — up to
 * {@link PIPELINE_SEARCH_DEPTH} levels. (`#private` fields and closures cannot be seen: the wire backstop covers them.)
 */
function pipelinesOf(client: unknown): Pipeline[] {
  const found: Pipeline[] = [];
  const seen = new Set<object>();
  let nodes = 0;
  const visit = (value: unknown, depth: number): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    if (depth > PIPELINE_SEARCH_DEPTH || nodes++ > PIPELINE_SEARCH_NODES) return;
    seen.add(value);
    if (typeof (value as { getOrderedPolicies?: unknown }).getOrderedPolicies === "function") {
      found.push(value as Pipeline);
      return;
    }
    if (ArrayBuffer.isView(value)) return;
    for (const child of ownValues(value)) visit(child, depth + 1);
  };
  visit(client, 0);
  return found;
}

/**
 * @throws BaselineViolationError KEY_AUTH_BLOCKED when the request guard is not on every pipeline found in `client`
 * (or none is found): the client is then not handed out.
 */
export function assertGuardInstalled(client: unknown, name: string): void {
  const pipelines = pipelinesOf(client);
  const guarded = (p: Pipeline) => p.getOrderedPolicies().some((policy) => policy.name === REQUEST_GUARD_POLICY_NAME);
  if (pipelines.length === 0 || !pipelines.every(guarded)) {
    throw new BaselineViolationError(
      "KEY_AUTH_BLOCKED",
      `The request guard could not be installed on ${name}, so the client is not handed out. Use a client whose constructor takes (endpoint, TokenCredential, opts).`,
    );
  }
}

/**
 * The client class's name for messages and records: as written when it is an identifier of at most 64 characters
 * that the audit log's redaction leaves alone, otherwise `AcsClient` (a name is caller text and could hold a key).
 */
export function clientName(ClientClass: unknown): string {
  const name: unknown = typeof ClientClass === "function" ? ClientClass.name : undefined;
  return typeof name === "string" && /^[A-Za-z_$][\w$]{0,63}$/.test(name) && scrubText(name) === name
    ? name
    : "AcsClient";
}

let defaultHttpClient: HttpClient | undefined;
/**
 * One default HttpClient for every client the factories build, as core-client shares one across all Azure SDK clients
 * (its agents are keyed by TLS settings, so clients with different `tlsOptions` still get their own connections):
 * clients of one endpoint reuse warm keep-alive connections instead of each opening its own.
 */
export function sharedDefaultHttpClient(): HttpClient {
  defaultHttpClient ??= createDefaultHttpClient();
  return defaultHttpClient;
}

/**
 * A `createClient` call's options, read once (the checks and the client see the same copy): no connection string,
 * no caller transport unless allowed (each one allowed is reported through `customTransport`), TLS verification on.
 */
export function readClientOptions(
  options: unknown,
  allowCustomHttpClient: boolean,
  customTransport: (where: string) => void,
): (CommonClientOptions & Record<string, unknown>) | undefined {
  const opts = snapshotIfObject(options) as (CommonClientOptions & Record<string, unknown>) | undefined;
  assertNoConnectionString(opts, "options");
  assertNoCredentialOption(opts);
  checkTransportOptions(opts, "options", allowCustomHttpClient);
  if (opts?.httpClient !== undefined) customTransport("options.httpClient");
  if (opts?.agent !== undefined && !isStockHttpsAgent(opts.agent)) customTransport("options.agent");
  return opts;
}

/**
 * A `credential` in a client's options: the factory hands every client its own Entra credential, so another one there
 * is either a key or SAS credential (refused as such) or a second credential that some client classes would read
 * instead of the factory's.
 * @throws BaselineViolationError KEY_CREDENTIAL_REFUSED, CLIENT_OPTION_NOT_ALLOWED
 */
function assertNoCredentialOption(opts: Record<string, unknown> | undefined): void {
  if (opts === undefined || opts.credential === undefined) return;
  const credential: unknown = opts.credential;
  if (typeof credential !== "object" || credential === null || !("getToken" in credential)) {
    throw new BaselineViolationError(
      "KEY_CREDENTIAL_REFUSED",
      "options.credential is set and is not a Microsoft Entra TokenCredential (an AzureKeyCredential or a SAS credential signs with an access key). Access keys are refused: remove it; the factory passes its own Entra credential to every client.",
    );
  }
  throw new BaselineViolationError(
    "CLIENT_OPTION_NOT_ALLOWED",
    "options.credential is set: the factory passes its own Entra credential to every client, and a second one in the options could be used instead of it. Remove it (to use your own TokenCredential, give it to the factory as its credential option).",
  );
}

const PROXY_SECRETS: ReadonlySet<string> = new Set(["password"]);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** What the pipeline of one client is built from. */
export interface PipelineSettings {
  /** Where the guard lets requests go. */
  target: GuardTarget;
  /** Bound for one request attempt (0 = none). */
  timeoutMs: number;
  /** The audit log; undefined when nothing is recorded (the audit policy is then not installed at all). */
  recorder: AuditRecorder | undefined;
  /** The posture gate; undefined without a `posture` option. */
  gate: PostureGate | undefined;
  /** Called with every refusal before it is thrown (for the audit log). */
  onBlocked: (error: BaselineViolationError) => void;
  /**
   * Whether the client may start long-running operations whose failed status the error scrubber follows (false for
   * SmsClient and CommunicationIdentityClient, whose packages have no poller: their answers are then not looked at).
   */
  pollers: boolean;
}

/**
 * The options one client is constructed with: `merged` (the factory's client options under the call's own) with the
 * guarded HttpClient and the policies: the error scrubber and the gate first (per call), the caller's, then the audit
 * policy and the request guard last (per retry), so the guard sees what is really sent.
 */
export function clientPipelineOptions(
  merged: CommonClientOptions & Record<string, unknown>,
  name: string,
  settings: PipelineSettings,
): CommonClientOptions & Record<string, unknown> {
  const { target, onBlocked } = settings;
  // Constant per client: the TLS settings every request carries, sealed once (the guard knows them by identity).
  // Without tlsOptions none are handed to the client (its pipeline would get one more policy per request); the guard
  // seals such requests with `rejectUnauthorized: true` itself.
  const tlsOptions =
    merged.tlsOptions === undefined || merged.tlsOptions === null ? undefined : sealedTlsSettings(merged.tlsOptions);
  const httpClient = guardHttpClient(
    merged.httpClient ?? sharedDefaultHttpClient(),
    target,
    onBlocked,
    settings.timeoutMs,
    {
      agent: merged.agent,
      proxy: proxyConfigured(merged.proxyOptions),
    },
    tlsOptions,
  );
  return {
    ...merged,
    tlsOptions,
    // Clients keep their options (and the factory hands them to each client's credential object too): the proxy's
    // password prints as [REDACTED].
    ...(isRecord(merged.proxyOptions)
      ? { proxyOptions: withSecretsHidden({ ...merged.proxyOptions }, PROXY_SECRETS) }
      : {}),
    httpClient: settings.gate !== undefined ? settings.gate.httpClient(httpClient, onBlocked) : httpClient,
    additionalPolicies: [
      { policy: createErrorScrubPolicy({ followOperations: settings.pollers }), position: "perCall" as const },
      ...(settings.gate !== undefined
        ? [{ policy: settings.gate.policy(onBlocked), position: "perCall" as const }]
        : []),
      ...(merged.additionalPolicies ?? []),
      ...(settings.recorder !== undefined
        ? [{ policy: createAuditPolicy(settings.recorder, name), position: "perRetry" as const }]
        : []),
      { policy: createRequestGuardPolicy(target, onBlocked), position: "perRetry" as const },
    ],
  };
}

/**
 * The credential handed to a client: the shared credential's `getToken`, carrying the client options too, since some
 * clients (RoomsClient) read their options from the second argument when it is not a key credential.
 */
export function credentialForClient(shared: TokenCredential, clientOptions: object): TokenCredential {
  return Object.assign(Object.create(null) as object, clientOptions, { getToken: shared.getToken.bind(shared) });
}

/**
 * The factory's posture check: the `posture` option's resource and ARM endpoint, the factory's endpoint, shared
 * credential, client options and principal, and the client types it created unless the option names them.
 */
export function postureCheckOptions(
  config: FactoryConfiguration,
  credential: TokenCredential,
  clientTypes: Iterable<PostureClientType>,
): CheckPostureOptions {
  const posture = config.posture!;
  const principal = config.principal;
  return {
    resourceId: posture.resourceId,
    ...(posture.armEndpoint !== undefined ? { armEndpoint: posture.armEndpoint } : {}),
    endpoint: config.endpoint.origin,
    clients: posture.clients ?? [...clientTypes],
    credential,
    clientOptions: config.clientOptions,
    allowCustomHttpClient: config.allowCustomHttpClient,
    ...(principal.tenantId !== undefined ? { tenantId: principal.tenantId } : {}),
    ...(principal.clientId !== undefined ? { clientId: principal.clientId } : {}),
    ...(config.timeoutMs > 0 ? { timeoutMs: config.timeoutMs } : {}),
  };
}

/**
 * The factory's posture gate, or undefined without a `posture` option: each check runs `checkPosture` with
 * {@link postureCheckOptions} and hands the result to `records` (which writes the records) before the gate sees it.
 */
export function factoryPostureGate(
  config: FactoryConfiguration,
  credential: () => TokenCredential,
  clientTypes: Iterable<PostureClientType>,
  records: { postureChecks(result: PostureResult, mode: "warn" | "enforce"): void },
): PostureGate | undefined {
  const posture = config.posture;
  if (posture === undefined) return undefined;
  return new PostureGate(posture, async () => {
    const result = await checkPosture(postureCheckOptions(config, credential(), clientTypes));
    records.postureChecks(result, posture.mode);
    return result;
  });
}

const statusOf = (r: PostureResult | undefined, id: string) => r?.checks.find((c) => c.id === id)?.status;
/** Enforce admits requests only when `local-auth-disabled` and `endpoint-matches` both passed. */
const admitted = (r: PostureResult | undefined) =>
  statusOf(r, "local-auth-disabled") === "pass" && statusOf(r, "endpoint-matches") === "pass";

/**
 * The posture gate of one factory: the last posture result, the check in progress (one at a time), and the step that
 * holds requests back, both as a pipeline policy and inside the client's HttpClient (so removing or replacing the
 * policy changes nothing). Enforce: a request waits for a fresh passing `local-auth-disabled` and `endpoint-matches`
 * or is refused; warn: a stale result is refreshed in the background and requests go on.
 */
export class PostureGate {
  readonly #options: ValidatedPostureOptions;
  readonly #run: () => Promise<PostureResult>;
  /** The last posture result and when it was taken. */
  #last: { result: PostureResult; at: number } | undefined;
  #running: Promise<PostureResult> | undefined;

  /** @param run - one posture check (writes its own records) */
  constructor(options: ValidatedPostureOptions, run: () => Promise<PostureResult>) {
    this.#options = options;
    this.#run = run;
  }

  /** Checks now, or joins the check in progress. */
  check(): Promise<PostureResult> {
    this.#running ??= this.#run()
      .then((result) => {
        this.#last = { result, at: Date.now() };
        return result;
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  /**
   * Whether a request may go now: undefined when it may at once (a fresh pass, or warn mode), else a promise that
   * settles when it may, or rejects with the refusal (reported through `onBlocked` first).
   */
  admit(onBlocked: (error: BaselineViolationError) => void): Promise<void> | undefined {
    const cached = this.#last;
    const fresh = cached !== undefined && Date.now() - cached.at < this.#options.maxAgeMs;
    if (this.#options.mode === "warn") {
      if (!fresh && this.#running === undefined) void this.check().catch(() => undefined);
      return undefined;
    }
    // Only a pass is reused: after a failure every request checks again, so the PATCH takes effect at once.
    if (fresh && admitted(cached.result)) return undefined;
    return this.#checkOrRefuse(onBlocked).then((result) => {
      if (admitted(result)) return;
      const refused = notPassedError(result);
      onBlocked(refused);
      throw refused;
    });
  }

  /** The gate as a pipeline policy (first, per call). */
  policy(onBlocked: (error: BaselineViolationError) => void): PipelinePolicy {
    return {
      name: "acsBaselinePostureGate",
      sendRequest: (request, next) => {
        const wait = this.admit(onBlocked);
        return wait === undefined ? next(request) : wait.then(() => next(request));
      },
    };
  }

  /** The gate inside the HttpClient: the same decision, where no pipeline change can remove it. */
  httpClient(inner: HttpClient, onBlocked: (error: BaselineViolationError) => void): HttpClient {
    return {
      sendRequest: (request) => {
        const wait = this.admit(onBlocked);
        return wait === undefined ? inner.sendRequest(request) : wait.then(() => inner.sendRequest(request));
      },
    };
  }

  async #checkOrRefuse(onBlocked: (error: BaselineViolationError) => void): Promise<PostureResult> {
    try {
      return await this.check();
    } catch (error) {
      const refused = new BaselineViolationError(
        "POSTURE_UNVERIFIED",
        `Posture enforce mode: the resource's posture could not be checked (${scrubText(error instanceof Error ? error.message.slice(0, 200) : "error")}), so nothing is sent (fail closed).`,
      );
      onBlocked(refused);
      throw refused;
    }
  }
}

/**
 * The refusal for a result enforce does not admit: LOCAL_AUTH_ENABLED when ARM says local auth is on;
 * POSTURE_UNVERIFIED when it could not be verified (unknown) or the resource is not the endpoint's.
 */
function notPassedError(result: PostureResult): BaselineViolationError {
  const check = result.checks.find((c) => c.id === "local-auth-disabled");
  const endpoint = result.checks.find((c) => c.id === "endpoint-matches");
  const resourceId = scrubText(result.resourceId);
  if (check?.status === "fail") {
    return new BaselineViolationError(
      "LOCAL_AUTH_ENABLED",
      `Posture enforce mode: local (access-key) authentication is enabled on ${resourceId}, so a leaked key gets past every client-side check. Nothing is sent until disableLocalAuth is true. ${scrubText(check.remediation)}`.trim(),
    );
  }
  if (check?.status !== "pass") {
    return new BaselineViolationError(
      "POSTURE_UNVERIFIED",
      `Posture enforce mode: whether local auth is disabled on ${resourceId} could not be verified (${scrubText(check?.evidence ?? "no result")}) Nothing is sent until ARM confirms it (fail closed).`,
    );
  }
  return new BaselineViolationError(
    "POSTURE_UNVERIFIED",
    `Posture enforce mode: ${resourceId} could not be confirmed as the configured endpoint's resource (${scrubText(endpoint?.evidence ?? "no result")}), so its disableLocalAuth says nothing about the endpoint. Nothing is sent (fail closed); check posture.resourceId and the endpoint.`,
  );
}
