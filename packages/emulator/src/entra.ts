/**
 * The Entra ID side of the emulator: a table of routes under `/{tenant}/` — the OpenID configuration here, the OAuth
 * 2.0 client-credentials grant in `entraToken.ts`. Answers with Entra-style errors (AADSTS codes).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson, pathOf } from "./http.js";
import type { EntraOutcome, EntraState } from "./entraState.js";
import { issuerOf, oauthError, sendOAuthError, tokenEndpointOf } from "./entraState.js";
import { handleToken } from "./entraToken.js";

export type { EntraState, TokenResource } from "./entraState.js";
export { ACS_AUDIENCE, ACS_SCOPE, STORAGE_AUDIENCE, STORAGE_SCOPE, issuerOf } from "./entraState.js";

type EntraRoute = (
  req: IncomingMessage,
  res: ServerResponse,
  state: EntraState,
) => EntraOutcome | Promise<EntraOutcome>;

const OPENID_CONFIGURATION = "v2.0/.well-known/openid-configuration";

/** The Entra routes under `/{tenant}/`. */
const ENTRA_ROUTES: ReadonlyMap<string, EntraRoute> = new Map<string, EntraRoute>([
  [OPENID_CONFIGURATION, handleOpenIdConfiguration],
  ["oauth2/v2.0/token", handleToken],
]);

/** Handles one request to the Entra server. Returns the status written (for the request log). */
export async function handleEntra(req: IncomingMessage, res: ServerResponse, state: EntraState): Promise<EntraOutcome> {
  const segments = pathOf(req)
    .split("/")
    .filter((s) => s.length > 0);
  const tenant = segments[0];
  const route = ENTRA_ROUTES.get(segments.slice(1).join("/"));
  if (route === undefined) {
    sendJson(res, 404, {
      error: "not_found",
      error_description: "AADSTS90002: The requested endpoint does not exist.",
    });
    return { status: 404, error: "not_found" };
  }
  if (tenant !== state.tenantId && tenant?.toLowerCase() !== state.tenantId.toLowerCase()) {
    const e = oauthError(400, "invalid_tenant", 90002, `Tenant '${String(tenant).slice(0, 64)}' not found.`);
    sendOAuthError(res, state, e);
    return { status: 400, error: e.error };
  }
  return route(req, res, state);
}

/** `GET /{tenant}/v2.0/.well-known/openid-configuration`. */
function handleOpenIdConfiguration(req: IncomingMessage, res: ServerResponse, state: EntraState): EntraOutcome {
  if (req.method !== "GET") {
    sendJson(res, 405, {
      error: "invalid_request",
      error_description: "AADSTS900561: The endpoint only accepts GET requests.",
    });
    return { status: 405, error: "invalid_request" };
  }
  sendJson(res, 200, openIdConfiguration(state));
  return { status: 200 };
}

/** The tenant's OpenID Connect discovery document. */
function openIdConfiguration(state: EntraState): Record<string, unknown> {
  const base = `${state.authorityHost()}/${state.tenantId}`;
  // architecture: table
  return {
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
  };
}
