/**
 * Workload identity federation in the emulator's tenant: external OpenID Connect issuers (their public keys), the
 * federated identity credentials registered on applications (issuer, subject, audiences), and real verification of
 * a federated client assertion against them (signature with the issuer's keys, iss, sub, aud, exp/nbf), as Entra
 * does for AKS workload identity or GitHub Actions OIDC. Also a test issuer that signs such tokens.
 */
import { randomUUID } from "node:crypto";
import type { JSONWebKeySet, JWTPayload } from "jose";
import {
  SignJWT,
  createLocalJWKSet,
  decodeJwt,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  jwtVerify,
} from "jose";

/** Audience Entra expects in a federated token (the default audience of a federated identity credential). @public */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** A federated identity credential on an application: which external tokens it trusts. @public */
export interface FederatedCredentialRegistration {
  /** Issuer URL of the external identity provider (the token's `iss`), e.g. the AKS cluster's OIDC issuer URL. */
  issuer: string;
  /** The external identity (the token's `sub`), e.g. `system:serviceaccount:NAMESPACE:NAME`. */
  subject: string;
  /** Accepted `aud` values. Default `["api://AzureADTokenExchange"]`. */
  audiences?: string[];
}

/** A federated identity credential as stored. */
export interface FederatedCredential {
  issuer: string;
  subject: string;
  audiences: string[];
}

/** Checks and normalises a registration (https issuer, non-empty subject and audiences). */
export function federatedCredential(registration: FederatedCredentialRegistration): FederatedCredential {
  const { issuer, subject } = registration;
  if (typeof issuer !== "string" || !issuer.startsWith("https://"))
    throw new TypeError("a federated credential needs an https issuer URL");
  if (typeof subject !== "string" || subject.length === 0)
    throw new TypeError("a federated credential needs a subject");
  const audiences = registration.audiences ?? [TOKEN_EXCHANGE_AUDIENCE];
  if (
    !Array.isArray(audiences) ||
    audiences.length === 0 ||
    !audiences.every((a) => typeof a === "string" && a.length > 0)
  ) {
    throw new TypeError("a federated credential's audiences must be non-empty strings");
  }
  return { issuer, subject, audiences: [...audiences] };
}

/**
 * External OIDC issuers the tenant trusts, with their public keys (what Entra would fetch from the issuer's
 * `/.well-known/openid-configuration` and `jwks_uri`; the emulator is given them instead, so nothing leaves the host).
 */
export class OidcIssuerRegistry {
  readonly #issuers = new Map<string, ReturnType<typeof createLocalJWKSet>>();

  register(issuer: string, jwks: JSONWebKeySet): void {
    if (typeof issuer !== "string" || !issuer.startsWith("https://"))
      throw new TypeError("an OIDC issuer is an https URL");
    if (typeof jwks !== "object" || jwks === null || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
      throw new TypeError("an OIDC issuer needs a JSON Web Key Set with at least one key");
    }
    if (jwks.keys.some((k) => "d" in k || "p" in k)) throw new TypeError("register the issuer's public keys only");
    this.#issuers.set(issuer, createLocalJWKSet(jwks));
  }

  keysOf(issuer: string): ReturnType<typeof createLocalJWKSet> | undefined {
    return this.#issuers.get(issuer);
  }
}

/** The parts of an application federation needs. */
export interface FederatedApplication {
  clientId: string;
  federatedCredentials: readonly FederatedCredential[];
}

/** Why a federated assertion was refused: an AADSTS code and its description. */
export interface FederationFailure {
  code: number;
  description: string;
}

/** True when the assertion claims to come from someone other than the application itself (not a certificate assertion). */
export function isFederatedAssertion(assertion: string, app: FederatedApplication): boolean {
  let payload: JWTPayload;
  try {
    payload = decodeJwt(assertion);
  } catch {
    return false;
  }
  return typeof payload.iss === "string" && payload.iss !== app.clientId;
}

/**
 * Verifies a federated client assertion for `app`: an issuer registered on one of its federated credentials, a valid
 * signature by that issuer's keys, an unexpired token, and a subject and audience that one credential accepts.
 */
export async function verifyFederatedAssertion(
  assertion: string,
  app: FederatedApplication,
  issuers: OidcIssuerRegistry,
): Promise<{ issuer: string; subject: string } | { error: FederationFailure }> {
  const fail = (code: number, description: string) => ({ error: { code, description } });
  const iss = decodeJwt(assertion).iss as string;
  const candidates = app.federatedCredentials.filter((c) => c.issuer === iss);
  if (candidates.length === 0) {
    return fail(
      700211,
      "No matching federated identity record found for presented assertion issuer. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.",
    );
  }
  const keys = issuers.keysOf(iss);
  if (keys === undefined) {
    return fail(
      700211,
      "The issuer of the presented assertion has no signing keys registered in the tenant (its OpenID configuration could not be retrieved).",
    );
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(assertion, keys, {
      issuer: iss,
      algorithms: ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"],
      requiredClaims: ["exp", "sub", "aud"],
      clockTolerance: 300,
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired)
      return fail(700024, "Client assertion is not within its valid time range (expired).");
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      if (error.claim === "nbf")
        return fail(700024, "Client assertion is not within its valid time range (not yet valid).");
      return fail(700023, `Client assertion is missing or has an invalid '${error.claim}' claim.`);
    }
    return fail(
      700027,
      "Client assertion failed signature validation. [Reason - The key was not found or the signature is invalid.]",
    );
  }
  const subject = String(payload.sub);
  const bySubject = candidates.filter((c) => c.subject === subject);
  if (bySubject.length === 0) {
    return fail(
      700213,
      "No matching federated identity record found for presented assertion subject. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.",
    );
  }
  const audiences = [payload.aud].flat().filter((a): a is string => typeof a === "string");
  if (!bySubject.some((c) => c.audiences.some((a) => audiences.includes(a)))) {
    return fail(
      700212,
      "No matching federated identity record found for presented assertion audience. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.",
    );
  }
  return { issuer: iss, subject };
}

/** Claims of a token signed by a {@link TestOidcIssuer}. @public */
export interface TestOidcTokenOptions {
  subject: string;
  /** Default `api://AzureADTokenExchange`. */
  audience?: string | string[];
  /** Seconds until `exp` (negative for an expired token). Default 3600. */
  expiresInSeconds?: number;
  /** Overrides the `iss` claim (to test a token that claims another issuer). */
  issuer?: string;
}

/** A test OpenID Connect issuer (like an AKS cluster's or GitHub's) whose public keys the emulator trusts. @public */
export interface TestOidcIssuer {
  /** The issuer URL (`iss`). Nothing is served there: the emulator was given its keys. */
  readonly issuer: string;
  /** Signs a token (RS256) as this issuer would, e.g. a Kubernetes projected service-account token. */
  signToken(options: TestOidcTokenOptions): Promise<string>;
}

/** Generates a key pair and an issuer URL; `register` is given the public JWKS. */
export async function createTestOidcIssuer(
  register: (issuer: string, jwks: JSONWebKeySet) => void,
  issuer = `https://oidc.emulator.invalid/${randomUUID()}`,
): Promise<TestOidcIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  register(issuer, { keys: [jwk] });
  return {
    issuer,
    async signToken(options) {
      const now = Math.floor(Date.now() / 1000);
      const lifetime = options.expiresInSeconds ?? 3600;
      return new SignJWT({})
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setIssuer(options.issuer ?? issuer)
        .setSubject(options.subject)
        .setAudience(options.audience ?? TOKEN_EXCHANGE_AUDIENCE)
        .setIssuedAt(Math.min(now, now + lifetime - 60))
        .setNotBefore(Math.min(now, now + lifetime - 60))
        .setExpirationTime(now + lifetime)
        .setJti(randomUUID())
        .sign(privateKey);
    },
  };
}
