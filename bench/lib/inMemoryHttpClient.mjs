// An HttpClient that answers every request with the 202 the SMS service would send, without any I/O: the pipeline
// benchmarks measure the SDK pipeline plus what acs-baseline adds to it, and nothing else.
import { createHttpHeaders } from "@azure/core-rest-pipeline";
import { emulatorTls, rawSmsClient } from "./rawClient.mjs";

const BODY = JSON.stringify({
  value: [
    { to: "+14255550123", messageId: "00000000-0000-0000-0000-000000000001", httpStatusCode: 202, successful: true },
  ],
});

export const inMemoryHttpClient = {
  sendRequest(request) {
    return Promise.resolve({
      request,
      status: 202,
      headers: createHttpHeaders({
        "content-type": "application/json",
        "x-ms-request-id": "9d0c7a26-5f7e-4d7f-8b51-0c6b1b6c2a11",
      }),
      bodyAsText: BODY,
    });
  },
};

/** The raw subject: an upstream SmsClient with its own ClientCertificateCredential (tokens from the emulator), sending through the in-memory HttpClient. */
export function rawInMemorySmsClient(emu, app) {
  return rawSmsClient(emu, emulatorTls(emu), { httpClient: inMemoryHttpClient }, app);
}
