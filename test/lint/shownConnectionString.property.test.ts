// A connection-string finding shows the endpoint's scheme and host only: a SAS signature or user info in the endpoint,
// or another pair's value before the key, must never reach the text, JSON or SARIF output (third review, item 8).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findConnectionStringsInAnySpelling } from "acs-baseline/internal/text";
import { shownConnectionString } from "../../packages/eslint-plugin/src/analysis/shownConnectionString.js";
import { scanText } from "../../packages/cli/src/scan/scan.js";

const HOST = "contoso.communication.azure.com";
const base64 = fc.uint8Array({ minLength: 16, maxLength: 48 }).map((b) => Buffer.from(b).toString("base64"));
const key = fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => Buffer.from(b).toString("base64"));
/** Where a secret can sit in a connection string besides the key. */
const place = fc.constantFrom(
  (s: string) => `endpoint=https://${HOST}/?sig=${s}`,
  (s: string) => `endpoint=https://${s}@${HOST}/`,
  (s: string) => `endpoint=https://${encodeURIComponent(s)}@${HOST}/`,
  (s: string) => `endpoint=https://${HOST}/${s}`,
  (s: string) => `endpoint=https://${HOST}/;foo=${s}`,
  (s: string) => `Endpoint="https://${HOST}/?se=1&sig=${s}"`,
);

/** True when `out` holds any 10 characters of `secret` in a row. */
const leaks = (out: string, secret: string) =>
  Array.from({ length: Math.max(0, secret.length - 9) }, (_, i) => secret.slice(i, i + 10)).some((p) =>
    out.includes(p),
  );

describe("shownConnectionString", () => {
  it("never shows a secret in the endpoint or another pair, nor the key", () => {
    fc.assert(
      fc.property(place, base64, key, (at, secret, k) => {
        const text = `ACS=${at(secret)};accesskey=${k}\n`;
        const shown = findConnectionStringsInAnySpelling(text).map((m) => shownConnectionString(m.masked));
        const messages = scanText("a.env", text).map((f) => f.message);
        expect(messages.length).toBeGreaterThan(0);
        for (const out of [...shown, ...messages]) {
          expect(leaks(out, secret)).toBe(false);
          expect(leaks(out, k)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("shows the scheme, host and port of a plain endpoint", () => {
    expect(shownConnectionString(`endpoint=https://${HOST}/;accesskey=***`)).toBe(
      `endpoint=https://${HOST}/;accesskey=***`,
    );
    expect(shownConnectionString(`Endpoint = "http://localhost.test:8080/x?sig=abc"; AccessKey = "***"`)).toBe(
      "endpoint=http://localhost.test:8080/;accesskey=***",
    );
    expect(shownConnectionString(`endpoint=https://user:pw@${HOST}/;accesskey=***`)).toBe(
      `endpoint=https://${HOST}/;accesskey=***`,
    );
    expect(shownConnectionString("accesskey=***;endpoint=${ep}")).toBe("endpoint=…;accesskey=***");
  });
});
