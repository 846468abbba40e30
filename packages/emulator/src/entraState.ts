/**
 * The Entra ID emulator's state and vocabulary: the scopes it issues tokens for, the tenant's issuer and token
 * endpoint, and Entra-style OAuth errors (AADSTS codes). The routes (`entra.ts`) and the token endpoint
 * (`entraToken.ts`) share it.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { KeyLike } from "jose";
import type { ApplicationRegistry } from "./applications.js";
import type { OidcIssuerRegistry } from "./federation.js";
import { sendJson } from "./http.js";
import type { RequestLog } from "./requestLog.js";

/** The ACS scope the emulator issues tokens for. @public */
export const ACS_SCOPE = "https://communication.azure.com//.default";
/** Audience of issued access tokens. */
export const ACS_AUDIENCE = "https://communication.azure.com";
/** The Azure Storage scope (audit anchor in Azurite). @public */
export const STORAGE_SCOPE = "https://storage.azure.com/.default";
/** Audience of storage tokens, one of those Azurite's `--oauth basic` accepts. */
export const STORAGE_AUDIENCE = "https://storage.azure.com";

/** The token issued for one accepted scope. */
export interface IssuedToken {
  audience: string;
  /** `iss` of the token. */
  issuer: (state: EntraState) => string;
  /** `ver` claim. */
  version: "1.0" | "2.0";
}

/**
 * Accepted scope → the token it gets. Azure Storage takes v1.0 tokens, whose issuer is `https://sts.windows.net/{tid}/`
 * as in Entra; Azurite's `--oauth basic` checks exactly that issuer prefix, the audience, and nbf/exp/iat (no signature).
 */
const TOKEN_RESOURCES: ReadonlyMap<string, IssuedToken> = new Map<string, IssuedToken>([
  [ACS_SCOPE, { audience: ACS_AUDIENCE, issuer: (state) => issuerOf(state), version: "2.0" }],
  [
    STORAGE_SCOPE,
    { audience: STORAGE_AUDIENCE, issuer: (state) => `https://sts.windows.net/${state.tenantId}/`, version: "1.0" },
  ],
]);
export const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** A resource the emulator issues tokens for: the scope a client asks for and the audience of the token. */
export interface TokenResource {
  scope: string;
  audience: string;
}

export interface EntraState {
  tenantId: string;
  authorityHost: () => string;
  tokenLifetimeSeconds: () => number;
  applications: ApplicationRegistry;
  /** External OIDC issuers trusted for federated client assertions (workload identity federation). */
  oidcIssuers: OidcIssuerRegistry;
  signingKey: KeyLike;
  log: RequestLog;
  stats: { tokenRequests: number; tokensIssued: number; assertionReuses: number };
  /** jti → exp (seconds) of assertions seen, to count reuse. */
  seenAssertions: Map<string, number>;
  /** Resources besides ACS that tokens are issued for (one row each, e.g. the ARM endpoint). */
  tokenResources?: () => readonly TokenResource[];
  /** A `token_endpoint` the OpenID metadata names instead of this server's own (a hostile-metadata test). */
  metadataTokenEndpoint?: string | undefined;
}

/** The token for `scope`: the fixed rows (ACS, Storage), then the state's extra rows (e.g. the ARM endpoint). */
export function issuedTokenFor(state: EntraState, scope: string): IssuedToken | undefined {
  const fixed = TOKEN_RESOURCES.get(scope);
  if (fixed !== undefined) return fixed;
  const extra = state.tokenResources?.().find((r) => r.scope === scope);
  return extra === undefined ? undefined : { audience: extra.audience, issuer: (st) => issuerOf(st), version: "2.0" };
}

/** Every scope tokens are issued for. */
export function acceptedScopes(state: EntraState): string[] {
  return [...TOKEN_RESOURCES.keys(), ...(state.tokenResources?.() ?? []).map((r) => r.scope)];
}

export interface OAuthError {
  status: number;
  error: string;
  code: number;
  description: string;
}

export const oauthError = (status: number, error: string, code: number, description: string): OAuthError => ({
  status,
  error,
  code,
  description,
});

export function sendOAuthError(res: ServerResponse, state: EntraState, e: OAuthError): void {
  sendJson(res, e.status, {
    error: e.error,
    error_description: `AADSTS${e.code}: ${e.description} Trace ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
    error_codes: [e.code],
    timestamp: new Date().toISOString(),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  });
  void state;
}

/** Issuer of tokens issued by this tenant. */
export function issuerOf(state: EntraState): string {
  return `${state.authorityHost()}/${state.tenantId}/v2.0`;
}

export function tokenEndpointOf(state: EntraState): string {
  return `${state.authorityHost()}/${state.tenantId}/oauth2/v2.0/token`;
}

/** What one request to the Entra server did (for the request log). */
export type EntraOutcome = {
  status: number;
  clientId?: string;
  grantType?: string;
  assertionReused?: boolean;
  certificateThumbprint?: string;
  federatedSubject?: string;
  error?: string;
};
