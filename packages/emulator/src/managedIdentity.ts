/**
 * An Azure App Service style managed identity endpoint (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, API version
 * 2019-08-01) on loopback, as App Service and Azure Functions provide it: `GET /msi/token?api-version=2019-08-01&
 * resource=…[&client_id=…]` with the `X-IDENTITY-HEADER` secret. It issues the tenant's access tokens for the
 * identity's own client ID, so `@azure/identity`'s unmodified `ManagedIdentityCredential` works against the emulator.
 * The same server answers as IMDS does (`GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…` with
 * `Metadata: true`), for `AZURE_POD_IDENTITY_AUTHORITY_HOST=http://127.0.0.1:PORT`.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { KeyLike } from "jose";
import { SignJWT } from "jose";
import { header, pathOf, queryOf, sendJson } from "./http.js";

/** Options for {@link Emulator.createManagedIdentityEndpoint}. @public */
export interface ManagedIdentityEndpointOptions {
  /** RBAC roles of the identities on the ACS resource. Default `["Communication and Email Service Owner"]`; `[]` gives 403 on ACS. */
  roles?: string[];
  /** Client IDs of user-assigned identities attached besides the system-assigned one. Default: one, generated. */
  userAssignedClientIds?: string[];
}

/** A running managed identity endpoint. @public */
export interface TestManagedIdentity {
  /** `http://127.0.0.1:PORT/msi/token`: the value of `IDENTITY_ENDPOINT`. */
  readonly identityEndpoint: string;
  /** The secret the endpoint requires in `X-IDENTITY-HEADER`: the value of `IDENTITY_HEADER`. */
  readonly identityHeader: string;
  /** Client ID of the system-assigned identity (tokens requested without a client ID). */
  readonly systemAssignedClientId: string;
  /** Client IDs of the user-assigned identities. */
  readonly userAssignedClientIds: readonly string[];
  /** `{ IDENTITY_ENDPOINT, IDENTITY_HEADER }`, as App Service sets them. */
  readonly env: Readonly<Record<"IDENTITY_ENDPOINT" | "IDENTITY_HEADER", string>>;
  /** Tokens requested from this endpoint (successful or not). */
  readonly tokenRequests: number;
}

/** Resources (the `resource` query parameter) the endpoint issues tokens for, and the audience of those tokens. */
const AUDIENCE_BY_RESOURCE: Readonly<Record<string, string>> = Object.freeze({
  "https://communication.azure.com": "https://communication.azure.com",
  "https://communication.azure.com/": "https://communication.azure.com",
});

const API_VERSION = "2019-08-01";
const IMDS_API_VERSION = "2018-02-01";
const IMDS_PATH = "/metadata/identity/oauth2/token";
const DEFAULT_ROLE = "Communication and Email Service Owner";

/** What the endpoint needs from the tenant. */
export interface ManagedIdentityTenant {
  tenantId: string;
  issuer: () => string;
  signingKey: KeyLike;
  tokenLifetimeSeconds: () => number;
  stats: { tokensIssued: number };
}

/** An access token for the managed identity `clientId`, as Entra issues it for `audience`. */
async function signManagedIdentityToken(
  tenant: ManagedIdentityTenant,
  clientId: string,
  audience: string,
  roles: readonly string[],
): Promise<{ accessToken: string; lifetime: number; now: number }> {
  const lifetime = tenant.tokenLifetimeSeconds();
  const now = Math.ceil(Date.now() / 1000);
  const accessToken = await new SignJWT({
    tid: tenant.tenantId,
    appid: clientId,
    azp: clientId,
    oid: clientId,
    roles,
    ver: "2.0",
    idtyp: "app",
  })
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuer(tenant.issuer())
    .setAudience(audience)
    .setSubject(clientId)
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(now + lifetime)
    .setJti(randomUUID())
    .sign(tenant.signingKey);
  return { accessToken, lifetime, now };
}

/** The endpoint's state and its request handler (the caller serves it over http on 127.0.0.1). */
export function createManagedIdentityHandler(
  tenant: ManagedIdentityTenant,
  options: ManagedIdentityEndpointOptions = {},
): {
  identity: Omit<TestManagedIdentity, "identityEndpoint" | "env" | "tokenRequests">;
  counter: { tokenRequests: number };
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<{ status: number; clientId?: string; error?: string }>;
} {
  const identityHeader = randomBytes(24).toString("base64url");
  const headerDigest = createHash("sha256").update(identityHeader).digest();
  const systemAssignedClientId = randomUUID();
  const userAssignedClientIds = [...(options.userAssignedClientIds ?? [randomUUID()])];
  const roles = [...(options.roles ?? [DEFAULT_ROLE])];
  const counter = { tokenRequests: 0 };
  const fail = (res: ServerResponse, status: number, message: string) => {
    // App Service's error shape: { statusCode, message, correlationId }.
    sendJson(res, status, { statusCode: status, message, correlationId: randomUUID() });
    return { status, error: message.slice(0, 64) };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const imds = pathOf(req) === IMDS_PATH;
    if (pathOf(req) !== "/msi/token" && !imds) return fail(res, 404, "Not found.");
    counter.tokenRequests++;
    if (req.method !== "GET") return fail(res, 405, "Only GET is supported.");
    const presented = header(req, imds ? "metadata" : "x-identity-header");
    if (
      imds
        ? presented !== "true"
        : presented === undefined || !timingSafeEqual(headerDigest, createHash("sha256").update(presented).digest())
    ) {
      return fail(
        res,
        imds ? 400 : 401,
        imds ? "Required metadata header not specified." : "The X-IDENTITY-HEADER header is missing or wrong.",
      );
    }
    const query = queryOf(req);
    const version = imds ? IMDS_API_VERSION : API_VERSION;
    if (query.get("api-version") !== version) return fail(res, 400, `api-version must be ${version}.`);
    const resource = query.get("resource") ?? "";
    const audience = AUDIENCE_BY_RESOURCE[resource];
    if (audience === undefined) return fail(res, 400, "The resource is not supported by the emulator.");
    if (query.has("mi_res_id") || query.has("object_id") || query.has("principal_id")) {
      return fail(res, 400, "The emulator selects user-assigned identities by client_id only.");
    }
    const requested = query.get("client_id");
    const clientId = requested === null ? systemAssignedClientId : userAssignedClientIds.find((id) => id === requested);
    if (clientId === undefined)
      return fail(res, 400, "No managed identity with this client_id is assigned to the app.");
    const { accessToken, lifetime, now } = await signManagedIdentityToken(tenant, clientId, audience, roles);
    sendJson(res, 200, {
      access_token: accessToken,
      expires_on: String(now + lifetime),
      resource,
      token_type: "Bearer",
      client_id: clientId,
    });
    tenant.stats.tokensIssued++;
    return { status: 200, clientId };
  };
  return { identity: { identityHeader, systemAssignedClientId, userAssignedClientIds }, counter, handle };
}
