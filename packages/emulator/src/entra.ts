/**
 * The Entra ID side of the emulator: OpenID configuration and the OAuth 2.0 client-credentials grant with real
 * verification of certificate client assertions (RS256/PS256, x5t#S256 or x5t, aud, iss/sub, exp/nbf, jti) and
 * constant-time client-secret comparison. Answers with Entra-style errors (AADSTS codes).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { KeyLike } from "jose";
import { SignJWT, decodeProtectedHeader, errors as joseErrors, importX509, jwtVerify } from "jose";
import type { Application, ApplicationRegistry } from "./applications.js";
import type { OidcIssuerRegistry } from "./federation.js";
import { isFederatedAssertion, verifyFederatedAssertion } from "./federation.js";
import { readBody, sendJson, pathOf } from "./http.js";
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
interface IssuedToken {
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
  [STORAGE_SCOPE, { audience: STORAGE_AUDIENCE, issuer: (state) => `https://sts.windows.net/${state.tenantId}/`, version: "1.0" }],
]);
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

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
function issuedTokenFor(state: EntraState, scope: string): IssuedToken | undefined {
  const fixed = TOKEN_RESOURCES.get(scope);
  if (fixed !== undefined) return fixed;
  const extra = state.tokenResources?.().find((r) => r.scope === scope);
  return extra === undefined ? undefined : { audience: extra.audience, issuer: (st) => issuerOf(st), version: "2.0" };
}

/** Every scope tokens are issued for. */
function acceptedScopes(state: EntraState): string[] {
  return [...TOKEN_RESOURCES.keys(), ...(state.tokenResources?.() ?? []).map((r) => r.scope)];
}

interface OAuthError {
  status: number;
  error: string;
  code: number;
  description: string;
}

const oauthError = (status: number, error: string, code: number, description: string): OAuthError => ({
  status,
  error,
  code,
  description,
});

function sendOAuthError(res: ServerResponse, state: EntraState, e: OAuthError): void {
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

function tokenEndpointOf(state: EntraState): string {
  return `${state.authorityHost()}/${state.tenantId}/oauth2/v2.0/token`;
}

/** Handles one request to the Entra server. Returns the status written (for the request log). */
export async function handleEntra(
  req: IncomingMessage,
  res: ServerResponse,
  state: EntraState,
): Promise<{ status: number; clientId?: string; grantType?: string; assertionReused?: boolean; certificateThumbprint?: string; federatedSubject?: string; error?: string }> {
  const path = pathOf(req);
  const segments = path.split("/").filter((s) => s.length > 0);
  const tenant = segments[0];
  const rest = segments.slice(1).join("/");
  const knownRoute = rest === "v2.0/.well-known/openid-configuration" || rest === "oauth2/v2.0/token";
  if (!knownRoute) {
    sendJson(res, 404, { error: "not_found", error_description: "AADSTS90002: The requested endpoint does not exist." });
    return { status: 404, error: "not_found" };
  }
  if (tenant !== state.tenantId && tenant?.toLowerCase() !== state.tenantId.toLowerCase()) {
    const e = oauthError(400, "invalid_tenant", 90002, `Tenant '${String(tenant).slice(0, 64)}' not found.`);
    sendOAuthError(res, state, e);
    return { status: 400, error: e.error };
  }
  if (rest === "v2.0/.well-known/openid-configuration") {
    if (req.method !== "GET") {
      sendJson(res, 405, { error: "invalid_request", error_description: "AADSTS900561: The endpoint only accepts GET requests." });
      return { status: 405, error: "invalid_request" };
    }
    const base = `${state.authorityHost()}/${state.tenantId}`;
    sendJson(res, 200, {
      token_endpoint: state.metadataTokenEndpoint ?? tokenEndpointOf(state),
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: issuerOf(state),
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${base}/openid/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "tid"],
      tenant_region_scope: "WW",
      cloud_instance_name: "localhost",
    });
    return { status: 200 };
  }
  // Token endpoint.
  state.stats.tokenRequests++;
  if (req.method !== "POST") {
    const e = oauthError(405, "invalid_request", 900561, "The endpoint only accepts POST requests.");
    sendOAuthError(res, state, e);
    return { status: e.status, error: e.error };
  }
  const body = await readBody(req);
  if (body === undefined) {
    const e = oauthError(413, "invalid_request", 90020, "The request body is too large.");
    sendOAuthError(res, state, e);
    return { status: e.status, error: e.error };
  }
  const contentType = (req.headers["content-type"] ?? "").toLowerCase();
  if (!contentType.startsWith("application/x-www-form-urlencoded")) {
    const e = oauthError(400, "invalid_request", 900144, "The request body must be application/x-www-form-urlencoded.");
    sendOAuthError(res, state, e);
    return { status: e.status, error: e.error };
  }
  let form: URLSearchParams;
  try {
    form = new URLSearchParams(body);
  } catch {
    const e = oauthError(400, "invalid_request", 900144, "The request body could not be parsed.");
    sendOAuthError(res, state, e);
    return { status: e.status, error: e.error };
  }
  const grantType = form.get("grant_type") ?? undefined;
  const clientId = form.get("client_id") ?? undefined;
  const result = await issueToken(form, state);
  if ("error" in result) {
    sendOAuthError(res, state, result);
    return {
      status: result.status,
      error: result.error,
      ...(grantType !== undefined ? { grantType: grantType.slice(0, 64) } : {}),
      ...(clientId !== undefined ? { clientId: clientId.slice(0, 64) } : {}),
    };
  }
  sendJson(res, 200, {
    token_type: "Bearer",
    expires_in: result.lifetime,
    ext_expires_in: result.lifetime,
    access_token: result.accessToken,
  });
  state.stats.tokensIssued++;
  return {
    status: 200,
    clientId: result.app.clientId,
    grantType: "client_credentials",
    ...(result.assertionReused !== undefined ? { assertionReused: result.assertionReused } : {}),
    ...(result.thumbprint !== undefined ? { certificateThumbprint: result.thumbprint } : {}),
    ...(result.federatedSubject !== undefined ? { federatedSubject: result.federatedSubject.slice(0, 256) } : {}),
  };
}

interface Issued {
  app: Application;
  accessToken: string;
  lifetime: number;
  assertionReused?: boolean;
  thumbprint?: string;
  federatedSubject?: string;
}

async function issueToken(form: URLSearchParams, state: EntraState): Promise<Issued | OAuthError> {
  const grantType = form.get("grant_type");
  if (grantType === null) return oauthError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.");
  if (grantType !== "client_credentials") {
    return oauthError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type; only client_credentials is supported by the emulator.");
  }
  const clientId = form.get("client_id");
  if (clientId === null || clientId.length === 0) {
    return oauthError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.");
  }
  const scope = form.get("scope");
  if (scope === null) return oauthError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.");
  const scopes = scope.split(" ").filter((s) => s.length > 0 && s !== "offline_access" && s !== "openid" && s !== "profile");
  const resource = scopes.length === 1 && scopes[0] !== undefined ? issuedTokenFor(state, scopes[0]) : undefined;
  if (resource === undefined) {
    const accepted = acceptedScopes(state).map((s) => `'${s}'`).join(" or ");
    return oauthError(400, "invalid_scope", 70011, `The provided value for the input parameter 'scope' is not valid. The scope must be ${accepted}.`);
  }
  const app = state.applications.get(clientId);
  if (app === undefined) {
    return oauthError(400, "unauthorized_client", 700016, `Application with identifier '${clientId.slice(0, 64)}' was not found in the directory.`);
  }
  const assertion = form.get("client_assertion");
  const secret = form.get("client_secret");
  if (assertion !== null && secret !== null) {
    return oauthError(400, "invalid_request", 90023, "Only one client authentication method may be used.");
  }
  let assertionReused: boolean | undefined;
  let thumbprint: string | undefined;
  let federatedSubject: string | undefined;
  if (assertion !== null) {
    if (form.get("client_assertion_type") !== ASSERTION_TYPE) {
      return oauthError(400, "invalid_request", 50027, `client_assertion_type must be '${ASSERTION_TYPE}'.`);
    }
    if (isFederatedAssertion(assertion, app)) {
      // Workload identity federation: a token from an external issuer, trusted through a federated identity credential.
      const federated = await verifyFederatedAssertion(assertion, app, state.oidcIssuers);
      if ("error" in federated) return oauthError(401, "invalid_client", federated.error.code, federated.error.description);
      federatedSubject = federated.subject;
    } else {
      const checked = await verifyAssertion(assertion, app, state);
      if ("error" in checked) return checked;
      assertionReused = checked.reused;
      thumbprint = checked.thumbprint;
    }
  } else if (secret !== null) {
    if (!app.hasSecret || !app.secretMatches(secret)) {
      return oauthError(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.");
    }
  } else {
    return oauthError(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  const lifetime = state.tokenLifetimeSeconds();
  // Round up: the token must stay valid for at least `expires_in` seconds from the client's point of view.
  const now = Math.ceil(Date.now() / 1000);
  const accessToken = await new SignJWT({
    tid: state.tenantId,
    appid: app.clientId,
    azp: app.clientId,
    oid: app.objectId,
    roles: app.roles,
    ver: resource.version,
  })
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuer(resource.issuer(state))
    .setAudience(resource.audience)
    .setSubject(app.clientId)
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(now + lifetime)
    .setJti(randomUUID())
    .sign(state.signingKey);
  return {
    app,
    accessToken,
    lifetime,
    ...(assertionReused !== undefined ? { assertionReused } : {}),
    ...(thumbprint !== undefined ? { thumbprint } : {}),
    ...(federatedSubject !== undefined ? { federatedSubject } : {}),
  };
}

function base64UrlToHex(value: string): string {
  return Buffer.from(value, "base64url").toString("hex");
}

async function verifyAssertion(
  assertion: string,
  app: Application,
  state: EntraState,
): Promise<{ reused: boolean; thumbprint: string } | OAuthError> {
  const invalid = (code: number, why: string) => oauthError(401, "invalid_client", code, why);
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    return invalid(50012, "The client assertion is not a valid JWT.");
  }
  if (header.alg !== "RS256" && header.alg !== "PS256") {
    return invalid(5002738, "The client assertion must be signed with RS256 or PS256.");
  }
  const x5tS256 = typeof header["x5t#S256"] === "string" ? base64UrlToHex(header["x5t#S256"]) : undefined;
  const x5t = typeof header.x5t === "string" ? base64UrlToHex(header.x5t) : undefined;
  if (x5tS256 === undefined && x5t === undefined) {
    return invalid(700027, "Client assertion failed signature validation. [Reason - The header has no x5t#S256 or x5t thumbprint.]");
  }
  const registered = app.certificates.find((c) => (x5tS256 !== undefined ? c.sha256 === x5tS256 : c.sha1 === x5t));
  if (registered === undefined) {
    return invalid(700027, "Client assertion failed signature validation. [Reason - The key was not found.]");
  }
  let key: KeyLike;
  try {
    key = await importX509(registered.certificate.toString(), header.alg);
  } catch {
    return invalid(700027, "Client assertion failed signature validation. [Reason - The registered key cannot verify this algorithm.]");
  }
  const audiences = [tokenEndpointOf(state), `${tokenEndpointOf(state)}/`, issuerOf(state)];
  let payload: Awaited<ReturnType<typeof jwtVerify>>["payload"];
  try {
    ({ payload } = await jwtVerify(assertion, key, {
      algorithms: [header.alg],
      audience: audiences,
      issuer: app.clientId,
      subject: app.clientId,
      requiredClaims: ["exp", "jti"],
      clockTolerance: 300, // Entra tolerates five minutes of clock skew
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      return invalid(700024, "Client assertion is not within its valid time range (expired).");
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      const claim = error.claim;
      if (claim === "nbf") return invalid(700024, "Client assertion is not within its valid time range (not yet valid).");
      if (claim === "aud") return invalid(700212, "No matching federated identity record found: the client assertion audience is not this token endpoint.");
      if (claim === "iss" || claim === "sub") return invalid(700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
      return invalid(700023, `Client assertion is missing or has an invalid '${claim}' claim.`);
    }
    return invalid(7000274, "Client assertion failed signature validation. [Reason - The signature is invalid.]");
  }
  const jti = String(payload.jti);
  const seenKey = `${app.clientId}\u0000${jti}`;
  const reused = state.seenAssertions.has(seenKey);
  if (reused) state.stats.assertionReuses++;
  else {
    state.seenAssertions.set(seenKey, Number(payload.exp));
    if (state.seenAssertions.size > 10_000) {
      const now = Date.now() / 1000;
      for (const [k, exp] of state.seenAssertions) if (exp < now) state.seenAssertions.delete(k);
    }
  }
  return { reused, thumbprint: registered.sha256 };
}
