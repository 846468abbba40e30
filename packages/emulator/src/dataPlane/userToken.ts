/**
 * Communication Services user access tokens: the identity service mints them (`POST /identities/{id}/:issueAccessToken`
 * and `createTokenWithScopes`), chat accepts them. A user token names its user (`skypeid`), its scopes (`acsScope`)
 * and its resource (`resourceId`), is signed by the emulator and expires; chat refuses Entra tokens, expired or revoked
 * user tokens, tokens of another resource and tokens without the `chat` scope. Revocation has the tokens' one-second
 * resolution: a token issued in the same second as a revocation is revoked too (fail closed).
 */
import type { KeyLike } from "jose";
import { SignJWT, errors as joseErrors, jwtVerify } from "jose";
import type { Reply } from "./route.js";
import { problem } from "./route.js";

/** What minting and checking user tokens need from the ACS side. */
export interface UserTokenState {
  verifyKey: KeyLike;
  signingKey: KeyLike;
  resourceId: string;
  identities: Map<string, { revokedBefore: number }>;
  stats: { expiredTokensRefused: number };
  /** When set, user tokens expire after at most this many seconds (tests of the refresh path). */
  userTokenLifetimeSeconds?: () => number | undefined;
}

/** Mints a user access token for `id` with `scopes`, expiring after `minutes` (or the emulator's shorter override). */
export async function mintUserToken(
  state: UserTokenState,
  id: string,
  scopes: readonly string[],
  minutes: number,
): Promise<{ token: string; expiresOn: string }> {
  const now = Math.floor(Date.now() / 1000);
  const override = state.userTokenLifetimeSeconds?.();
  const exp = now + Math.min(minutes * 60, override ?? Number.POSITIVE_INFINITY);
  const token = await new SignJWT({
    skypeid: id.replace(/^8:/, ""),
    scp: 1792,
    csi: String(now),
    acsScope: scopes.join(","),
    resourceId: state.resourceId,
  })
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(exp)
    .sign(state.signingKey);
  return { token, expiresOn: new Date(exp * 1000).toISOString() };
}

/** The verified caller of a user-token request, or the refusal to send. */
export type UserTokenCheck = { userId: string } | { refused: Reply };

function refuse(status: number, code: string, message: string): UserTokenCheck {
  const refused = problem(status, code, message);
  if (status === 401) refused.headers = { ...refused.headers, "www-authenticate": 'Bearer error="invalid_token"' };
  return { refused };
}

/**
 * Checks the `Authorization` header of a chat request: a Bearer user token of this resource, unexpired, not revoked,
 * of a user that exists, with the `chat` scope.
 */
export async function verifyUserToken(
  state: UserTokenState,
  authorization: string,
  scope: string,
): Promise<UserTokenCheck> {
  if (!authorization.startsWith("Bearer ")) {
    return refuse(
      401,
      "Unauthorized",
      "Chat needs a Communication Services user access token (Bearer); access keys are not accepted.",
    );
  }
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(authorization.slice("Bearer ".length).trim(), state.verifyKey, {
      algorithms: ["RS256"],
      requiredClaims: ["exp", "iat", "skypeid", "acsScope", "resourceId"],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      state.stats.expiredTokensRefused++;
      return refuse(401, "InvalidAuthenticationTokenExpired", "The user access token has expired.");
    }
    return refuse(
      401,
      "InvalidAuthenticationToken",
      "The token is not a valid Communication Services user access token.",
    );
  }
  if (payload.aud !== undefined || payload.resourceId !== state.resourceId) {
    return refuse(401, "InvalidAuthenticationTokenAudience", "The user access token was not issued for this resource.");
  }
  const userId = `8:${String(payload.skypeid)}`;
  const identity = state.identities.get(userId);
  if (identity === undefined || (payload.iat as number) <= Math.floor(identity.revokedBefore / 1000)) {
    return refuse(401, "InvalidAuthenticationTokenRevoked", "The user's tokens were revoked or the user was deleted.");
  }
  const scopes = String(payload.acsScope).split(",");
  if (!scopes.includes(scope))
    return refuse(403, "InsufficientScope", `The user access token does not have the '${scope}' scope.`);
  return { userId };
}
