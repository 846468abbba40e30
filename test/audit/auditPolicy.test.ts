// The request policy in a real core-rest-pipeline pipeline against a local HTTP server: one record per attempt.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  isRestError,
} from "@azure/core-rest-pipeline";
import type { HttpClient, PipelineRequest } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditPolicy, createAuditRecorder } from "../../packages/acs-baseline/src/audit/index.js";
import type { Rec } from "../support/auditRecords.js";
import { parse } from "../support/auditRecords.js";

let base = "";
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.url!.startsWith("/drop")) {
      req.socket.destroy();
      return;
    }
    if (req.url!.startsWith("/forbidden")) {
      res.writeHead(403, { "x-ms-error-code": "Forbidden", "x-ms-request-id": "9d0c7a26-5f7e-4d7f-8b51-0c6b1b6c2a11" });
      res.end('{"error":{"code":"Forbidden"}}');
      return;
    }
    if (req.url!.startsWith("/body-code/")) {
      // As the ACS REST specs describe errors: the code in the body (CommunicationErrorResponse), no header.
      const code = decodeURIComponent(req.url!.slice("/body-code/".length));
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code, message: "Denied for +14255550123 with canary message text" } }));
      return;
    }
    res.writeHead(202, { "MS-CV": "Pv7V3ZVf2EWsE3vmtMdSA.0", "content-type": "application/json" });
    res.end("{}");
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function send(
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ records: Rec[]; error?: unknown; status?: number }> {
  const stream = new PassThrough();
  let out = "";
  stream.on("data", (c: Buffer) => (out += c.toString()));
  const recorder = createAuditRecorder({ destination: stream });
  const pipeline = createPipelineFromOptions({
    retryOptions: { maxRetries: 1, retryDelayInMs: 5, maxRetryDelayInMs: 10 },
  });
  pipeline.addPolicy(createAuditPolicy(recorder, "SmsClient"), { afterPhase: "Retry" });
  const request = createPipelineRequest({
    url: `${base}${path}`,
    method: "POST",
    headers: createHttpHeaders(headers),
    body,
    allowInsecureConnection: true,
  });
  let error: unknown;
  let status: number | undefined;
  try {
    status = (await pipeline.sendRequest(createDefaultHttpClient(), request)).status;
  } catch (e) {
    error = e;
  }
  await recorder.close();
  return { records: out.trim().split("\n").map(parse), error, status };
}

describe("createAuditPolicy", () => {
  it("records method, path without query, status, client request id and service correlation id", async () => {
    const { records, status } = await send("/sms?api-version=2021-03-07&sig=c2VjcmV0c2lnbmF0dXJlMTIzNDU2Nzg5MA");
    expect(status).toBe(202);
    const [r] = records;
    expect(r).toMatchObject({
      event: { action: "request", category: "web", outcome: "success" },
      level: "info",
      baseline: { controls: ["IM-1", "LT-4"] },
      acs: { client: "SmsClient" },
      http: { method: "POST", path: "/sms", status: 202, correlationId: "Pv7V3ZVf2EWsE3vmtMdSA.0" },
    });
    expect(r.http.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof r.http.durationMs).toBe("number");
    expect(records[1].event.action).toBe("log.close");
  });

  it("an HTTP error status is a failure record with the service error code", async () => {
    const { records, status } = await send("/forbidden");
    expect(status).toBe(403);
    expect(records[0]).toMatchObject({
      event: { action: "request", outcome: "failure", reason: "HTTP 403" },
      level: "error",
      http: { path: "/forbidden", status: 403, correlationId: "9d0c7a26-5f7e-4d7f-8b51-0c6b1b6c2a11" },
      error: { code: "Forbidden" },
    });
  });

  it("an error body without x-ms-error-code: the body's code-shaped error.code, never its message", async () => {
    const { records } = await send("/body-code/InvalidAuthenticationToken");
    expect(records[0]).toMatchObject({
      event: { action: "request", outcome: "failure", reason: "HTTP 401" },
      http: { status: 401 },
      error: { code: "InvalidAuthenticationToken" },
    });
    expect(JSON.stringify(records)).not.toMatch(/4255550123|canary message text|Denied/);
  });

  it.each([
    ["a sentence", "Denied for +14255550123"],
    ["a key-length run", `K${"a1".repeat(40)}`],
    ["a number", "4255550123"],
  ])("an error body's code that is %s is not taken (HTTP_401)", async (_, code) => {
    const { records } = await send(`/body-code/${encodeURIComponent(code)}`);
    expect(records[0]).toMatchObject({ http: { status: 401 }, error: { code: "HTTP_401" } });
    expect(JSON.stringify(records)).not.toContain(code.slice(-10));
  });

  it("no response (connection dropped): one failure record per attempt, the error still reaches the caller", async () => {
    const { records, error } = await send("/drop");
    expect(isRestError(error)).toBe(true);
    const attempts = records.filter((r) => r.event.action === "request");
    expect(attempts).toHaveLength(2); // first try + 1 retry
    for (const a of attempts) {
      expect(a).toMatchObject({
        event: { outcome: "failure", reason: "no response" },
        level: "error",
        http: { path: "/drop" },
      });
      expect(a.http.status).toBeUndefined();
      expect(typeof a.error.code).toBe("string");
    }
  });

  it("never records headers, bodies or query strings", async () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlY2FuYXJ5";
    const { records } = await send(
      "/sms?accesskey=QUNDRVNTS0VZQ0FOQVJZMTIzNDU2Nzg5MA==",
      { authorization: `Bearer ${jwt}`, "x-ms-content-sha256": "abc" },
      JSON.stringify({ from: "+14255550100", smsRecipients: [{ to: "+14255550123" }], message: "canary message text" }),
    );
    const text = JSON.stringify(records);
    for (const secret of [jwt, "QUNDRVNTS0VZQ0FOQVJZ", "4255550100", "4255550123", "canary message text", "Bearer"]) {
      expect(text).not.toContain(secret);
    }
  });
});

/** The default HTTP client, after which `hide` turns request fields into getters that throw (answered or failed). */
async function sendHiding(
  path: string,
  hide: (request: PipelineRequest) => void,
): Promise<{ records: Rec[]; error?: unknown; status?: number }> {
  const inner = createDefaultHttpClient();
  const client: HttpClient = {
    sendRequest: (request) =>
      inner.sendRequest(request).then(
        (response) => (hide(request), response),
        (e: unknown) => {
          hide(request);
          throw e;
        },
      ),
  };
  const stream = new PassThrough();
  let out = "";
  stream.on("data", (c: Buffer) => (out += c.toString()));
  const recorder = createAuditRecorder({ destination: stream });
  const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 } });
  pipeline.addPolicy(createAuditPolicy(recorder, "SmsClient"), { afterPhase: "Retry" });
  const request = createPipelineRequest({ url: `${base}${path}`, method: "POST", allowInsecureConnection: true });
  let error: unknown;
  let status: number | undefined;
  try {
    status = (await pipeline.sendRequest(client, request)).status;
  } catch (e) {
    error = e;
  }
  await recorder.close();
  return {
    records: out
      .trim()
      .split("\n")
      .map(parse)
      .filter((r) => r.event.action === "request"),
    error,
    status,
  };
}

const throwing = (request: PipelineRequest, ...names: string[]): void => {
  for (const name of names)
    Object.defineProperty(request, name, {
      configurable: true,
      get: () => {
        throw new Error(`no ${name}`);
      },
    });
};

describe("fields that cannot be read (review B): the record is written with what could be read, and the marker", () => {
  it("no response, with unreadable request fields: a failure record, and the caller gets its error", async () => {
    const { records, error } = await sendHiding("/drop", (r) => throwing(r, "requestId", "method"));
    expect(error).toBeInstanceOf(Error); // the retry policy above reads requestId too: the caller gets its error
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      event: { outcome: "failure", reason: "no response" },
      level: "error",
      http: { method: "UNKNOWN", path: "/drop" },
    });
    expect(records[0].http.requestId).toBeUndefined();
    expect(records[0].error.code).toBe("AUDIT_RECORD_INCOMPLETE");
    expect(records[0].error.message).toContain("request.method");
    expect(records[0].error.message).toContain("request.requestId");
    expect(records[0].error.message).toMatch(/failed with \S+/);
  });

  it("unreadable request headers (trace context): the caller still gets its response, and the record says what was missing", async () => {
    const { records, status, error } = await sendHiding("/sms", (r) => throwing(r, "headers"));
    expect(error).toBeUndefined();
    expect(status).toBe(202);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      event: { outcome: "success" },
      http: { method: "POST", path: "/sms", status: 202 },
      error: { code: "AUDIT_RECORD_INCOMPLETE" },
    });
    expect(records[0].error.message).toContain("request.headers");
  });

  it("an HTTP error status with an unreadable url: the failure record keeps the status and the service's code in its message", async () => {
    const { records, status } = await sendHiding("/forbidden", (r) => throwing(r, "url"));
    expect(status).toBe(403);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      event: { outcome: "failure", reason: "HTTP 403" },
      http: { method: "POST", path: "", status: 403 },
      error: { code: "AUDIT_RECORD_INCOMPLETE" },
    });
    expect(records[0].error.message).toContain("request.url");
    expect(records[0].error.message).toContain("failed with Forbidden");
  });
});
