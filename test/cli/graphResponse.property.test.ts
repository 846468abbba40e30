/**
 * The Resource Graph answer reader fed outside input (what an odd or hostile service, or an independent fake, may
 * send): rows in any shape, any headers, any error body. It never throws, never pollutes a prototype, keeps waits
 * within their bound, and never puts an error body's text into a reason (only a status and a code-shaped code).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { GraphRawResponse } from "../../packages/cli/src/estate/graphResponse.js";
import {
  MAX_THROTTLE_WAIT_MS,
  describeGraphError,
  incompletePage,
  rowsOf,
  throttleWaitMs,
} from "../../packages/cli/src/estate/graphResponse.js";

const raw = (status: number, headers: Record<string, string>, bodyAsText?: string): GraphRawResponse => ({
  status,
  headers: { get: (name) => headers[name.toLowerCase()] },
  bodyAsText,
});
const MARK = "Zq9SECRETzQ";

describe("Resource Graph answers", () => {
  it("reads rows from any data without throwing or polluting a prototype; other shapes are unreadable", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            columns: fc.array(
              fc.oneof(fc.record({ name: fc.constantFrom("__proto__", "id", "constructor", "x") }), fc.jsonValue()),
            ),
            rows: fc.array(fc.oneof(fc.array(fc.jsonValue()), fc.jsonValue())),
          }),
        ),
        (data) => {
          const rows = rowsOf(data);
          // Read only in one of the two documented shapes; anything else is unreadable, never zero rows.
          const object = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
          const shaped = Array.isArray(data)
            ? data.every(object)
            : object(data) &&
              Array.isArray((data as { columns?: unknown }).columns) &&
              Array.isArray((data as { rows?: unknown }).rows) &&
              (data as { rows: unknown[] }).rows.every((row) => Array.isArray(row));
          expect(rows !== undefined).toBe(shaped);
          for (const row of rows ?? []) {
            expect(typeof row === "object" && row !== null && !Array.isArray(row)).toBe(true);
            expect(Object.getPrototypeOf(row) === Object.prototype || Object.getPrototypeOf(row) === null).toBe(true);
          }
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("waits between 0 and the bound whatever the throttling headers say", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("retry-after", "x-ms-user-quota-resets-after", "other"), fc.string()),
        (headers) => {
          const wait = throttleWaitMs(raw(429, headers));
          expect(wait).toBeGreaterThanOrEqual(0);
          expect(wait).toBeLessThanOrEqual(MAX_THROTTLE_WAIT_MS);
        },
      ),
    );
    expect(throttleWaitMs(raw(429, { "x-ms-user-quota-resets-after": "00:00:03" }))).toBe(3000);
  });

  it("describes a failed answer by status and code only, never by its body's text", () => {
    const body = fc.oneof(
      fc.string().map((s) => `${s}${MARK}${s}`),
      fc
        .jsonValue()
        .map((v) => JSON.stringify({ error: { code: "BadRequest", message: `${MARK} ${JSON.stringify(v)}` } })),
      fc.string().map((s) => JSON.stringify({ "odata.error": { code: `${MARK}${s} x`, message: MARK } })),
    );
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 599 }), body, (status, text) => {
        const reason = describeGraphError(new TypeError("x"), raw(status, {}, text));
        expect(reason.startsWith(`Resource Graph answered ${status}`)).toBe(true);
        expect(reason).not.toContain(MARK);
      }),
    );
  });

  it("says why a page cannot be part of a whole table, whatever its members are", () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.jsonValue(),
        fc.dictionary(fc.string(), fc.string()),
        (skipToken, truncated, headers) => {
          const problem = incompletePage(
            { skipToken, resultTruncated: truncated },
            raw(200, headers),
            new Set(["seen"]),
          );
          expect(problem === undefined || typeof problem === "string").toBe(true);
        },
      ),
    );
    expect(incompletePage({ resultTruncated: true }, undefined, new Set())).toMatch(/truncated/);
    expect(incompletePage({ skipToken: "seen" }, undefined, new Set(["seen"]))).toMatch(/already returned/);
    expect(incompletePage({ skipToken: "next", resultTruncated: "true" }, undefined, new Set())).toBeUndefined();
  });
});
