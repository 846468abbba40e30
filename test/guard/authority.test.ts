// The authority check (issue 14 finding 9): https, a Microsoft cloud login host or an explicitly allowed host, matched
// like allowedHosts; anything else is AUTHORITY_NOT_ALLOWED and the message never echoes the value.
import { AzureAuthorityHosts } from "@azure/identity";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BaselineViolationError } from "../../packages/acs-baseline/src/errors.js";
import { MICROSOFT_AUTHORITY_HOSTS, validateAuthorityHost } from "../../packages/acs-baseline/src/guard/authority.js";

const outcome = (value: unknown, allowed: readonly string[] = []): string => {
  try {
    const a = validateAuthorityHost(value, allowed);
    return a.microsoft ? "microsoft" : "allowed";
  } catch (e) {
    if (e instanceof BaselineViolationError) return e.code;
    throw e;
  }
};

describe("validateAuthorityHost", () => {
  it("accepts every AzureAuthorityHosts value of @azure/identity and MSAL's known login hosts, with or without a trailing slash", () => {
    for (const host of Object.values(AzureAuthorityHosts)) {
      expect(outcome(host), host).toBe("microsoft");
      expect(outcome(`${host}/`), host).toBe("microsoft");
    }
    for (const host of MICROSOFT_AUTHORITY_HOSTS) expect(outcome(`https://${host}`), host).toBe("microsoft");
    expect(outcome("HTTPS://LOGIN.MICROSOFTONLINE.US")).toBe("microsoft");
  });

  it("defaults to the public cloud when none is configured", () => {
    expect(validateAuthorityHost(undefined)).toEqual({
      origin: "https://login.microsoftonline.com",
      hostname: "login.microsoftonline.com",
      microsoft: true,
    });
  });

  it.each([
    "http://login.microsoftonline.com",
    "http://localhost:8443",
    "ftp://login.microsoftonline.com",
    "https://login.microsoftonline.com.evil.example",
    "https://evil.example/login.microsoftonline.com",
    "https://login.microsoftonline.com@evil.example",
    "https://user:pass@login.microsoftonline.com",
    "https://login.microsoftonline.com/?x=login.microsoftonline.com",
    "https://login.microsoftonline.com/#frag",
    "https://login.microsoftonline.com/common",
    "https://xn--login-microsoftonline-com.example",
    "https://lоgin.microsoftonline.com", // Cyrillic о
    "https://login-microsoftonline.com",
    "https://microsoftonline.com",
    "https://login.microsoftonline.co",
    "https://127.0.0.1:8443",
    "https://localhost:8443",
    "https://login.microsoftonline.com.",
    " https://login.microsoftonline.com",
    "login.microsoftonline.com",
    "",
    42,
    null,
  ])("refuses %j with AUTHORITY_NOT_ALLOWED", (value) => {
    expect(outcome(value)).toBe("AUTHORITY_NOT_ALLOWED");
  });

  it("admits an allow-listed host (matched like allowedHosts) but never over http", () => {
    expect(outcome("https://localhost:8443", ["localhost"])).toBe("allowed");
    expect(outcome("https://adfs.contoso.example", ["*.contoso.example"])).toBe("allowed");
    expect(outcome("https://contoso.example", ["*.contoso.example"])).toBe("AUTHORITY_NOT_ALLOWED");
    expect(outcome("https://adfs.contoso.example.evil.example", ["*.contoso.example"])).toBe("AUTHORITY_NOT_ALLOWED");
    expect(outcome("http://localhost:8443", ["localhost"])).toBe("AUTHORITY_NOT_ALLOWED");
    expect(outcome("https://127.0.0.1:8443", ["localhost"])).toBe("AUTHORITY_NOT_ALLOWED");
    expect(outcome("https://login.microsoftonline.com", ["localhost"])).toBe("microsoft");
  });

  it("property: a host that is neither Microsoft's nor allow-listed is refused, and the message never echoes the value", () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 1, maxLength: 4 }),
        fc.constantFrom("", ":8443"),
        fc.stringMatching(/^[A-Za-z0-9]{12}$/),
        (labels, port, canary) => {
          const host = `${canary.toLowerCase()}.${labels.join(".")}`;
          fc.pre(!MICROSOFT_AUTHORITY_HOSTS.includes(host));
          try {
            validateAuthorityHost(`https://${host}${port}`, ["allowed.example"]);
            return false;
          } catch (e) {
            expect(e).toBeInstanceOf(BaselineViolationError);
            expect((e as BaselineViolationError).code).toBe("AUTHORITY_NOT_ALLOWED");
            expect((e as Error).message.toLowerCase()).not.toContain(canary.toLowerCase());
            return true;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
