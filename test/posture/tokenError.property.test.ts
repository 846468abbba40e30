/**
 * describeTokenError under generated errors (fast-check): the AADSTS code and OAuth error are found however deep MSAL's
 * error sits in the `cause` chain (within the bound), descriptions and messages never reach the output, and a
 * cyclic or very deep chain ends.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeTokenError } from "../../packages/acs-baseline/src/posture/tokenError.js";
import { BaselineViolationError } from "../../packages/acs-baseline/src/errors.js";

const CANARY = "Canary-S3cret-";
const text = fc.string({ maxLength: 40 }).map((s) => `${s} ${CANARY}${s.length} client_secret=${CANARY}x`);
const code = fc.integer({ min: 10_000, max: 9_999_999 });

/** MSAL's ServerError, wrapped `depth` times in errors that say nothing. */
function wrapped(depth: number, aadsts: number, description: string): unknown {
  let error: unknown = Object.assign(new Error(`invalid_client: AADSTS${aadsts}: ${description}`), {
    name: "ServerError",
    errorCode: "invalid_client",
    errorMessage: `AADSTS${aadsts}: ${description}`,
    subError: description,
  });
  for (let i = 0; i < depth; i++)
    error = Object.assign(new Error(`wrapper ${i}: ${description}`), {
      name: "AuthenticationRequiredError",
      cause: error,
    });
  return error;
}

describe("describeTokenError", () => {
  it("names invalid_client and the AADSTS code through up to four wrappers, and never a description", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), code, text, (depth, aadsts, description) => {
        const out = describeTokenError(wrapped(depth, aadsts, description));
        expect(out).toContain("invalid_client");
        expect(out).toContain(`AADSTS${aadsts}`);
        expect(out).not.toContain(CANARY);
        expect(out).not.toContain("client_secret");
      }),
    );
  });

  it("reads @azure/identity's AuthenticationError shape (errorResponse) too; keeps only code-shaped values", () => {
    fc.assert(
      fc.property(code, text, text, (aadsts, description, junk) => {
        const error = Object.assign(new Error(description), {
          name: "AuthenticationError",
          errorResponse: { error: junk, errorDescription: `AADSTS${aadsts}: ${description}` },
        });
        const out = describeTokenError(error);
        expect(out).toContain(`AADSTS${aadsts}`);
        expect(out).not.toContain(CANARY);
      }),
    );
  });

  it("ends on a cyclic chain and does not go deeper than its bound", () => {
    const a: { name: string; cause?: unknown } = { name: "AuthenticationRequiredError" };
    const b = Object.assign(new Error("b"), { name: "ClientAuthError", cause: a });
    a.cause = b;
    expect(describeTokenError(a)).toBe("AuthenticationRequiredError ClientAuthError");
    expect(describeTokenError(wrapped(10, 7000215, "x"))).not.toContain("AADSTS7000215");
  });

  it("gives our own refusal's message, however deep it was wrapped", () => {
    const ours = new BaselineViolationError(
      "TLS_CERTIFICATE_NOT_TRUSTED",
      "The certificate of login.example is not trusted.",
    );
    const error = { name: "AuthenticationRequiredError", cause: { name: "ClientAuthError", cause: ours } };
    expect(describeTokenError(error)).toBe(ours.message);
  });
});
