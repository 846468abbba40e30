/**
 * The Entra ID token endpoint: the OAuth 2.0 client-credentials grant with real verification of certificate client
 * assertions (RS256/PS256, x5t#S256 or x5t, aud, iss/sub, exp/nbf, jti), federated assertions and constant-time
 * client-secret comparison.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { KeyLike } from "jose";
import { SignJWT, decodeProtectedHeader, errors as joseErrors, importX509, jwtVerify } from "jose";
import type { Application } from "./applications.js";
import { isFederatedAssertion, verifyFederatedAssertion } from "./federation.js";
import { readBody, sendJson } from "./http.js";
import type { EntraOutcome, EntraState, IssuedToken, OAuthError } from "./entraState.js";
import {
  ASSERTION_TYPE,
  acceptedScopes,
  issuedTokenFor,
  issuerOf,
  oauthError,
  sendOAuthError,
  tokenEndpointOf,
} from "./entraState.js";

/** The form of a token request: a POST with an `application/x-www-form-urlencoded` body of bounded size. */
async function readTokenForm(req: IncomingMessage): Promise<URLSearchParams | OAuthError> {
  if (req.method !== "POST")
    return oauthError(405, "invalid_request", 900561, "The endpoint only accepts POST requests.");
  const body = await readBody(req);
  if (body === undefined) return oauthError(413, "invalid_request", 90020, "The request body is too large.");
  const contentType = (req.headers["content-type"] ?? "").toLowerCase();
  if (!contentType.startsWith("application/x-www-form-urlencoded")) {
    return oauthError(400, "invalid_request", 900144, "The request body must be application/x-www-form-urlencoded.");
  }
  try {
    return new URLSearchParams(body);
  } catch {
    return oauthError(400, "invalid_request", 900144, "The request body could not be parsed.");
  }
}

/** `POST /{tenant}/oauth2/v2.0/token`: the client-credentials grant. */
export async function handleToken(req: IncomingMessage, res: ServerResponse, state: EntraState): Promise<EntraOutcome> {
  state.stats.tokenRequests++;
  const form = await readTokenForm(req);
  if (!(form instanceof URLSearchParams)) {
    sendOAuthError(res, state, form);
    return { status: form.status, error: form.error };
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

/** How the client proved its identity: the certificate's thumbprint and jti reuse, or the federated subject. */
interface ClientProof {
  assertionReused?: boolean;
  thumbprint?: string;
  federatedSubject?: string;
}

interface Issued extends ClientProof {
  app: Application;
  accessToken: string;
  lifetime: number;
}

/** The grant's parameters, checked: the grant type, the client and the one scope asked for. */
function checkGrant(
  form: URLSearchParams,
  state: EntraState,
): { app: Application; resource: IssuedToken } | OAuthError {
  const grantType = form.get("grant_type");
  if (grantType === null)
    return oauthError(
      400,
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'grant_type'.",
    );
  if (grantType !== "client_credentials") {
    return oauthError(
      400,
      "unsupported_grant_type",
      70003,
      "The app requested an unsupported grant type; only client_credentials is supported by the emulator.",
    );
  }
  const clientId = form.get("client_id");
  if (clientId === null || clientId.length === 0) {
    return oauthError(
      400,
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'client_id'.",
    );
  }
  const scope = form.get("scope");
  if (scope === null)
    return oauthError(
      400,
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'scope'.",
    );
  const scopes = scope
    .split(" ")
    .filter((s) => s.length > 0 && s !== "offline_access" && s !== "openid" && s !== "profile");
  const resource = scopes.length === 1 && scopes[0] !== undefined ? issuedTokenFor(state, scopes[0]) : undefined;
  if (resource === undefined) {
    const accepted = acceptedScopes(state)
      .map((s) => `'${s}'`)
      .join(" or ");
    return oauthError(
      400,
      "invalid_scope",
      70011,
      `The provided value for the input parameter 'scope' is not valid. The scope must be ${accepted}.`,
    );
  }
  const app = state.applications.get(clientId);
  if (app === undefined) {
    return oauthError(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId.slice(0, 64)}' was not found in the directory.`,
    );
  }
  return { app, resource };
}

/** Client authentication: exactly one of a client assertion (certificate or federated) and a client secret. */
async function authenticateClient(
  form: URLSearchParams,
  app: Application,
  state: EntraState,
): Promise<ClientProof | OAuthError> {
  const assertion = form.get("client_assertion");
  const secret = form.get("client_secret");
  if (assertion !== null && secret !== null) {
    return oauthError(400, "invalid_request", 90023, "Only one client authentication method may be used.");
  }
  if (assertion !== null) {
    if (form.get("client_assertion_type") !== ASSERTION_TYPE) {
      return oauthError(400, "invalid_request", 50027, `client_assertion_type must be '${ASSERTION_TYPE}'.`);
    }
    if (isFederatedAssertion(assertion, app)) {
      // Workload identity federation: a token from an external issuer, trusted through a federated identity credential.
      const federated = await verifyFederatedAssertion(assertion, app, state.oidcIssuers);
      if ("error" in federated)
        return oauthError(401, "invalid_client", federated.error.code, federated.error.description);
      return { federatedSubject: federated.subject };
    }
    const checked = await verifyAssertion(assertion, app, state);
    if ("error" in checked) return checked;
    return { assertionReused: checked.reused, thumbprint: checked.thumbprint };
  }
  if (secret === null) {
    return oauthError(
      401,
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  if (!app.hasSecret || !app.secretMatches(secret)) {
    return oauthError(
      401,
      "invalid_client",
      7000215,
      "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.",
    );
  }
  return {};
}

/** A signed access token for `app` and `resource`, valid `lifetime` seconds. */
async function signAccessToken(
  state: EntraState,
  app: Application,
  resource: IssuedToken,
  lifetime: number,
): Promise<string> {
  // Round up: the token must stay valid for at least `expires_in` seconds from the client's point of view.
  const now = Math.ceil(Date.now() / 1000);
  return new SignJWT({
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
}

async function issueToken(form: URLSearchParams, state: EntraState): Promise<Issued | OAuthError> {
  const grant = checkGrant(form, state);
  if ("error" in grant) return grant;
  const proof = await authenticateClient(form, grant.app, state);
  if ("error" in proof) return proof;
  const lifetime = state.tokenLifetimeSeconds();
  const accessToken = await signAccessToken(state, grant.app, grant.resource, lifetime);
  return { app: grant.app, accessToken, lifetime, ...proof };
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
    return invalid(
      700027,
      "Client assertion failed signature validation. [Reason - The header has no x5t#S256 or x5t thumbprint.]",
    );
  }
  const registered = app.certificates.find((c) => (x5tS256 !== undefined ? c.sha256 === x5tS256 : c.sha1 === x5t));
  if (registered === undefined) {
    return invalid(700027, "Client assertion failed signature validation. [Reason - The key was not found.]");
  }
  let key: KeyLike;
  try {
    key = await importX509(registered.certificate.toString(), header.alg);
  } catch {
    return invalid(
      700027,
      "Client assertion failed signature validation. [Reason - The registered key cannot verify this algorithm.]",
    );
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
      if (claim === "nbf")
        return invalid(700024, "Client assertion is not within its valid time range (not yet valid).");
      if (claim === "aud")
        return invalid(
          700212,
          "No matching federated identity record found: the client assertion audience is not this token endpoint.",
        );
      if (claim === "iss" || claim === "sub")
        return invalid(700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
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
