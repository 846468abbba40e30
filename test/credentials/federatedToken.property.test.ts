// The federated token file is outside input read by the factory and printed about by doctor: whatever it holds, the
// only outcomes are a description with a printable issuer and a sane expiry, or CREDENTIAL_NOT_CONFIGURED, and the
// token's content never appears in either.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BaselineViolationError } from "../../packages/acs-baseline/src/errors.js";
import { inspectFederatedTokenFile } from "../../packages/acs-baseline/src/credentials/federatedToken.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-fedtoken-");
const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

describe("inspectFederatedTokenFile", () => {
  it("describes a JWT by issuer and expiry only", () => {
    const file = join(dir, "jwt");
    writeFileSync(
      file,
      `${b64({ alg: "RS256" })}.${b64({ iss: "https://oidc.example/abc", exp: 2_000_000_000, sub: "SUBJECT-CANARY" })}.SIGNATURE-CANARY\n`,
    );
    expect(inspectFederatedTokenFile(file)).toEqual({
      issuer: "https://oidc.example/abc",
      expiresOn: new Date(2_000_000_000_000),
    });
  });

  it("property: arbitrary content gives a safe description or CREDENTIAL_NOT_CONFIGURED, never the content", () => {
    const claims = fc.record({
      iss: fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(undefined)),
      exp: fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(undefined)),
    });
    const content = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
      fc
        .tuple(fc.string({ maxLength: 40 }), claims, fc.string({ maxLength: 80 }))
        .map(([h, c, sig]) => Buffer.from(`${b64(h)}.${b64(c)}.${sig}`)),
      fc.string({ maxLength: 200 }).map((t) => Buffer.from(t)),
    );
    let i = 0;
    fc.assert(
      fc.property(content, (bytes) => {
        const file = join(dir, `f${i++}`);
        writeFileSync(file, bytes);
        const secretPart = bytes.toString("utf8").trim().split(".")[2] ?? "";
        try {
          const info = inspectFederatedTokenFile(file);
          if (info.issuer !== undefined) {
            expect(info.issuer).toMatch(/^[\x20-\x7e]{0,200}$/);
          }
          if (info.expiresOn !== undefined) expect(Number.isNaN(info.expiresOn.getTime())).toBe(false);
          if (secretPart.length >= 8) expect(JSON.stringify(info)).not.toContain(secretPart);
        } catch (error) {
          expect(error).toBeInstanceOf(BaselineViolationError);
          expect((error as BaselineViolationError).code).toBe("CREDENTIAL_NOT_CONFIGURED");
          const text = bytes.toString("utf8").trim();
          if (text.length >= 12) expect((error as Error).message).not.toContain(text.slice(0, 12));
        }
      }),
      { numRuns: 400 },
    );
  });
});
