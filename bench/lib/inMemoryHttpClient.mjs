// An HttpClient that answers every request with the 202 the SMS service would send, without any I/O: the pipeline
// benchmarks measure the SDK pipeline plus what acs-baseline adds to it, and nothing else.
import { randomBytes } from "node:crypto";
import { createHttpHeaders } from "@azure/core-rest-pipeline";
import { emulatorTls, rawSmsClient } from "./rawClient.mjs";

const BODY = JSON.stringify({
  value: [
    { to: "+14255550123", messageId: "00000000-0000-0000-0000-000000000001", httpStatusCode: 202, successful: true },
  ],
});

// Real ACS answers carry an `MS-CV` correlation vector (22 base64 characters and `.0`), no `x-ms-request-id`: the audit
// record takes it as its correlation id. Drawn once, 1,024 distinct ones, so the loop pays for recording one, not for
// making one.
const CORRELATION_VECTORS = Array.from({ length: 1024 }, () => `${randomBytes(16).toString("base64").slice(0, 22)}.0`);
let next = 0;

export const inMemoryHttpClient = {
  sendRequest(request) {
    next = (next + 1) & 1023;
    return Promise.resolve({
      request,
      status: 202,
      headers: createHttpHeaders({
        "content-type": "application/json",
        "ms-cv": CORRELATION_VECTORS[next],
      }),
      bodyAsText: BODY,
    });
  },
};

/** The raw subject: an upstream SmsClient with its own ClientCertificateCredential (tokens from the emulator), sending through the in-memory HttpClient. */
export function rawInMemorySmsClient(emu, app) {
  return rawSmsClient(emu, emulatorTls(emu), { httpClient: inMemoryHttpClient }, app);
}
