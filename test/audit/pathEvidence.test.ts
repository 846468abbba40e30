// The third review: a `request` record's `http.path` is the evidence of which operation ran, but a run of path words
// and ids (`/calling/callConnections/401f3500…`, `/rooms/<id>/participants`) read as one base64 run of 32+ characters
// with letters and digits, and the whole stretch became `[REDACTED]`. A path is now scrubbed with `/` as a separator
// that no key-shaped run crosses, unless a part of such a run is key-like on its own (a base64 key holds `/` too,
// and ends in `=`): then the run is redacted whole, as before.
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scrubPath } from "../../packages/acs-baseline/src/audit/record/redaction.js";

describe("http.path keeps the operation", () => {
  it.each([
    "/rooms/99466898241024408/participants",
    "/calling/callConnections/401f3500-fccb-4f3f-9a2b-1c2d3e4f5a6b:terminate",
    "/availablePhoneNumbers/searchResults/4c98aa11-2b3c-4d5e-8f90-1234567890ab",
    "/emails/operations/9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
  ])("%s is kept as it is", (path) => {
    expect(scrubPath(path)).toBe(path);
  });

  it("a phone number in a segment is still masked, and a thread id's key-shaped part still redacted", () => {
    expect(scrubPath("/phoneNumbers/%2B14255550177")).toBe("/phoneNumbers/***0177");
    expect(scrubPath("/chat/threads/19:a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6@thread.v2")).toBe(
      "/chat/threads/19:[REDACTED]@thread.v2",
    );
  });

  it("a secret or a phone number cut into several parts by a raw '/' is still redacted whole", () => {
    for (const path of [
      "/identities/a1b2c3d4e5f/6a7b8c9d0e1/f2a3b4c5d6e/7f8a9b0c1d2/e3f4a5b6c7d/8e9f0a1b2c3/:issueAccessToken",
      "/rooms/%2B1/425/555/0123/participants/abcdefgh",
    ]) {
      const out = scrubPath(path);
      expect(out).not.toContain("6a7b8c9d0e1");
      expect(out).not.toMatch(/425\/555/);
    }
  });

  it("an access key (32 or 64 random bytes, base64) in a path never comes out, wherever its '/' fall (property)", () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(32, 64)
          .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }))
          .filter((b) => new Set(b).size >= 16),
        fc.constantFrom("/x/", "/identities/", "/a/b/"),
        (bytes, prefix) => {
          const key = Buffer.from(bytes).toString("base64");
          const out = scrubPath(`${prefix}${key}/issueAccessToken`);
          for (const part of key.split("/").filter((p) => p.length >= 12)) expect(out).not.toContain(part);
          expect(out).not.toContain(key.slice(-8));
        },
      ),
      { numRuns: 500 },
    );
    const key = randomBytes(64).toString("base64");
    expect(scrubPath(`/identities/${key}`)).not.toContain(key.slice(0, 12));
  });
});
