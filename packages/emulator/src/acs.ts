/**
 * The ACS data-plane side of the emulator: authentication, SMS send and the identity operations the SDK uses, with the
 * response shapes and status codes of the real service; Rooms, Email, Call Automation, Phone Numbers and Chat are
 * route tables in dataPlane/ (chat authenticates with user access tokens instead, see dataPlane/userToken.ts). Valid, unexpired emulator-issued Bearer tokens with the ACS audience
 * are accepted (an application without a data-plane role gets 403). Access-key requests are verified with the real
 * ACS HMAC-SHA256 scheme against the resource's keys while local auth is enabled, and answered 401 once the
 * resource has `disableLocalAuth: true`.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { KeyLike } from "jose";
import { errors as joseErrors, jwtVerify } from "jose";
import { DATA_PLANE_ROLES } from "./applications.js";
import { CORRELATION_VECTOR_HEADER, correlationVector } from "./dataPlane/correlationVector.js";
import type { DataPlane } from "./dataPlane/index.js";
import type { DataPlaneRequest, Reply } from "./dataPlane/route.js";
import { dispatch } from "./dataPlane/route.js";
import type { UserTokenState } from "./dataPlane/userToken.js";
import { mintUserToken, verifyUserToken } from "./dataPlane/userToken.js";
import { ACS_AUDIENCE } from "./entra.js";
import { header, pathOf, queryOf, readBody, sendJson } from "./http.js";

/** An SMS the emulator accepted (for test inspection; never part of `requests`). @public */
export interface EmulatorSmsMessage {
  messageId: string;
  from: string;
  to: string[];
  message: string;
  enableDeliveryReport?: boolean;
  tag?: string;
  clientId: string;
}

export interface AcsState {
  issuer: () => string;
  verifyKey: KeyLike;
  signingKey: KeyLike;
  resourceId: string;
  identities: Map<string, { revokedBefore: number }>;
  smsMessages: EmulatorSmsMessage[];
  stats: { acsRequests: number; expiredTokensRefused: number };
  /** The resource's local-auth state: whether access keys are disabled, and the current keys (base64). */
  localAuth?: () => { disabled: boolean; keys: readonly string[] };
  /** Rooms, Email, Call Automation, Phone Numbers and Chat. */
  dataPlane: DataPlane;
  /** The data plane's own origin (`https://127.0.0.1:PORT`), for `Location` headers. */
  endpoint?: () => string;
}

/** Client id recorded for requests authenticated with an access key. */
export const ACCESS_KEY_CLIENT = "access-key";
/** Largest clock skew accepted on `x-ms-date`. */
const MAX_HMAC_SKEW_MS = 15 * 60_000;

/**
 * Verifies an ACS HMAC-SHA256 request as `@azure/communication-common` signs it: string to sign
 * `VERB\npath?query\nx-ms-date;host;x-ms-content-sha256`, keyed with the base64-decoded access key.
 */
export function verifyHmacRequest(
  req: IncomingMessage,
  body: string,
  keys: readonly string[],
  now = Date.now(),
): boolean {
  const m = /^HMAC-SHA256 SignedHeaders=([^&]+)&Signature=(.+)$/.exec(header(req, "authorization") ?? "");
  if (m === null || (m[1] ?? "").toLowerCase() !== "x-ms-date;host;x-ms-content-sha256") return false;
  const date = header(req, "x-ms-date");
  const hash = header(req, "x-ms-content-sha256");
  const host = header(req, "host");
  if (date === undefined || hash === undefined || host === undefined) return false;
  const time = Date.parse(date);
  if (!Number.isFinite(time) || Math.abs(time - now) > MAX_HMAC_SKEW_MS) return false;
  if (createHash("sha256").update(body, "utf8").digest("base64") !== hash) return false;
  const url = new URL(req.url ?? "/", "https://emulator.invalid");
  const query = url.searchParams.toString();
  const toSign = `${(req.method ?? "GET").toUpperCase()}\n${query ? `${url.pathname}?${query}` : url.pathname}\n${date};${host};${hash}`;
  const given = Buffer.from(m[2] ?? "", "base64");
  return keys.some((key) => {
    const expected = createHmac("sha256", Buffer.from(key, "base64")).update(toSign, "utf8").digest();
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

const USER_TOKEN_SCOPES = new Set(["chat", "voip", "chat.join", "chat.join.limited", "voip.join"]);
const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_SMS_MESSAGES = 10_000;
const BODY_METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"]);

type Outcome = { status: number; clientId?: string; authScheme: string; error?: string };
type Fail = (status: number, code: string, message: string, headers?: Record<string, string>) => Outcome;

function acsError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

/** The request body as a JSON object (`{}` when empty), or an error message. */
function jsonObject(body: string): Record<string, unknown> | string {
  if (body.length === 0) return {};
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return "The request body is not valid JSON.";
  }
  return typeof json === "object" && json !== null && !Array.isArray(json)
    ? (json as Record<string, unknown>)
    : "The request body must be a JSON object.";
}

/** The body of a method that has one (`""` otherwise), or `undefined` when it is too large. */
async function readRequestBody(req: IncomingMessage): Promise<string | undefined> {
  return BODY_METHODS.has((req.method ?? "GET").toUpperCase()) ? await readBody(req) : "";
}

/** Handles one request to the ACS server. */
export async function handleAcs(req: IncomingMessage, res: ServerResponse, state: AcsState): Promise<Outcome> {
  state.stats.acsRequests++;
  // Every ACS answer (success or error) carries a fresh correlation vector, as the real service's do.
  res.setHeader(CORRELATION_VECTOR_HEADER, correlationVector());
  const authorization = header(req, "authorization") ?? "";
  const scheme = authorization.length === 0 ? "none" : (authorization.split(" ")[0] ?? "none").slice(0, 32);
  const fail: Fail = (status, code, message, extra = {}) => {
    acsError(res, status, code, message, extra);
    return { status, authScheme: scheme, error: code };
  };
  // Tokens are checked as the request arrives, before its body is read (as before: under load, reading bodies first
  // would let tokens expire in the queue). Node discards a body nobody read.
  if (pathOf(req).startsWith("/chat/")) return await handleChat(req, res, state, authorization, fail);

  let clientId: string;
  let body: string | undefined;
  if (scheme.toUpperCase() === "HMAC-SHA256") {
    body = await readBody(req); // the signature covers the body
    if (body === undefined) return fail(413, "RequestEntityTooLarge", "The request body is too large.");
    const local = state.localAuth?.() ?? { disabled: true, keys: [] };
    if (local.disabled) {
      return fail(
        401,
        "LocalAuthDisabled",
        "Local authentication (access keys) is disabled for this resource (disableLocalAuth: true). Authenticate with Microsoft Entra ID.",
      );
    }
    if (!verifyHmacRequest(req, body, local.keys)) {
      return fail(
        401,
        "Unauthorized",
        "The HMAC-SHA256 signature, date, host or content hash of the request is not valid for this resource's access keys.",
      );
    }
    clientId = ACCESS_KEY_CLIENT;
  } else if (scheme !== "Bearer") {
    return fail(
      401,
      "Unauthorized",
      "The request has no valid Authorization header. Send a Microsoft Entra ID Bearer token.",
      {
        "www-authenticate": 'Bearer error="invalid_request"',
      },
    );
  } else {
    const verified = await verifyEntraBearer(authorization, state, fail);
    if ("status" in verified) return verified;
    clientId = verified.clientId;
  }
  body ??= await readRequestBody(req);
  if (body === undefined) return { ...fail(413, "RequestEntityTooLarge", "The request body is too large."), clientId };
  const outcome = await serve(req, res, state, { clientId, body, fail });
  return { ...outcome, clientId };
}

/** Checks an Entra Bearer token: signature, issuer, the ACS audience, expiry and a data-plane role. */
async function verifyEntraBearer(
  authorization: string,
  state: AcsState,
  fail: Fail,
): Promise<Outcome | { clientId: string }> {
  const token = authorization.slice("Bearer ".length).trim();
  let roles: unknown;
  let clientId: string;
  try {
    const { payload } = await jwtVerify(token, state.verifyKey, {
      algorithms: ["RS256"],
      audience: ACS_AUDIENCE,
      issuer: state.issuer(),
      requiredClaims: ["exp", "appid"],
    });
    clientId = String(payload.appid);
    roles = payload.roles;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      state.stats.expiredTokensRefused++;
      return fail(401, "InvalidAuthenticationTokenExpired", "The access token has expired.");
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "aud") {
      return fail(401, "InvalidAuthenticationTokenAudience", `The access token audience is not ${ACS_AUDIENCE}.`);
    }
    return fail(401, "InvalidAuthenticationToken", "The access token is invalid.");
  }
  if (!Array.isArray(roles) || !roles.some((r) => typeof r === "string" && DATA_PLANE_ROLES.includes(r))) {
    return {
      ...fail(
        403,
        "Forbidden",
        "The principal does not have a role assignment granting data-plane access to this Communication Services resource.",
      ),
      clientId,
    };
  }
  return { clientId };
}

/** Writes a route's reply. */
function answer(res: ServerResponse, reply: Reply, scheme: string): Outcome {
  sendJson(res, reply.status, reply.body, reply.headers);
  return { status: reply.status, authScheme: scheme, ...(reply.error !== undefined ? { error: reply.error } : {}) };
}

/** The parsed request a route sees, or the refusal already answered. */
function routeRequest(
  req: IncomingMessage,
  state: AcsState,
  body: string,
  caller: string,
  fail: Fail,
): DataPlaneRequest | Outcome {
  const query = queryOf(req);
  const apiVersion = query.get("api-version");
  if (apiVersion === null)
    return fail(400, "MissingApiVersionParameter", "The api-version query parameter is required.");
  const json = jsonObject(body);
  if (typeof json === "string") return fail(400, "InvalidRequestBody", json);
  return {
    method: (req.method ?? "GET").toUpperCase(),
    path: pathOf(req),
    query,
    body: json,
    origin: state.endpoint?.() ?? `https://${header(req, "host") ?? "127.0.0.1"}`,
    apiVersion,
    caller,
  };
}

/** Chat: authenticated by a user access token with the `chat` scope, never by Entra tokens or access keys. */
async function handleChat(
  req: IncomingMessage,
  res: ServerResponse,
  state: AcsState,
  authorization: string,
  fail: Fail,
): Promise<Outcome> {
  const check = await verifyUserToken(state, authorization, "chat");
  if ("refused" in check)
    return answer(
      res,
      check.refused,
      authorization.length === 0 ? "none" : (authorization.split(" ")[0] ?? "none").slice(0, 32),
    );
  const body = await readRequestBody(req);
  if (body === undefined) return fail(413, "RequestEntityTooLarge", "The request body is too large.");
  const request = routeRequest(req, state, body, check.userId, fail);
  if ("status" in request) return request;
  return answer(
    res,
    dispatch(state.dataPlane.chatRoutes, request) ?? {
      status: 404,
      body: { error: { code: "NotFound", message: "The requested resource does not exist." } },
      error: "NotFound",
    },
    "Bearer",
  );
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  state: AcsState,
  ctx: { clientId: string; body: string; fail: Fail },
): Promise<Outcome> {
  const { clientId, fail } = ctx;
  const scheme = clientId === ACCESS_KEY_CLIENT ? "HMAC-SHA256" : "Bearer";
  const request = routeRequest(req, state, ctx.body, clientId, fail);
  if ("status" in request) return request;
  const { path, method, body: obj } = request;
  if (path === "/sms" && method === "POST") return sendSms(obj, res, state, clientId, fail);
  if (path === "/identities" && method === "POST") return await createIdentity(obj, res, state, fail);
  const match = /^\/identities\/([^/]+)(\/:issueAccessToken|\/:revokeAccessTokens)?$/.exec(path);
  if (match !== null) {
    const id = decodeURIComponent(match[1] ?? "");
    const identity = state.identities.get(id);
    if (identity === undefined) return fail(404, "IdentityNotFound", "The identity does not exist.");
    if (match[2] === undefined && method === "DELETE") {
      state.identities.delete(id);
      return answer(res, { status: 204 }, scheme);
    }
    if (match[2] === "/:revokeAccessTokens" && method === "POST") {
      identity.revokedBefore = Date.now();
      return answer(res, { status: 204 }, scheme);
    }
    if (match[2] === "/:issueAccessToken" && method === "POST") {
      const scopes = parseScopes(obj.scopes, true);
      if (typeof scopes === "string") return fail(400, "InvalidScopes", scopes);
      const expires = parseExpires(obj.expiresInMinutes);
      if (typeof expires === "string") return fail(400, "InvalidExpiresInMinutes", expires);
      return answer(
        res,
        { status: 200, body: await mintUserToken(userTokenState(state), id, scopes, expires) },
        scheme,
      );
    }
  }
  if (path === "/teamsUser/:exchangeAccessToken") {
    return fail(400, "NotSupported", "Exchanging Teams user tokens is not supported by the emulator.");
  }
  const routed = dispatch(state.dataPlane.routes, request);
  if (routed !== undefined) return answer(res, routed, scheme);
  return fail(404, "NotFound", "The requested resource does not exist.");
}

function sendSms(
  body: Record<string, unknown>,
  res: ServerResponse,
  state: AcsState,
  clientId: string,
  fail: Fail,
): Outcome {
  const { from, smsRecipients, message, smsSendOptions } = body;
  if (typeof from !== "string" || from.length === 0) return fail(400, "InvalidFromPhoneNumber", "'from' is required.");
  if (!E164.test(from)) return fail(400, "InvalidFromPhoneNumber", "'from' must be an E.164 phone number.");
  if (typeof message !== "string") return fail(400, "InvalidMessage", "'message' is required.");
  if (message.length > 2048) return fail(400, "MessageTooLong", "'message' is longer than 2048 characters.");
  if (!Array.isArray(smsRecipients) || smsRecipients.length === 0)
    return fail(400, "InvalidRecipients", "'smsRecipients' must list at least one recipient.");
  if (smsRecipients.length > 100) return fail(400, "TooManyRecipients", "At most 100 recipients are allowed.");
  const options = (typeof smsSendOptions === "object" && smsSendOptions !== null ? smsSendOptions : {}) as Record<
    string,
    unknown
  >;
  const value: Record<string, unknown>[] = [];
  const accepted: string[] = [];
  for (const recipient of smsRecipients as unknown[]) {
    const to =
      typeof recipient === "object" && recipient !== null ? (recipient as Record<string, unknown>).to : undefined;
    const repeatability =
      typeof recipient === "object" &&
      recipient !== null &&
      (recipient as Record<string, unknown>).repeatabilityRequestId !== undefined
        ? { repeatabilityResult: "accepted" }
        : {};
    if (typeof to !== "string" || !E164.test(to)) {
      value.push({
        to: typeof to === "string" ? to : "",
        httpStatusCode: 400,
        successful: false,
        errorMessage: "Invalid To phone number format.",
        ...repeatability,
      });
      continue;
    }
    const messageId = `Outgoing_${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}${randomUUID().replace(/-/g, "")}_noam`;
    value.push({ to, messageId, httpStatusCode: 202, successful: true, ...repeatability });
    accepted.push(to);
    if (state.smsMessages.length < MAX_SMS_MESSAGES) {
      state.smsMessages.push({
        messageId,
        from,
        to: [to],
        message,
        clientId,
        ...(typeof options.enableDeliveryReport === "boolean"
          ? { enableDeliveryReport: options.enableDeliveryReport }
          : {}),
        ...(typeof options.tag === "string" ? { tag: options.tag } : {}),
      });
    }
  }
  sendJson(res, 202, { value });
  return { status: 202, authScheme: clientId === ACCESS_KEY_CLIENT ? "HMAC-SHA256" : "Bearer" };
}

function parseScopes(value: unknown, required: boolean): string[] | string {
  if (value === undefined && !required) return [];
  if (!Array.isArray(value) || (required && value.length === 0)) return "'scopes' must be a non-empty array.";
  for (const s of value)
    if (typeof s !== "string" || !USER_TOKEN_SCOPES.has(s))
      return `Scope '${String(s).slice(0, 40)}' is not valid; use chat, voip, chat.join, chat.join.limited or voip.join.`;
  return value as string[];
}

function parseExpires(value: unknown): number | string {
  if (value === undefined) return 24 * 60;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 60 || value > 1440) {
    return "'expiresInMinutes' must be an integer between 60 and 1440.";
  }
  return value;
}

async function createIdentity(
  body: Record<string, unknown>,
  res: ServerResponse,
  state: AcsState,
  fail: Fail,
): Promise<Outcome> {
  const scopes = body.createTokenWithScopes === undefined ? undefined : parseScopes(body.createTokenWithScopes, true);
  if (typeof scopes === "string") return fail(400, "InvalidScopes", scopes);
  const expires = parseExpires(body.expiresInMinutes);
  if (typeof expires === "string") return fail(400, "InvalidExpiresInMinutes", expires);
  const id = `8:acs:${state.resourceId}_${randomUUID()}`;
  state.identities.set(id, { revokedBefore: 0 });
  const result: Record<string, unknown> = { identity: { id } };
  if (scopes !== undefined) result.accessToken = await mintUserToken(userTokenState(state), id, scopes, expires);
  sendJson(res, 201, result);
  return { status: 201, authScheme: "Bearer" };
}

/** The user-token view of the ACS state (with the emulator's lifetime cap). */
function userTokenState(state: AcsState): UserTokenState {
  return { ...state, userTokenLifetimeSeconds: () => state.dataPlane.userTokenLifetimeSeconds() };
}
