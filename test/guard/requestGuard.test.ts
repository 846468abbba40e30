import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import type { HttpClient, PipelineRequest } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { BaselineViolationError } from "../../packages/acs-baseline/src/errors.js";
import {
  checkRequest,
  guardHttpClient,
  sealedTlsSettings,
} from "../../packages/acs-baseline/src/guard/requestGuard.js";

const target = { hostname: "contoso.communication.azure.com", port: 443 };
const request = (url: string, authorization?: string) =>
  createPipelineRequest({ url, headers: createHttpHeaders(authorization === undefined ? {} : { authorization }) });
const blocked = (url: string, authorization?: string) => {
  try {
    checkRequest(request(url, authorization), target);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(BaselineViolationError);
    expect((e as BaselineViolationError).code).toBe("KEY_AUTH_BLOCKED");
    return (e as Error).message;
  }
};

describe("request guard", () => {
  it("lets Bearer requests to the configured host through", () => {
    expect(blocked("https://contoso.communication.azure.com/sms?api-version=2021-03-07", "Bearer eyJ")).toBeUndefined();
    expect(blocked("https://contoso.communication.azure.com:443/sms", "Bearer eyJ")).toBeUndefined();
    expect(blocked("https://CONTOSO.communication.azure.com/sms", "Bearer eyJ")).toBeUndefined();
  });

  it.each([
    ["http", "http://contoso.communication.azure.com/sms", "Bearer x", "not https"],
    ["another host", "https://evil.example/sms", "Bearer x", "another host"],
    ["a look-alike host", "https://contoso.communication.azure.com.evil.example/sms", "Bearer x", "another host"],
    ["another port", "https://contoso.communication.azure.com:8443/sms", "Bearer x", "another host"],
    ["user-info", "https://u:p@contoso.communication.azure.com/sms", "Bearer x", "user-info"],
    [
      "HMAC-SHA256",
      "https://contoso.communication.azure.com/sms",
      "HMAC-SHA256 SignedHeaders=host&Signature=c2ln",
      "HMAC-SHA256",
    ],
    ["no Authorization", "https://contoso.communication.azure.com/sms", undefined, "no Authorization"],
    ["Basic", "https://contoso.communication.azure.com/sms", "Basic dTpw", "not Bearer"],
    ["SharedKey", "https://contoso.communication.azure.com/sms", "SharedKey acct:c2ln", "not Bearer"],
  ])("blocks %s", (_name, url, authorization, reason) => {
    const message = blocked(url, authorization);
    expect(message).toContain(reason);
    expect(message).not.toContain("c2ln");
    expect(message).not.toContain("dTpw");
  });

  it("as the HttpClient, never calls the inner client for a blocked request", async () => {
    let sent = 0;
    const inner: HttpClient = {
      sendRequest: (r) => (sent++, Promise.resolve({ request: r, status: 200, headers: createHttpHeaders() })),
    };
    const guarded = guardHttpClient(inner, target);
    await expect(
      guarded.sendRequest(request("https://contoso.communication.azure.com/sms", "HMAC-SHA256 x")),
    ).rejects.toMatchObject({ code: "KEY_AUTH_BLOCKED" });
    expect(sent).toBe(0);
    await guarded.sendRequest(request("https://contoso.communication.azure.com/sms", "Bearer x"));
    expect(sent).toBe(1);
  });

  describe("a client's sealed TLS settings (known by identity, no per-request copy)", () => {
    const recording = () => {
      const seen: PipelineRequest[] = [];
      const inner: HttpClient = {
        sendRequest: (r) => (seen.push(r), Promise.resolve({ request: r, status: 200, headers: createHttpHeaders() })),
      };
      return { seen, inner };
    };
    const withTls = (tlsSettings: unknown) => {
      const r = request("https://contoso.communication.azure.com/sms", "Bearer x");
      r.tlsSettings = tlsSettings as PipelineRequest["tlsSettings"];
      return r;
    };

    it("are a frozen copy with verification forced on, sent as they are", async () => {
      const caller = { ca: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----" };
      const sealed = sealedTlsSettings(caller);
      expect(Object.isFrozen(sealed)).toBe(true);
      expect(sealed).toEqual({ ...caller, rejectUnauthorized: true });
      expect(sealedTlsSettings(caller)).toBe(sealed);
      expect(Object.isFrozen(sealedTlsSettings(undefined))).toBe(true);
      const { seen, inner } = recording();
      await guardHttpClient(inner, target, undefined, 0, {}, sealed).sendRequest(withTls(sealed));
      expect(seen[0]?.tlsSettings).toBe(sealed);
    });

    it("do not let any other settings object through unchecked", async () => {
      const sealed = sealedTlsSettings({ ca: "x" });
      const { seen, inner } = recording();
      const guarded = guardHttpClient(inner, target, undefined, 0, {}, sealed);
      await expect(guarded.sendRequest(withTls({ ca: "x", rejectUnauthorized: false }))).rejects.toMatchObject({
        code: "TLS_VERIFICATION_DISABLED",
      });
      // An equal-looking copy is checked and sealed like any caller's settings.
      await guarded.sendRequest(withTls({ ca: "x" }));
      expect(seen[0]?.tlsSettings).not.toBe(sealed);
      expect((seen[0]?.tlsSettings as { rejectUnauthorized?: unknown } | undefined)?.rejectUnauthorized).toBe(true);
    });

    it("are trusted only when this module sealed them: a look-alike handed to the guard is checked per request", async () => {
      const lookAlike = Object.freeze({
        ca: "x",
        rejectUnauthorized: true,
        checkServerIdentity: () => undefined,
      }) as unknown as PipelineRequest["tlsSettings"];
      const { seen, inner } = recording();
      const guarded = guardHttpClient(inner, target, undefined, 0, {}, lookAlike);
      await expect(guarded.sendRequest(withTls(lookAlike))).rejects.toMatchObject({
        code: "TLS_VERIFICATION_DISABLED",
      });
      expect(seen).toEqual([]);
    });
  });
});
