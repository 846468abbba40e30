import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { BaselineViolationError } from "../../packages/acs-baseline/src/errors.js";
import { checkRequest, guardHttpClient } from "../../packages/acs-baseline/src/guard/requestGuard.js";

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
});
