/**
 * Reading a managed-identity endpoint's answer as Microsoft documents it (IMDS 2018-02-01, App Service 2019-08-01,
 * and what older App Service hosts still send): `expires_on` as epoch seconds (number or string) or a date string,
 * `expires_in` as seconds (number or string), `refresh_in` when the endpoint gives one; and which failures are worth
 * asking again (IMDS: 404 while the identity is being assigned, 410 while IMDS updates, 429, 5xx; App Service: 429, 5xx).
 */
import type { AccessToken } from "@azure/core-auth";
import { retryAfterMs } from "../text/retryAfter.js";

/** Seconds as a number or a numeric string; undefined for anything else. */
function seconds(value: unknown): number | undefined {
  const n = typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * The token's expiry in milliseconds since the epoch: `expires_on` (epoch seconds, or a date string such as App
 * Service's older `12/07/2026 05:00:00 AM +00:00`), else now plus `expires_in`.
 */
function expiryOf(body: Record<string, unknown>, now: number): number | undefined {
  const finite = (ms: number) => (Number.isFinite(ms) && ms > 0 ? ms : undefined);
  const on = seconds(body.expires_on);
  if (on !== undefined) return finite(on * 1000);
  if (typeof body.expires_on === "string") {
    const parsed = finite(Date.parse(body.expires_on));
    if (parsed !== undefined) return parsed;
  }
  const inSeconds = seconds(body.expires_in);
  return inSeconds !== undefined ? finite(now + inSeconds * 1000) : undefined;
}

/** The access token in a 200 answer's body, or undefined when the body holds none. */
export function tokenOf(bodyText: string | undefined, now = Date.now()): AccessToken | undefined {
  let body: unknown;
  try {
    body = JSON.parse(bodyText ?? "");
  } catch {
    return undefined;
  }
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const expiresOnTimestamp = expiryOf(b, now);
  if (typeof b.access_token !== "string" || b.access_token.length === 0 || expiresOnTimestamp === undefined)
    return undefined;
  const refreshIn = seconds(b.refresh_in);
  const refreshAfterTimestamp = refreshIn !== undefined ? now + refreshIn * 1000 : undefined;
  return {
    token: b.access_token,
    expiresOnTimestamp,
    tokenType: "Bearer",
    ...(refreshAfterTimestamp !== undefined && refreshAfterTimestamp < expiresOnTimestamp
      ? { refreshAfterTimestamp }
      : {}),
  };
}

/** Whether a failed answer is worth asking again (Microsoft's retry guidance for IMDS and App Service). */
export function isRetriable(kind: "app-service" | "imds", status: number): boolean {
  if (status === 429 || (status >= 500 && status <= 599)) return true;
  return kind === "imds" && (status === 404 || status === 410);
}

/** Longest wait before asking again, whatever `Retry-After` says. */
export const MAX_RETRY_WAIT_MS = 5_000;

/** The wait before attempt `attempt + 1`: `Retry-After` (seconds or an HTTP date) when given, else 0.5 s doubling. */
export function retryWaitMs(retryAfter: string | undefined, attempt: number, now = Date.now()): number {
  const wait = retryAfterMs(retryAfter, now) ?? 500 * 2 ** attempt;
  return Math.min(Math.max(wait, 0), MAX_RETRY_WAIT_MS);
}
