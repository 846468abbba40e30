/**
 * IM-3: managed identity built by the factory (App Service and IMDS): the endpoint and secret header are the ones
 * read at construction ({@link readManagedIdentitySource}), every request goes through the credential transport, and
 * no path of `@azure/identity`'s `ManagedIdentityCredential` (which reads `process.env` at `getToken` time and may
 * switch to a token exchange with its own HttpClient) is taken.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import type { ManagedIdentitySource } from "./managedIdentityEnvironment.js";
import { isRetriable, retryWaitMs, tokenOf } from "./managedIdentityResponse.js";

const API_VERSION = { "app-service": "2019-08-01", imds: "2018-02-01" } as const;

/** `https://x//.default` → `https://x/`: the resource a managed-identity endpoint takes. */
function resourceOf(scopes: string | string[]): string {
  const scope = Array.isArray(scopes) ? scopes[0] : scopes;
  if (typeof scope !== "string" || (Array.isArray(scopes) && scopes.length !== 1)) {
    throw new TypeError("Managed identity takes exactly one scope.");
  }
  return scope.endsWith("/.default") ? scope.slice(0, -"/.default".length) : scope;
}

/** Attempts per token request: one, and up to three more for the failures Microsoft says to retry. */
const MAX_ATTEMPTS = 4;

/**
 * Waits `ms`, or until `signal` aborts. By hand, not `node:timers/promises`: a caller's `abortSignal` is only an
 * `AbortSignalLike` (`aborted` and the listener methods), which Node's timers do not take.
 */
function pause(ms: number, signal: GetTokenOptions["abortSignal"]): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Managed identity on App Service or IMDS, over the factory's credential transport. */
export class FactoryManagedIdentityCredential implements TokenCredential {
  readonly #source: Readonly<Extract<ManagedIdentitySource, { kind: "app-service" | "imds" }>>;
  readonly #clientId: string | undefined;
  readonly #transport: HttpClient;

  /**
   * @param source - the source read at construction
   * @param clientId - a user-assigned identity's client ID; undefined for the system-assigned identity
   * @param transport - the credential transport (pinned to the source's endpoint)
   */
  constructor(
    source: Extract<ManagedIdentitySource, { kind: "app-service" | "imds" }>,
    clientId: string | undefined,
    transport: HttpClient,
  ) {
    this.#source = Object.freeze({ ...source });
    this.#clientId = clientId;
    this.#transport = transport;
  }

  /**
   * A token from the endpoint read at construction: asked again (at most {@link MAX_ATTEMPTS} times in all, after
   * `Retry-After` or a doubling wait) while it answers 429, 5xx, or for IMDS 404 or 410.
   */
  async getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken> {
    const source = this.#source;
    const url = new URL(source.endpoint);
    url.searchParams.set("api-version", API_VERSION[source.kind]);
    url.searchParams.set("resource", resourceOf(scopes));
    if (this.#clientId !== undefined) url.searchParams.set("client_id", this.#clientId);
    for (let attempt = 0; ; attempt++) {
      const response = await this.#send(url, options);
      const token = response.status === 200 ? tokenOf(response.bodyAsText ?? undefined) : undefined;
      if (token !== undefined) return token;
      const last =
        attempt + 1 >= MAX_ATTEMPTS ||
        !isRetriable(source.kind, response.status) ||
        options.abortSignal?.aborted === true;
      if (last) {
        // The body is not quoted: an endpoint's error text can echo what it was sent.
        throw new Error(
          `The managed identity endpoint (${source.kind}) answered HTTP ${response.status} without a token${attempt > 0 ? ` (${attempt + 1} attempts)` : ""}.`,
        );
      }
      await pause(retryWaitMs(response.headers.get("retry-after"), attempt), options.abortSignal);
    }
  }

  /** One request, through the credential transport. */
  #send(url: URL, options: GetTokenOptions) {
    const source = this.#source;
    const headers = createHttpHeaders(
      source.kind === "app-service" ? { "X-IDENTITY-HEADER": source.header } : { Metadata: "true" },
    );
    const request = createPipelineRequest({
      url: url.href,
      method: "GET",
      headers,
      // Plain http only to the local identity endpoint read at construction: the credential transport pins it.
      allowInsecureConnection: url.protocol === "http:",
      ...(options.abortSignal !== undefined ? { abortSignal: options.abortSignal } : {}),
    });
    return this.#transport.sendRequest(request);
  }
}
