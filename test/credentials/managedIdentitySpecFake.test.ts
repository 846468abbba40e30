/**
 * The factory's managed-identity credential against an independent App Service identity endpoint (2019-08-01) that
 * answers as Microsoft documents it, including what older hosts and IMDS send: `expires_on` as a number, a numeric
 * string or a date string, `expires_in` only, `refresh_in`, throttling (429 with `Retry-After`), 5xx, and OAuth error
 * bodies. Through the real ARM session (openArmSession) and checkPosture against a spec-shaped ARM fake. This file
 * sets IDENTITY_ENDPOINT/IDENTITY_HEADER in process.env (each test file runs in its own process).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openArmSession } from "../../packages/acs-baseline/src/posture/armSession.js";
import { checkPosture } from "../../packages/acs-baseline/src/posture/index.js";
import { check } from "../support/posture.js";
import type { SpecFake, SpecReply } from "../support/specArmFake.js";
import { startSpecFake } from "../support/specArmFake.js";

let identity: SpecFake;
let arm: SpecFake;
const HEADER = "identity-header-value-0123456789";
const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const RESOURCE = `/subscriptions/${SUB}/resourceGroups/rg-acs/providers/Microsoft.Communication/communicationServices/acs-mi`;
const TOKEN = "eyJhbGciOiJub25lIn0.eyJvaWQiOiIxMjMifQ.c2ln";

beforeAll(async () => {
  [identity, arm] = await Promise.all([startSpecFake("identity"), startSpecFake("arm")]);
  arm.handle((r) =>
    r.path === RESOURCE.toLowerCase()
      ? { json: { id: RESOURCE, name: "acs-mi", properties: { disableLocalAuth: true } } }
      : { json: { value: [] } },
  );
});
afterAll(() => Promise.all([identity.close(), arm.close()]));
afterEach(() => {
  delete process.env.IDENTITY_ENDPOINT;
  delete process.env.IDENTITY_HEADER;
  identity.requests.length = 0;
});

/** Answers each token request with the next reply (the last one repeats). */
function answer(...replies: SpecReply[]) {
  let i = 0;
  identity.handle((r) =>
    r.headers["x-identity-header"] !== HEADER
      ? { status: 401, json: { error: "unauthorized" } }
      : replies[Math.min(i++, replies.length - 1)],
  );
  process.env.IDENTITY_ENDPOINT = `${identity.endpoint}/msi/token`;
  process.env.IDENTITY_HEADER = HEADER;
}

const session = () =>
  openArmSession({
    managedIdentity: {},
    armEndpoint: arm.endpoint,
    clientOptions: { tlsOptions: { ca: arm.caCertificatePem }, retryOptions: { maxRetries: 0 } },
  });
const getToken = () => session().credential.getToken(`${arm.endpoint}/.default`);
const inSeconds = (ms: number) => Math.round(ms / 1000);
const now = () => Math.floor(Date.now() / 1000);
/** `12/7/2026 5:04:03 AM +00:00`, as App Service's 2017-09-01 endpoint writes expires_on. */
function appServiceDate(at: number): string {
  const d = new Date(at * 1000);
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"} +00:00`;
}

describe("managed identity against a spec-shaped App Service endpoint", () => {
  it("asks as 2019-08-01 does: resource without /.default, the identity header", async () => {
    answer({
      json: {
        access_token: TOKEN,
        expires_on: String(now() + 3600),
        resource: arm.endpoint,
        token_type: "Bearer",
        client_id: "x",
      },
    });
    const token = await getToken();
    expect(token?.token).toBe(TOKEN);
    const sent = identity.requests[0];
    expect(sent?.query.get("api-version")).toBe("2019-08-01");
    expect(sent?.query.get("resource")).toBe(arm.endpoint);
  });

  it.each<[string, (at: number) => Record<string, unknown>]>([
    ["expires_on as a number", (at) => ({ expires_on: at })],
    ["expires_on as a date string (older App Service)", (at) => ({ expires_on: new Date(at * 1000).toUTCString() })],
    ["expires_on as App Service's older M/d/yyyy h:mm:ss AM +00:00", (at) => ({ expires_on: appServiceDate(at) })],
    ["expires_in only, as a string (IMDS)", () => ({ expires_in: "3600" })],
    ["expires_in only, as a number", () => ({ expires_in: 3600 })],
  ])("reads %s", async (_what, expiry) => {
    const at = now() + 3600;
    answer({ json: { access_token: TOKEN, token_type: "Bearer", resource: arm.endpoint, ...expiry(at) } });
    const token = await getToken();
    expect(Math.abs(inSeconds(token?.expiresOnTimestamp ?? 0) - at)).toBeLessThanOrEqual(2);
  });

  it("takes refresh_in as when to refresh", async () => {
    answer({ json: { access_token: TOKEN, expires_in: "86400", refresh_in: 43200, token_type: "Bearer" } });
    const token = await getToken();
    expect(Math.abs(inSeconds(token?.refreshAfterTimestamp ?? 0) - (now() + 43200))).toBeLessThanOrEqual(2);
  });

  it("asks again after a 429 with Retry-After and after a 500, then reads the token", async () => {
    answer(
      { status: 429, headers: { "retry-after": "1" }, json: { error: "too_many_requests" } },
      { status: 500, json: { error: "server_error" } },
      { json: { access_token: TOKEN, expires_in: 3600 } },
    );
    const started = Date.now();
    expect((await getToken())?.token).toBe(TOKEN);
    expect(identity.requests.length).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("gives up after a bounded number of attempts on a lasting 503, naming the status only", async () => {
    answer({ status: 503, headers: { "retry-after": "0" }, text: `down ${HEADER}` });
    const error = await getToken().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/answered HTTP 503 without a token \(4 attempts\)/);
    expect(error?.message).not.toContain(HEADER);
    expect(identity.requests.length).toBe(4);
  });

  it("does not ask again on a 400 OAuth error, and quotes nothing of it", async () => {
    answer({ status: 400, json: { error: "invalid_resource", error_description: `SECRET ${HEADER}` } });
    const error = await getToken().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/answered HTTP 400 without a token\.$/);
    expect(error?.message).not.toMatch(/SECRET/);
    expect(identity.requests.length).toBe(1);
  });

  it("IMDS (moved by AZURE_POD_IDENTITY_AUTHORITY_HOST): Metadata header, 2018-02-01, asked again after 410 and 404", async () => {
    let i = 0;
    const replies: SpecReply[] = [
      { status: 410, text: "IMDS is updating" },
      { status: 404, json: { error: "invalid_request", error_description: "Identity not found" } },
      {
        json: {
          access_token: TOKEN,
          refresh_token: "",
          expires_in: "3599",
          expires_on: String(now() + 3599),
          not_before: String(now()),
          resource: arm.endpoint,
          token_type: "Bearer",
        },
      },
    ];
    identity.handle((r) =>
      r.headers.metadata === "true" && r.path === "/metadata/identity/oauth2/token"
        ? replies[Math.min(i++, replies.length - 1)]
        : { status: 400, json: { error: "invalid_request" } },
    );
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = identity.endpoint;
    try {
      expect((await getToken())?.token).toBe(TOKEN);
    } finally {
      delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
    }
    expect(identity.requests.map((r) => r.query.get("api-version"))).toEqual([
      "2018-02-01",
      "2018-02-01",
      "2018-02-01",
    ]);
  });

  it("carries checkPosture through a throttled identity endpoint to the spec-shaped ARM", async () => {
    answer(
      { status: 429, headers: { "retry-after": "0" }, json: { error: "too_many_requests" } },
      { json: { access_token: TOKEN, expires_on: new Date((now() + 3600) * 1000).toUTCString() } },
    );
    const result = await checkPosture({
      resourceId: RESOURCE,
      managedIdentity: {},
      armEndpoint: arm.endpoint,
      clientOptions: { tlsOptions: { ca: arm.caCertificatePem }, retryOptions: { maxRetries: 0 } },
    });
    expect(check(result, "local-auth-disabled").status).toBe("pass");
  });
});
