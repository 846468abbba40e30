import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BaselineViolationError } from "../../packages/acs-baseline/src/errors.js";
import {
  DEFAULT_ALLOWED_HOSTS,
  hostMatches,
  validateEndpoint,
} from "../../packages/acs-baseline/src/guard/endpoint.js";

const codeOf = (endpoint: unknown, allowed: readonly string[] = DEFAULT_ALLOWED_HOSTS): string => {
  try {
    validateEndpoint(endpoint, allowed);
    return "OK";
  } catch (e) {
    if (e instanceof BaselineViolationError) return e.code;
    throw e;
  }
};

const INSECURE = [
  "http://contoso.communication.azure.com",
  "HTTP://contoso.communication.azure.com",
  "ftp://contoso.communication.azure.com",
  "ws://contoso.communication.azure.com",
  "wss://contoso.communication.azure.com",
  "file:///etc/passwd",
  "javascript:alert(1)",
  "data:text/plain,hello",
  "http://user:pass@contoso.communication.azure.com",
  "  http://contoso.communication.azure.com",
  "httpss://contoso.communication.azure.com",
  "sftp://contoso.communication.azure.com",
  "ldap://contoso.communication.azure.com",
  "gopher://contoso.communication.azure.com",
  "http://127.0.0.1",
  "http://localhost:8080",
  "mailto:x@contoso.communication.azure.com",
  "git+https://contoso.communication.azure.com",
  "https+unix://contoso.communication.azure.com",
  "blob:https://contoso.communication.azure.com",
];

const NOT_ALLOWED = [
  "contoso.communication.azure.com",
  "//contoso.communication.azure.com",
  "https:/contoso.communication.azure.com",
  "https:contoso.communication.azure.com",
  "https://",
  "https:///",
  "https://communication.azure.com",
  "https://azure.com",
  "https://contoso.communication.azure.com.evil.example",
  "https://contoso-communication.azure.com",
  "https://contosocommunication.azure.com",
  "https://contoso.communication.azure.co",
  "https://contoso.communication.azure.com.",
  "https://contoso.communication.azure.comm",
  "https://contoso.communication.azure.cn",
  "https://contoso.communication.azure.us.evil.example",
  "https://evil.example/contoso.communication.azure.com",
  "https://evil.example?contoso.communication.azure.com",
  "https://evil.example#contoso.communication.azure.com",
  "https://contoso.communication.azure.com@evil.example",
  "https://user@contoso.communication.azure.com",
  "https://user:pass@contoso.communication.azure.com",
  "https://:pass@contoso.communication.azure.com",
  "https://contoso.communication.azure.com:443@evil.example",
  "https://contoso.communication.azure.com/sms",
  "https://contoso.communication.azure.com/identities/",
  "https://contoso.communication.azure.com//",
  "https://contoso.communication.azure.com/?",
  "https://contoso.communication.azure.com/?api-version=2021-03-07",
  "https://contoso.communication.azure.com?x=1",
  "https://contoso.communication.azure.com#",
  "https://contoso.communication.azure.com/#frag",
  "https://contoso.communication.azure.com/%2e%2e/",
  "https://contoso.communication.azure.com/..",
  "https://contoso.communication.azure.com\\@evil.example",
  "https://contoso.communication.azure.com\\",
  "https://contoso.communication.azure.com ",
  " https://contoso.communication.azure.com",
  "https://contoso.communication.azure.com\n",
  "https://contoso.communication.azure.com\t",
  "https://conto so.communication.azure.com",
  "https://contoso.communication.azure.com\u0000",
  "https://contoso.communication.azure.com\u200b",
  "https://contоso.communication.azure.com", // Cyrillic o
  "https://contoso.cоmmunication.azure.com",
  "https://contoso.communication.azurе.com",
  "https://xn--contso-5ve.communication.azure.com",
  "https://contoso.xn--communcation-abc.azure.com",
  "https://xn--80ak6aa92e.com",
  "https://ⅽontoso.communication.azure.com",
  "https://contoso。communication.azure.com",
  "https://contoso．communication．azure．com",
  "https://ＣＯＮＴＯＳＯ.communication.azure.com",
  "https://127.0.0.1",
  "https://localhost",
  "https://[::1]",
  "https://10.0.0.1",
  "https://169.254.169.254",
  "https://0x7f000001",
  "https://2130706433",
  "https://contoso.communication.azure.com:99999",
  "https://contoso.communication.azure.com:-1",
  "https://contoso.communication.azure.com:abc",
  "https://contoso..communication.azure.com.evil",
  "https://.communication.azure.com",
  "https://*.communication.azure.com",
  "https://%63ontoso.communication.azure.com.evil.example",
  "https://contoso.communication.azure.com%2F@evil.example",
  "https://contoso.communication.azure.com%23@evil.example",
  "https://evil.example%2F.communication.azure.com",
  `https://${"a".repeat(3000)}.communication.azure.com`,
  `https://contoso.communication.azure.com/${"a".repeat(5000)}`,
  "https://contoso.communication.azure.com/;accesskey=abc",
  "https://contoso.communication.azure.com/?accesskey=abc",
  "https://contoso.communication.azure.com/sms?api-version=1",
  "https://contoso.communication.azure.com/ ",
  "https://contoso.communication.azure.com\r\nX-Injected: 1",
  "https://contoso.communication.azure.com\u2028",
  "https://evil.example:443",
  "https://communication.azure.com.evil.example",
  "https://contoso.communication.azure.us.cn",
  "https://contoso.communication.azure.gov",
  "https://contoso.communication.microsoft.com",
  "https://contoso.communications.azure.com",
  "https://contoso.comunication.azure.com",
  "https://contoso.communication-azure.com",
  "https://contoso.communication.azure.com.",
];

const OK = [
  "https://contoso.communication.azure.com",
  "https://contoso.communication.azure.com/",
  "https://CONTOSO.Communication.Azure.Com",
  "https://contoso.unitedstates.communication.azure.com",
  "https://contoso.communication.azure.us",
  "https://contoso.communication.azure.com:443",
  "https://contoso.communication.azure.com:8443/",
];

describe("validateEndpoint", () => {
  it("has a corpus of at least 100 malformed endpoints", () => {
    expect(INSECURE.length + NOT_ALLOWED.length).toBeGreaterThanOrEqual(100);
  });

  it.each(INSECURE)("INSECURE_ENDPOINT: %s", (endpoint) => {
    expect(codeOf(endpoint)).toBe("INSECURE_ENDPOINT");
  });

  it.each(NOT_ALLOWED.map((e) => [JSON.stringify(e).slice(0, 90), e]))(
    "ENDPOINT_NOT_ALLOWED: %s",
    (_label, endpoint) => {
      expect(codeOf(endpoint)).toBe("ENDPOINT_NOT_ALLOWED");
    },
  );

  it.each(OK)("accepts %s", (endpoint) => {
    expect(codeOf(endpoint)).toBe("OK");
  });

  it("normalises to an origin without a trailing slash and keeps the port", () => {
    expect(validateEndpoint("https://CONTOSO.communication.azure.com/")).toEqual({
      origin: "https://contoso.communication.azure.com",
      hostname: "contoso.communication.azure.com",
      port: 443,
    });
    expect(validateEndpoint("https://127.0.0.1:8443", ["127.0.0.1"])).toEqual({
      origin: "https://127.0.0.1:8443",
      hostname: "127.0.0.1",
      port: 8443,
    });
    expect(validateEndpoint("https://[::1]:8443", ["::1"]).hostname).toBe("::1");
  });

  it("ENDPOINT_NOT_CONFIGURED for a missing, empty, blank or non-string endpoint, naming the option", () => {
    for (const value of [undefined, null, "", " ", "\t\n", 42, {}, ["https://contoso.communication.azure.com"]]) {
      expect(codeOf(value)).toBe("ENDPOINT_NOT_CONFIGURED");
    }
    expect(() => validateEndpoint(undefined)).toThrow(
      "[DP-3 ENDPOINT_NOT_CONFIGURED] No ACS endpoint: the endpoint option is missing, empty or not a string. Set it to https://<name>.communication.azure.com.",
    );
  });

  it("never echoes the endpoint in the message", () => {
    for (const endpoint of [...INSECURE, ...NOT_ALLOWED].filter((e) => e.length > 12)) {
      try {
        validateEndpoint(endpoint);
      } catch (e) {
        expect((e as Error).message).not.toContain(endpoint);
      }
    }
  });
});

describe("allowedHosts matching", () => {
  it("*.x matches any subdomain of x, not x itself; other entries are exact; ports are not matched", () => {
    expect(hostMatches("a.b.c", "*.b.c")).toBe(true);
    expect(hostMatches("x.a.b.c", "*.b.c")).toBe(true);
    expect(hostMatches("b.c", "*.b.c")).toBe(false);
    expect(hostMatches("ab.c", "*.b.c")).toBe(false);
    expect(hostMatches("b.c", "b.c")).toBe(true);
    expect(hostMatches("a.b.c", "b.c")).toBe(false);
    expect(codeOf("https://my.host:9999", ["my.host"])).toBe("OK");
  });

  it("property: subdomains of an allowed suffix pass, anything with a different suffix fails", () => {
    // Not `xn--…`: an A-label that is not valid Punycode (`xn--0`) is rightly refused, so it is no ordinary subdomain.
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/).filter((l) => !l.startsWith("xn--"));
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 1, maxLength: 3 }),
        fc.option(fc.integer({ min: 1, max: 65535 })),
        (labels, port) => {
          const host = `${labels.join(".")}.communication.azure.com`;
          const url = `https://${host}${port === null ? "" : `:${port}`}`;
          expect(codeOf(url)).toBe("OK");
          expect(codeOf(`https://${host}.evil.example`)).toBe("ENDPOINT_NOT_ALLOWED");
          expect(codeOf(`http://${host}`)).toBe("INSECURE_ENDPOINT");
          expect(codeOf(`${url}/path`)).toBe("ENDPOINT_NOT_ALLOWED");
          expect(codeOf(`https://u:p@${host}`)).toBe("ENDPOINT_NOT_ALLOWED");
        },
      ),
    );
  });

  it("property: arbitrary strings never crash the validator and give one of the three outcomes", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.string({ unit: "binary" })), (value) => {
        expect(["OK", "INSECURE_ENDPOINT", "ENDPOINT_NOT_ALLOWED", "ENDPOINT_NOT_CONFIGURED"]).toContain(codeOf(value));
        if (codeOf(value) === "ENDPOINT_NOT_CONFIGURED") expect(value.trim()).toBe("");
      }),
      { numRuns: 500 },
    );
  });
});
