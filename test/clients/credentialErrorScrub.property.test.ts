/**
 * The credential error scrub under generated input (fast-check): errors, plain objects, arrays and JSON-valued strings
 * nested in any way (a `cause`, a hidden, read-only or symbol-keyed member), with the configured client secret or a
 * signed client assertion (a JWT) placed in one string anywhere in it: after `scrubCredentialError` neither
 * `util.inspect` at any depth nor `JSON.stringify` shows it; a structure that holds no secret is left as it was. A
 * hostile error (deep cause chains, huge arrays, many keys, cycles, throwing getters, frozen members) is scrubbed in
 * bounded time and never makes the scrub throw.
 */
import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scrubCredentialError } from "../../packages/acs-baseline/src/clients/credentialErrorScrub.js";

type Placement = "enumerable" | "hidden" | "readonly" | "symbol";
type Member = [string, Shape, Placement];
type Shape =
  | { kind: "leaf" }
  | { kind: "json"; of: Shape }
  | { kind: "object"; members: Member[] }
  | { kind: "array"; items: Shape[] }
  | { kind: "error"; members: Member[]; cause: Shape | null };

const key = fc.constantFrom("errorNo", "traceId", "claims", "error_codes", "errorResponse", "detail", "x");
const placement = fc.constantFrom<Placement>("enumerable", "hidden", "readonly", "symbol");
const { shape } = fc.letrec<{ shape: Shape; members: Member[] }>((tie) => ({
  shape: fc.oneof(
    { maxDepth: 4, depthSize: "small", withCrossShrink: true },
    fc.constant<Shape>({ kind: "leaf" }),
    fc.record({ kind: fc.constant("json" as const), of: tie("shape") }),
    fc.record({ kind: fc.constant("object" as const), members: tie("members") }),
    fc.record({ kind: fc.constant("array" as const), items: fc.array(tie("shape"), { maxLength: 3 }) }),
    fc.record({
      kind: fc.constant("error" as const),
      members: tie("members"),
      cause: fc.option(tie("shape"), { nil: null }),
    }),
  ),
  members: fc.array(fc.tuple(key, tie("shape"), placement), { maxLength: 3 }),
}));

const children = (s: Shape): Shape[] =>
  s.kind === "json"
    ? [s.of]
    : s.kind === "array"
      ? s.items
      : s.kind === "object" || s.kind === "error"
        ? [...s.members.map(([, m]) => m), ...(s.kind === "error" && s.cause ? [s.cause] : [])]
        : [];
const count = (s: Shape, kinds: Shape["kind"][]): number =>
  (kinds.includes(s.kind) ? 1 : 0) + children(s).reduce((n, c) => n + count(c, kinds), 0);

const BENIGN = ["AADSTS7000215: Invalid client secret provided.", "2024-01-01 00:00:00Z", "invalid_client", "7000215"];

/** Builds `s`: leaf number `target` holds `secret` (with text around it), the others benign text. */
function build(s: Shape, leaf: { next: number; target: number; text: string }, asJson = false): unknown {
  switch (s.kind) {
    case "leaf": {
      const i = leaf.next++;
      return i === leaf.target ? leaf.text : (BENIGN[i % BENIGN.length] ?? "");
    }
    case "json":
      return JSON.stringify(build(s.of, leaf, true));
    case "array":
      return s.items.map((item) => build(item, leaf, asJson));
    default: {
      const holder = (
        s.kind === "error" && !asJson
          ? new Error("invalid_client", s.cause ? { cause: build(s.cause, leaf, asJson) } : undefined)
          : {}
      ) as Record<string | symbol, unknown>;
      for (const [name, member, how] of s.members) {
        const value = build(member, leaf, asJson);
        if (asJson) holder[name] = value;
        else if (how === "symbol") holder[Symbol(name)] = value;
        else
          Object.defineProperty(holder, name, {
            value,
            enumerable: how === "enumerable",
            writable: how !== "readonly",
            configurable: true,
          });
      }
      return holder;
    }
  }
}

/** What a credential throws: an error holding `inner` (in its cause or a member). */
const thrown = (inner: Shape): Shape =>
  inner.kind === "error" ? inner : { kind: "error", members: [["errorResponse", inner, "enumerable"]], cause: null };

const printed = (value: unknown): string =>
  `${inspect(value, { depth: Infinity, showHidden: true })}\n${JSON.stringify(value)}`;

const base64url = fc.stringMatching(/^[A-Za-z0-9_-]{20,80}$/);
/** A signed client assertion's shape (never configured: only its JWT shape can find it). */
const assertion = fc.tuple(base64url, base64url, base64url).map(([h, p, s]) => `eyJ${h}.eyJ${p}.${s}`);
const configured = fc.stringMatching(/^[A-Za-z0-9._~-]{16,40}$/);
const secretCase = fc.oneof(
  configured.map((secret) => ({ secret, echoes: [secret] })),
  assertion.map((secret) => ({ secret, echoes: [] as string[] })),
);
const around = fc.constantFrom("", "you sent: ", "client_secret=", "error_codes ", "x");

describe("scrubCredentialError", () => {
  it("removes a secret placed in any string of any nesting of errors, objects, arrays and JSON strings", () => {
    fc.assert(
      fc.property(shape, fc.nat(), secretCase, around, around, (inner, pick, { secret, echoes }, before, after) => {
        const root = thrown(inner);
        const leaves = count(root, ["leaf"]);
        fc.pre(leaves > 0 && count(root, ["object", "array", "error"]) <= 48);
        const leaf = { next: 0, target: pick % leaves, text: `${before}${secret}${after}` };
        const error = build(root, leaf);
        fc.pre(printed(error).includes(secret)); // placed where a logger sees it (not under a repeated key)
        scrubCredentialError(error, echoes);
        const text = printed(error);
        expect(text).not.toContain(secret);
        expect(text).not.toContain(secret.slice(0, 16));
        if (echoes.length === 0) expect(text).not.toMatch(/eyJ[\w-]{20,}/);
      }),
      { numRuns: 300 },
    );
  });

  it("leaves a structure that holds no secret as it was", () => {
    fc.assert(
      fc.property(shape, configured, (inner, secret) => {
        const root = thrown(inner);
        const error = build(root, { next: 0, target: -1, text: "" });
        const before = printed(error);
        scrubCredentialError(error, [secret]);
        expect(printed(error)).toBe(before);
      }),
      { numRuns: 200 },
    );
  });
});

describe("a hostile error", () => {
  const SECRET = "plain-canary-secret-value-4711-abcdef";

  it("is scrubbed in bounded time, without throwing: deep chains, huge arrays, many keys, cycles, getters", () => {
    const error = Object.assign(new Error(`echo ${SECRET}`), { errorNo: SECRET }) as unknown as Error &
      Record<string, unknown>;
    error.cause = error; // a cycle
    let deep: Error = new Error("bottom");
    for (let i = 0; i < 20_000; i++) deep = new Error(`level ${i}`, { cause: deep });
    const wide: Record<string, string> = {};
    for (let i = 0; i < 20_000; i++) wide[`k${i}`] = `value ${i} ${SECRET}`;
    Object.defineProperty(error, "trap", {
      get: () => {
        throw new Error("a getter");
      },
      enumerable: true,
    });
    Object.assign(error, {
      deep,
      wide,
      huge: new Array<string>(1_000_000).fill(SECRET),
      frozen: Object.freeze([SECRET]),
    });
    const started = performance.now();
    expect(() => scrubCredentialError(error, [SECRET])).not.toThrow();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error.message).not.toContain(SECRET);
    expect(error.errorNo).toBe("[REDACTED]");
    expect((error.wide as Record<string, string>).k0).toBe("value 0 [REDACTED]");
    expect((error.huge as string[])[0]).toBe("[REDACTED]");
    expect((error.huge as string[])[999_999]).toBe(SECRET); // beyond the bound (an array's first 256)
  });

  it("replaces whole what is beyond its character budget, without cleaning it", () => {
    const big = `${"a".repeat(1024 * 1024)} ${SECRET}`;
    const error = Object.assign(new Error(big), { a: big, b: big, c: big, d: big, e: "short" });
    const started = performance.now();
    scrubCredentialError(error, [SECRET]);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(printed(error)).not.toContain(SECRET);
    expect(error.e).toBe("[REDACTED]");
  });

  it("leaves the caller's own scopes and options (which AuthenticationRequiredError keeps) as they were", () => {
    const scopes = [`scope ${SECRET}`];
    const options = { claims: `claims ${SECRET}` };
    const error = Object.assign(new Error("invalid_client"), { scopes, getTokenOptions: options, errorNo: SECRET });
    scrubCredentialError(error, [SECRET], [scopes, options]);
    expect(scopes).toEqual([`scope ${SECRET}`]);
    expect(options).toEqual({ claims: `claims ${SECRET}` });
    expect(error.errorNo).toBe("[REDACTED]");
  });

  // Thirteenth review (/tmp/review-r3/entraDup.mjs): a key written twice parses to its last value, so the cleaned
  // parse equalled the parse and the original text, whose first value held the secret, was kept.
  it("rewrites a JSON member whose text is not exactly what it parses to (a key written twice hides a secret)", () => {
    const assertion = "eyJhbGciOiJQUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    for (const hidden of [SECRET, assertion]) {
      const error = Object.assign(new Error("interaction_required"), {
        claims: `{"x":"${hidden}","access_token":{"nbf":{"essential":true}},"x":"1"}`,
      });
      scrubCredentialError(error, [SECRET]);
      expect(printed(error)).not.toContain(hidden.slice(0, 16));
      expect(JSON.parse(error.claims)).toEqual({ x: "1", access_token: { nbf: { essential: true } } });
    }
  });

  it("keeps an error's class, name and code, and a claims challenge usable", () => {
    class ServerError extends Error {
      override name = "ServerError";
      code = "invalid_client";
      claims = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}';
    }
    const error = new ServerError(`invalid_client: ${SECRET}`);
    Object.defineProperty(error, "detail", {
      value: `${SECRET}`,
      enumerable: false,
      writable: false,
      configurable: true,
    });
    scrubCredentialError(error, [SECRET]);
    expect(error).toBeInstanceOf(ServerError);
    expect([error.name, error.code]).toEqual(["ServerError", "invalid_client"]);
    expect(error.claims).toBe('{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}');
    expect(printed(error)).not.toContain(SECRET);
    expect(Object.getOwnPropertyDescriptor(error, "detail")).toMatchObject({ enumerable: false, writable: false });
  });
});
