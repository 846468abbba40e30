// A nextLink or operation-location may name the endpoint's host as a fully qualified name, with the trailing dot
// (`https://host./…`): the same host, so the guard's slow path (the URL does not start with the configured origin)
// lets it through; two dots, another port or a look-alike ending in a dot are still another host.
import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { BaselineViolationError } from "../../packages/acs-baseline/src/errors.js";
import { checkRequest, guardHttpClient } from "../../packages/acs-baseline/src/guard/requestGuard.js";

const target = { hostname: "contoso.communication.azure.com", port: 443 };
const local = { hostname: "localhost", port: 8443 };
const request = (url: string) =>
  createPipelineRequest({ url, headers: createHttpHeaders({ authorization: "Bearer eyJ0.eyJ0.c2ln" }) });
const refusal = (url: string, to = target): string | undefined => {
  try {
    checkRequest(request(url), to);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(BaselineViolationError);
    expect((e as BaselineViolationError).code).toBe("KEY_AUTH_BLOCKED");
    return (e as Error).message;
  }
};

describe("the endpoint's host with a trailing dot", () => {
  it.each([
    "https://contoso.communication.azure.com./rooms?api-version=2024-04-15&skipToken=abc",
    "https://CONTOSO.communication.azure.com.:443/emails/operations/1?api-version=2023-03-31",
  ])("is the configured host: %s", (url) => {
    expect(refusal(url)).toBeUndefined();
  });

  it("with a port: https://localhost.:8443 is https://localhost:8443", () => {
    expect(refusal("https://localhost.:8443/phoneNumbers?skip=2", local)).toBeUndefined();
  });

  it.each([
    ["two trailing dots", "https://contoso.communication.azure.com../rooms"],
    ["another port", "https://contoso.communication.azure.com.:8443/rooms"],
    ["a look-alike ending in a dot", "https://contoso.communication.azure.com.evil.example./rooms"],
    ["a parent domain", "https://communication.azure.com./rooms"],
    ["user-info", "https://u:p@contoso.communication.azure.com./rooms"],
  ])("is still refused with %s", (_name, url) => {
    expect(refusal(url)).toMatch(/another host|user-info/);
  });

  it("as the HttpClient, the request is handed on", async () => {
    const seen: string[] = [];
    const inner: HttpClient = {
      sendRequest: (r) => (
        seen.push(r.url),
        Promise.resolve({ request: r, status: 200, headers: createHttpHeaders() })
      ),
    };
    const url = "https://contoso.communication.azure.com./chat/threads?skipToken=tok2";
    await expect(guardHttpClient(inner, target).sendRequest(request(url))).resolves.toMatchObject({ status: 200 });
    expect(seen).toEqual([url]);
  });
});
