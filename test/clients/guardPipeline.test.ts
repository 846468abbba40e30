// The request guard inside real SDK pipelines, driven by a recording HttpClient (the wire, let in with
// allowCustomHttpClient): redirects to another host, port or scheme, a policy that rewrites the URL, and a
// per-client httpClient are all blocked before the wire.
import { SmsClient } from "@azure/communication-sms";
import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient, PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { createHttpHeaders } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { AcsClientFactory, BaselineViolationError } from "../../packages/acs-baseline/src/index.js";

const ENDPOINT = "https://contoso.communication.azure.com";
const SMS = { from: "+14255550100", to: ["+14255550123"], message: "guard" };
const credential: TokenCredential = {
  getToken: () => Promise.resolve({ token: "eyJ.test.token", expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** A wire that records every request that reached it and answers with `respond`. */
function wire(
  respond: (request: PipelineRequest, n: number) => Partial<PipelineResponse>,
): HttpClient & { urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    sendRequest(request) {
      urls.push(request.url);
      const answer = respond(request, urls.length);
      return Promise.resolve({
        request,
        status: 200,
        headers: createHttpHeaders(),
        bodyAsText: '{"value":[]}',
        ...answer,
      });
    },
  };
}

const redirect = (location: string) => () => ({ status: 307, headers: createHttpHeaders({ location }) });

async function refusal(promise: Promise<unknown>): Promise<BaselineViolationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BaselineViolationError);
  expect((error as BaselineViolationError).code).toBe("KEY_AUTH_BLOCKED");
  return error as BaselineViolationError;
}

describe("request guard in real pipelines", () => {
  it.each([
    ["another host", "https://evil.example/sms"],
    ["a look-alike host", "https://contoso.communication.azure.com.evil.example/sms"],
    ["another port", "https://contoso.communication.azure.com:8443/sms"],
    ["plain http", "http://contoso.communication.azure.com/sms"],
  ])(
    "a redirect to %s is never followed onto the wire, even with allowCrossOriginRedirects",
    async (_name, location) => {
      for (const allowCrossOriginRedirects of [false, true]) {
        const http = wire(redirect(location));
        const factory = new AcsClientFactory({
          endpoint: ENDPOINT,
          credential,
          allowCustomHttpClient: true,
          clientOptions: {
            httpClient: http,
            retryOptions: { maxRetries: 0 },
            redirectOptions: { allowCrossOriginRedirects },
          },
        });
        const outcome = await factory
          .createSmsClient()
          .send(SMS)
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        // Upstream does not follow cross-origin redirects by default (the 307 comes back as an error); when told to,
        // the guard stops the redirected request.
        if (allowCrossOriginRedirects) {
          expect(outcome).toBeInstanceOf(BaselineViolationError);
          expect((outcome as BaselineViolationError).code).toBe("KEY_AUTH_BLOCKED");
        } else {
          expect(outcome).toMatchObject({ statusCode: 307 });
        }
        expect(http.urls).toHaveLength(1);
        expect(http.urls[0]?.startsWith(`${ENDPOINT}/`)).toBe(true);
        await factory.close();
      }
    },
  );

  it("a same-origin redirect: upstream re-sends it without Authorization, so the guard fails closed", async () => {
    const auth: (string | undefined)[] = [];
    const http = wire((request) => {
      auth.push(request.headers.get("authorization")?.split(" ")[0]);
      return { status: 307, headers: createHttpHeaders({ location: `${ENDPOINT}/sms-moved?api-version=2021-03-07` }) };
    });
    const factory = new AcsClientFactory({
      endpoint: ENDPOINT,
      credential,
      allowCustomHttpClient: true,
      clientOptions: { httpClient: http, retryOptions: { maxRetries: 0 } },
    });
    const error = await refusal(factory.createSmsClient().send(SMS));
    // The redirect policy runs after authentication and deletes Authorization: nothing unauthenticated is sent.
    expect(error.message).toContain("no Authorization");
    expect(auth).toEqual(["Bearer"]);
    await factory.close();
  });

  it("requests carry the client's TLS settings sealed once (frozen, verification on), and a policy cannot swap in weaker ones", async () => {
    const http = wire(() => ({ status: 202 }));
    const seenByPolicy: unknown[] = [];
    const seenByWire: unknown[] = [];
    const observe: PipelinePolicy = {
      name: "observe",
      sendRequest: (request, next) => {
        seenByPolicy.push(request.tlsSettings);
        return next(request);
      },
    };
    const wireSeen: HttpClient = {
      sendRequest: (request) => (seenByWire.push(request.tlsSettings), http.sendRequest(request)),
    };
    const tlsOptions = { ca: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----" };
    const factory = new AcsClientFactory({
      endpoint: ENDPOINT,
      credential,
      allowCustomHttpClient: true,
      clientOptions: {
        httpClient: wireSeen,
        tlsOptions,
        additionalPolicies: [{ policy: observe, position: "perRetry" }],
      },
    });
    await factory.createSmsClient().send(SMS);
    expect(seenByPolicy).toHaveLength(1);
    expect(Object.isFrozen(seenByPolicy[0])).toBe(true);
    expect(seenByPolicy[0]).toEqual({ ...tlsOptions, rejectUnauthorized: true });
    expect(seenByWire[0]).toBe(seenByPolicy[0]);
    // The caller's own object is left as it was.
    expect(Object.isFrozen(tlsOptions)).toBe(false);

    const weaken: PipelinePolicy = {
      name: "weaken",
      sendRequest: (request, next) => {
        request.tlsSettings = { ...request.tlsSettings, rejectUnauthorized: false } as PipelineRequest["tlsSettings"];
        return next(request);
      },
    };
    const sent = http.urls.length;
    const weakened = factory.createSmsClient({ additionalPolicies: [{ policy: weaken, position: "perRetry" }] });
    await expect(weakened.send(SMS)).rejects.toMatchObject({ code: "TLS_VERIFICATION_DISABLED" });
    expect(http.urls.length).toBe(sent);
    await factory.close();
  });

  it("the sealed TLS settings share no bytes with the caller's: rewriting them in place changes neither what is sent nor the caller's object", async () => {
    const PEM_A = "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n";
    const PEM_B = "-----BEGIN CERTIFICATE-----\nMIIBBBBB\n-----END CERTIFICATE-----\n";
    const caller = Buffer.from(PEM_A);
    const tlsOptions = { ca: [caller], pfx: [{ buf: Buffer.from([0x30, 0x82, 0xff]), passphrase: "p" }] };
    const seenByWire: unknown[] = [];
    const rewrite: PipelinePolicy = {
      name: "rewrite",
      sendRequest: (request, next) => {
        const ca = (request.tlsSettings as { ca: unknown[] }).ca;
        // Whatever a policy can reach: a Buffer is rewritten in place, a string cannot be.
        if (Buffer.isBuffer(ca[0])) ca[0].write(PEM_B);
        const pfx = (request.tlsSettings as { pfx: { buf: Buffer }[] }).pfx;
        expect(Object.isFrozen(pfx[0])).toBe(true);
        return next(request);
      },
    };
    const factory = new AcsClientFactory({
      endpoint: ENDPOINT,
      credential,
      allowCustomHttpClient: true,
      clientOptions: {
        httpClient: {
          sendRequest: (r) => (seenByWire.push(r.tlsSettings), wire(() => ({ status: 202 })).sendRequest(r)),
        },
        tlsOptions,
        additionalPolicies: [{ policy: rewrite, position: "perRetry" }],
      },
    });
    await factory.createSmsClient().send(SMS);
    await factory.createSmsClient().send(SMS);
    for (const seen of seenByWire) expect((seen as { ca: unknown[] }).ca).toEqual([PEM_A]);
    expect((seenByWire[0] as { pfx: { buf: Buffer }[] }).pfx[0]?.buf).not.toBe(tlsOptions.pfx[0]?.buf);
    // The caller's own Buffer: never handed out, so never rewritten.
    expect(caller.toString()).toBe(PEM_A);
    await factory.close();
  });

  it("without tlsOptions, no TLS policy is added to the client's pipeline and requests are still sealed", async () => {
    const seenByWire: unknown[] = [];
    const http = wire((request) => (seenByWire.push(request.tlsSettings), { status: 202 }));
    const factory = new AcsClientFactory({
      endpoint: ENDPOINT,
      credential,
      allowCustomHttpClient: true,
      clientOptions: { httpClient: http },
    });
    const client = factory.createSmsClient();
    const pipelines: { getOrderedPolicies(): { name: string }[] }[] = [];
    const visit = (value: unknown, depth: number): void => {
      if (typeof value !== "object" || value === null || depth > 4) return;
      if (typeof (value as { getOrderedPolicies?: unknown }).getOrderedPolicies === "function") {
        pipelines.push(value as (typeof pipelines)[number]);
        return;
      }
      for (const child of Object.values(value)) visit(child, depth + 1);
    };
    visit(client, 0);
    expect(pipelines.length).toBeGreaterThan(0);
    for (const p of pipelines) expect(p.getOrderedPolicies().map((x) => x.name)).not.toContain("tlsPolicy");
    await client.send(SMS);
    expect(Object.isFrozen(seenByWire[0])).toBe(true);
    expect(seenByWire[0]).toEqual({ rejectUnauthorized: true });
    await factory.close();
  });

  it("a user policy that rewrites the URL after authentication is blocked", async () => {
    const http = wire(() => ({ status: 202 }));
    const rewrite: PipelinePolicy = {
      name: "rewrite",
      sendRequest: (request, next) => {
        request.url = request.url.replace(ENDPOINT, "https://exfil.example");
        return next(request);
      },
    };
    const factory = new AcsClientFactory({
      endpoint: ENDPOINT,
      credential,
      allowCustomHttpClient: true,
      clientOptions: { httpClient: http, additionalPolicies: [{ policy: rewrite, position: "perRetry" }] },
    });
    await refusal(factory.createSmsClient().send(SMS));
    expect(http.urls).toEqual([]);
    await factory.close();
  });

  it("a per-client httpClient is guarded too", async () => {
    const http = wire(() => ({ status: 202 }));
    const strip: PipelinePolicy = {
      name: "strip",
      sendRequest: (request, next) => {
        request.headers.delete("authorization");
        return next(request);
      },
    };
    const factory = new AcsClientFactory({ endpoint: ENDPOINT, credential, allowCustomHttpClient: true });
    const sms = factory.createClient(SmsClient, {
      httpClient: http,
      additionalPolicies: [{ policy: strip, position: "perRetry" }],
    });
    const error = await refusal(sms.send(SMS));
    expect(error.message).toContain("no Authorization");
    expect(http.urls).toEqual([]);
    await factory.close();
  });

  it("a Bearer request to the configured endpoint goes through (the guard is not a blanket block)", async () => {
    const http = wire(() => ({
      status: 202,
      bodyAsText: JSON.stringify({
        value: [{ to: "+14255550123", messageId: "m", httpStatusCode: 202, successful: true }],
      }),
    }));
    const factory = new AcsClientFactory({
      endpoint: ENDPOINT,
      credential,
      allowCustomHttpClient: true,
      clientOptions: { httpClient: http },
    });
    const [result] = await factory.createSmsClient().send(SMS);
    expect(result?.successful).toBe(true);
    expect(http.urls).toHaveLength(1);
    expect(http.urls[0]?.startsWith(`${ENDPOINT}/sms`)).toBe(true);
    await factory.close();
  });
});
