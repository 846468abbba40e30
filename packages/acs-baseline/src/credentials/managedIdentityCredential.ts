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

const API_VERSION = { "app-service": "2019-08-01", imds: "2018-02-01" } as const;

/** `https://x//.default` → `https://x/`: the resource a managed-identity endpoint takes. */
function resourceOf(scopes: string | string[]): string {
  const scope = Array.isArray(scopes) ? scopes[0] : scopes;
  if (typeof scope !== "string" || (Array.isArray(scopes) && scopes.length !== 1)) {
    throw new TypeError("Managed identity takes exactly one scope.");
  }
  return scope.endsWith("/.default") ? scope.slice(0, -"/.default".length) : scope;
}

/** Seconds since the epoch (number or numeric string), or a relative `expires_in`. */
function expiryOf(body: Record<string, unknown>): number | undefined {
  const on = typeof body.expires_on === "string" ? Number(body.expires_on) : body.expires_on;
  if (typeof on === "number" && Number.isFinite(on) && on > 0) return on * 1000;
  const inSeconds = typeof body.expires_in === "string" ? Number(body.expires_in) : body.expires_in;
  if (typeof inSeconds === "number" && Number.isFinite(inSeconds) && inSeconds > 0)
    return Date.now() + inSeconds * 1000;
  return undefined;
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

  /** One token request to the endpoint read at construction. */
  async getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken> {
    const source = this.#source;
    const url = new URL(source.endpoint);
    url.searchParams.set("api-version", API_VERSION[source.kind]);
    url.searchParams.set("resource", resourceOf(scopes));
    if (this.#clientId !== undefined) url.searchParams.set("client_id", this.#clientId);
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
    const response = await this.#transport.sendRequest(request);
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(response.bodyAsText ?? "") as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    const expiresOnTimestamp = body !== undefined ? expiryOf(body) : undefined;
    if (
      response.status !== 200 ||
      body === undefined ||
      typeof body.access_token !== "string" ||
      expiresOnTimestamp === undefined
    ) {
      // The body is not quoted: an endpoint's error text can echo what it was sent.
      throw new Error(
        `The managed identity endpoint (${source.kind}) answered HTTP ${response.status} without a token.`,
      );
    }
    return { token: body.access_token, expiresOnTimestamp, tokenType: "Bearer" };
  }
}
