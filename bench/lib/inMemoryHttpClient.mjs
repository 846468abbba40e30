// An HttpClient that answers every request with the 202 the SMS service would send, without any I/O: the pipeline
// benchmarks measure the SDK pipeline plus what acs-baseline adds to it, and nothing else.
import { ClientCertificateCredential } from "@azure/identity";
import { SmsClient } from "@azure/communication-sms";
import { createHttpHeaders } from "@azure/core-rest-pipeline";

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
  const tls = { tlsOptions: { ca: emu.caCertificatePem } };
  return new SmsClient(
    emu.endpoint,
    new ClientCertificateCredential(
      emu.tenantId,
      app.clientId,
      { certificatePath: app.certificatePath },
      { authorityHost: emu.authorityHost, disableInstanceDiscovery: true, ...tls },
    ),
    { ...tls, httpClient: inMemoryHttpClient },
  );
}
