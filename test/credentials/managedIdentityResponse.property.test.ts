/**
 * The managed-identity answer reader fed outside input: any body text, any `Retry-After`, any status. It never
 * throws; a token it returns is non-empty with a finite expiry (and a refresh time before it); waits stay within
 * their bound; only the statuses Microsoft says to retry are retried.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_RETRY_WAIT_MS,
  isRetriable,
  retryWaitMs,
  tokenOf,
} from "../../packages/acs-baseline/src/credentials/managedIdentityResponse.js";

const NOW = Date.parse("2026-12-07T00:00:00Z");
const member = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.stringMatching(/^\d{1,12}$/),
  fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? "not a date" : d.toUTCString())),
);
const body = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record(
      { access_token: member, expires_on: member, expires_in: member, refresh_in: member, token_type: member },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
);

describe("managed identity answers", () => {
  it("never throws, and a token it reads is usable", () => {
    fc.assert(
      fc.property(body, (text) => {
        const token = tokenOf(text, NOW);
        if (token === undefined) return;
        expect(token.token.length).toBeGreaterThan(0);
        expect(Number.isFinite(token.expiresOnTimestamp) && token.expiresOnTimestamp > 0).toBe(true);
        if (token.refreshAfterTimestamp !== undefined)
          expect(token.refreshAfterTimestamp).toBeLessThan(token.expiresOnTimestamp);
      }),
      { numRuns: 2000 },
    );
  });

  it("reads expires_on as epoch seconds in either form, and expires_in relative to now", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4_000_000_000 }), fc.boolean(), (seconds, asString) => {
        const on = asString ? String(seconds) : seconds;
        expect(tokenOf(JSON.stringify({ access_token: "t", expires_on: on }), NOW)?.expiresOnTimestamp).toBe(
          seconds * 1000,
        );
        expect(tokenOf(JSON.stringify({ access_token: "t", expires_in: on }), NOW)?.expiresOnTimestamp).toBe(
          NOW + seconds * 1000,
        );
      }),
    );
  });

  it("waits between 0 and the bound whatever Retry-After says", () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: undefined }), fc.nat(10), (retryAfter, attempt) => {
        const wait = retryWaitMs(retryAfter, attempt, NOW);
        expect(wait).toBeGreaterThanOrEqual(0);
        expect(wait).toBeLessThanOrEqual(MAX_RETRY_WAIT_MS);
      }),
    );
  });

  it("retries 429 and 5xx, and for IMDS 404 and 410; nothing else", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 699 }),
        fc.constantFrom("imds" as const, "app-service" as const),
        (s, kind) => {
          const expected = s === 429 || (s >= 500 && s <= 599) || (kind === "imds" && (s === 404 || s === 410));
          expect(isRetriable(kind, s)).toBe(expected);
        },
      ),
    );
  });
});
