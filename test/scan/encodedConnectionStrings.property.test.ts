// The attack: a connection string kept base64-encoded (a Kubernetes Secret's `data:`, a CI variable, a `.env` file
// encoded whole, a `Buffer.from("…", "base64")` in code) passed every rule, because each rule reads the text as
// written. A base64 run that holds the encoding of `endpoint=` is now decoded at each alignment, and a connection
// string with a real key in it is reported on the run, the key masked; the encoded text is never echoed.
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scanText } from "../../packages/cli/src/scan/scan.js";
import { encodedConnectionStringFindings } from "../../packages/cli/src/scan/text/encodedConnectionStrings.js";

const ENDPOINT = "https://contoso.communication.azure.com/";
const connectionString = (key: string, name = "endpoint", eq = "=") => `${name}${eq}${ENDPOINT};accesskey=${key}`;
const b64 = (text: string) => Buffer.from(text, "latin1").toString("base64");

function expectReported(file: string, text: string, secrets: string[]): void {
  const findings = scanText(file, text).filter((f) => f.ruleId === "acs-baseline/connection-string");
  expect(findings.length).toBeGreaterThan(0);
  expect(findings[0].message).toContain("base64-encoded");
  expect(findings[0].message).toContain("accesskey=***");
  const shown = JSON.stringify(findings);
  for (const secret of secrets) expect(shown).not.toContain(secret);
}

describe("base64-encoded connection strings", () => {
  const key = randomBytes(64).toString("base64");

  it("in a Kubernetes Secret's data, on the value's line", () => {
    const encoded = b64(connectionString(key));
    const text = `apiVersion: v1\nkind: Secret\ndata:\n  ACS_CONNECTION_STRING: ${encoded}\n`;
    expectReported("k8s/secret.yaml", text, [key, encoded]);
    expect(scanText("k8s/secret.yaml", text)[0]).toMatchObject({ line: 4, column: 26 });
  });

  it("in JavaScript and Python source, in a .env file encoded whole, as base64url, and glued to a name", () => {
    const encoded = b64(connectionString(key, "Endpoint"));
    expectReported("src/app.ts", `const s = Buffer.from("${encoded}", "base64").toString();\n`, [key, encoded]);
    expectReported("app.py", `s = base64.b64decode("${encoded}")\n`, [key, encoded]);
    const whole = b64(`FOO=1\nACS_CONNECTION_STRING=${connectionString(key, "ENDPOINT")}\n`);
    expectReported("config/env.b64", `${whole}\n`, [key, whole]);
    const url = Buffer.from(connectionString(key)).toString("base64url");
    expectReported("values.yaml", `acs: ${url}\n`, [key, url]);
    expectReported("values.yaml", `acs: secret_${encoded}\n`, [key, encoded]);
  });

  it("at every alignment inside a larger encoded text (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        // A key as random as a real one (fast-check favours all-zero arrays, which read as a placeholder).
        fc.uint8Array({ minLength: 32, maxLength: 64 }).filter((b) => new Set(b).size >= 16),
        // Any casing the ACS SDKs' case-insensitive parser takes, and white space around `=`.
        fc.mixedCase(fc.constant("endpoint")),
        fc.constantFrom("=", " =", "= ", " = "),
        (before, after, keyBytes, name, eq) => {
          const secret = Buffer.from(keyBytes).toString("base64");
          const encoded = b64(`${before}\n${connectionString(secret, name, eq)}\n${after}`);
          const findings = encodedConnectionStringFindings("blob.txt", `value: ${encoded}\n`);
          expect(findings).toHaveLength(1);
          expect(JSON.stringify(findings)).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("whatever the endpoint's form: http://, an upper-case scheme, no scheme at all (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("http://", "HTTP://", "HTTPS://", "Https://", ""),
        fc.mixedCase(fc.constant("endpoint")),
        fc.constantFrom("accesskey", "AccessKey", "ACCESSKEY", "accessKey", "Accesskey"),
        fc.string({ maxLength: 12 }),
        (scheme, name, keyName, before) => {
          const text = `${before}${name}=${scheme}contoso.communication.azure.com/;${keyName}=${key}`;
          const encoded = b64(text);
          const findings = encodedConnectionStringFindings("blob.txt", `value: ${encoded}\n`);
          expect(findings).toHaveLength(1);
          expect(JSON.stringify(findings)).not.toContain(key);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("leaves placeholders, endpoints alone and other base64 to the plain rules (no finding)", () => {
    for (const text of [
      b64(connectionString("<your-access-key>")),
      b64(`endpoint=${ENDPOINT}`),
      b64("endpoint=https://example.com/;something=else"),
      randomBytes(3000).toString("base64"),
    ])
      expect(encodedConnectionStringFindings("x.yaml", `v: ${text}\n`)).toEqual([]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const text = Buffer.from(bytes).toString("base64");
        expect(encodedConnectionStringFindings("x.yaml", text)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("hostile input: a megabyte of encoded `endpoint=` fragments, one run or many, ends with no finding", () => {
    const fragment = b64("endpoint=");
    expect(encodedConnectionStringFindings("x.txt", fragment.repeat(90_000))).toEqual([]);
    expect(encodedConnectionStringFindings("x.txt", `${fragment} `.repeat(80_000))).toEqual([]);
    for (const word of ["accesskey=", ";AccessKey=", "http://"])
      expect(encodedConnectionStringFindings("x.txt", b64(word).repeat(1_000_000 / 16))).toEqual([]);
    // A run longer than the limit (a binary blob) is not decoded, even when it holds a connection string.
    const blob = b64(`${"x".repeat(100_000)}${connectionString(key)}`);
    expect(encodedConnectionStringFindings("x.txt", blob)).toEqual([]);
  });
});
