/**
 * The Azure Resource Manager side of the emulator: authentication (an emulator-issued Bearer token for the ARM
 * audience), the api-version and body checks every ARM request gets, and a table of resource providers. Each
 * provider lives in its own file; a new provider is a new row here. Response shapes follow the public REST
 * specifications at the api-versions the SDKs use by default, and the caller's role assignments are evaluated as ARM
 * does (403 AuthorizationFailed).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JWTPayload } from "jose";
import { errors as joseErrors, jwtVerify } from "jose";
import { header, pathOf, queryOf, readBody } from "../http.js";
import { handleActivityLog, matchActivityLog } from "./activityLog.js";
import { handleAuthorization, matchAuthorization } from "./authorization.js";
import { handleCommunication, matchCommunication } from "./communication.js";
import { handleDiagnosticSettings, matchDiagnosticSettings } from "./insights.js";
import type { ArmRequest, Outcome } from "./request.js";
import { handleResourceGraph, matchResourceGraph } from "./resourceGraph.js";
import { armError, fail } from "./request.js";
import { lower, trimSlash } from "./state.js";
import type { ArmState } from "./types.js";

export type { Outcome } from "./request.js";

/** One resource provider's route: which requests it takes, and how it answers them. */
interface ArmRoute {
  readonly matches: (r: ArmRequest) => boolean;
  readonly handle: (r: ArmRequest) => Outcome | Promise<Outcome>;
}

/** The resource providers, first match wins. */
const ROUTES: readonly ArmRoute[] = [
  { matches: matchAuthorization, handle: handleAuthorization },
  { matches: matchDiagnosticSettings, handle: handleDiagnosticSettings },
  { matches: matchCommunication, handle: handleCommunication },
  { matches: matchResourceGraph, handle: handleResourceGraph },
  { matches: matchActivityLog, handle: handleActivityLog },
];

type Caller = { oid: string; clientId: string; claims: JWTPayload };

/** Verifies the Bearer token; returns the caller, or the failed outcome already sent. */
async function authenticate(
  req: IncomingMessage,
  res: ServerResponse,
  state: ArmState,
  scheme: string,
): Promise<Caller | Outcome> {
  const fail401 = (code: string, message: string): Outcome => {
    armError(res, 401, code, message);
    return { status: 401, authScheme: scheme, error: code };
  };
  if (scheme !== "Bearer") {
    res.setHeader("www-authenticate", `Bearer authorization_uri="${state.issuer()}", error="invalid_token"`);
    return fail401("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
  }
  try {
    const { payload } = await jwtVerify((header(req, "authorization") ?? "").slice(7).trim(), state.verifyKey, {
      algorithms: ["RS256"],
      audience: [state.endpoint(), `${state.endpoint()}/`],
      issuer: state.issuer(),
      requiredClaims: ["exp", "oid"],
    });
    return {
      oid: String(payload.oid),
      clientId: typeof payload.appid === "string" ? payload.appid : "",
      claims: payload,
    };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired)
      return fail401(
        "ExpiredAuthenticationToken",
        "The access token expiry UTC time is earlier than current UTC time.",
      );
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "aud")
      return fail401(
        "InvalidAuthenticationTokenAudience",
        "The access token has been obtained for wrong audience or resource.",
      );
    return fail401("InvalidAuthenticationToken", "The access token is invalid.");
  }
}

/** Reads a JSON object body; returns it, or an error code and message. */
async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown> | [number, string, string]> {
  const text = await readBody(req);
  if (text === undefined) return [413, "RequestEntityTooLarge", "The request body is too large."];
  if (text.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    return parsed as Record<string, unknown>;
  } catch {
    return [400, "InvalidRequestContent", "The request content was invalid and could not be deserialized."];
  }
}

/** Handles one ARM request. */
export async function handleArm(req: IncomingMessage, res: ServerResponse, state: ArmState): Promise<Outcome> {
  state.stats.armRequests++;
  const authorization = header(req, "authorization") ?? "";
  const scheme = authorization.length === 0 ? "none" : (authorization.split(" ")[0] ?? "none").slice(0, 32);
  const caller = await authenticate(req, res, state, scheme);
  if ("status" in caller) return caller;
  const path = trimSlash(decodeURIComponent(pathOf(req)).replace(/\/{2,}/g, "/"));
  const method = (req.method ?? "GET").toUpperCase();
  const query = queryOf(req);
  const base = {
    req,
    res,
    state,
    method,
    path,
    lpath: lower(path),
    query,
    apiVersion: "",
    body: {},
    scheme,
    ...caller,
  };
  const apiVersion = query.get("api-version");
  if (apiVersion === null || apiVersion.length === 0)
    return fail(
      base,
      400,
      "MissingApiVersionParameter",
      "The api-version query parameter (?api-version=) is required for all requests.",
    );
  let body: Record<string, unknown> = {};
  if (method === "PUT" || method === "PATCH" || method === "POST") {
    const read = await readJsonBody(req);
    if (Array.isArray(read)) return fail(base, ...read);
    body = read;
  }
  const request: ArmRequest = { ...base, apiVersion, body };
  const route = ROUTES.find((candidate) => candidate.matches(request));
  if (route === undefined) return fail(request, 404, "NotFound", "The requested resource does not exist.");
  return route.handle(request);
}
