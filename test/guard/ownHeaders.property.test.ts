/**
 * The guard's own headers object (what a checked copy is sent with) answers the HTTP client exactly as the SDK's
 * `createHttpHeaders()` copy did: names case-insensitive, the last spelling set kept, `toJSON` with and without
 * `preserveCase`, iteration order, and a copy that no later change of the caller's headers reaches.
 */
import { createHttpHeaders } from "@azure/core-rest-pipeline";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ownHeadersOf } from "../../packages/acs-baseline/src/guard/ownHeaders.js";

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/);
// Values as the caller's HttpHeaders holds them: already trimmed, no line breaks.
const value = fc.string({ maxLength: 40 }).map((v) => v.replace(/[\r\n]/g, "").trim());
const operations = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant("set" as const), name, value }),
    fc.record({ op: fc.constant("delete" as const), name }),
  ),
  { maxLength: 30 },
);

describe("ownHeadersOf", () => {
  it("reads, answers and changes like createHttpHeaders (1,000 runs)", () => {
    fc.assert(
      fc.property(operations, operations, fc.array(name, { maxLength: 8 }), (before, after, probes) => {
        const source = createHttpHeaders();
        for (const o of before) if (o.op === "set") source.set(o.name, o.value);
        const theirs = createHttpHeaders();
        for (const [n, v] of source) theirs.set(n, v);
        const ours = ownHeadersOf(source);
        for (const o of after) {
          for (const h of [theirs, ours])
            if (o.op === "set") h.set(o.name, o.value);
            else h.delete(o.name);
        }
        expect(ours.toJSON()).toEqual(theirs.toJSON());
        expect(ours.toJSON({ preserveCase: true })).toEqual(theirs.toJSON({ preserveCase: true }));
        expect([...ours]).toEqual([...theirs]);
        for (const probe of [...probes, ...before.map((o) => o.name.toUpperCase())]) {
          expect(ours.get(probe)).toBe(theirs.get(probe));
          expect(ours.has(probe)).toBe(theirs.has(probe));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("is a copy: the caller's headers changed afterwards (re-signed) reach nothing", () => {
    const source = createHttpHeaders({ Authorization: "Bearer token", "Content-Type": "application/json" });
    const ours = ownHeadersOf(source);
    source.set("authorization", "HMAC-SHA256 SignedHeaders=x&Signature=y");
    source.set("x-ms-content-sha256", "abc");
    expect(ours.get("Authorization")).toBe("Bearer token");
    expect(ours.has("x-ms-content-sha256")).toBe(false);
    expect(ours.toJSON({ preserveCase: true })).toEqual({
      Authorization: "Bearer token",
      "Content-Type": "application/json",
    });
    expect((ours as { toString(): string }).toString()).toBe(JSON.stringify(ours.toJSON({ preserveCase: true })));
  });

  it("numbers and booleans are set as text, as the SDK's set does", () => {
    const ours = ownHeadersOf(createHttpHeaders());
    ours.set("Content-Length", 42);
    ours.set("x-flag", true);
    expect(ours.toJSON()).toEqual({ "content-length": "42", "x-flag": "true" });
  });

  it("headers that cannot be read throw (the guard refuses the request)", () => {
    const broken = {
      *[Symbol.iterator](): Iterator<[string, string]> {
        yield ["Authorization", "Bearer x"];
        throw new Error("no");
      },
    };
    expect(() => ownHeadersOf(broken)).toThrow("no");
  });
});
