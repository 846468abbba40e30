// Issue 26: every ACS data-plane answer of the emulator carries `MS-CV`, a correlation vector in the shape real ACS
// responses have (Azure SDK for JS recordings: `WqckibhS6UO2M6ObEqmrZw.0`, `WMeHaE0XCE+xz6+5JXJoBg.0`), fresh per
// response: Identity, Chat and errors here (SMS, through the audit log, in test/audit/correlationId.e2e.test.ts).
import { request } from "node:https";
import { ChatClient } from "@azure/communication-chat";
import { AzureCommunicationTokenCredential } from "@azure/communication-common";
import { CommunicationIdentityClient } from "@azure/communication-identity";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { ClientCertificateCredential } from "@azure/identity";
import { expect, it } from "vitest";
import type { Emulator, TestApplication } from "../../../packages/emulator/src/index.js";
import { useEmulator } from "../../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

/** 22 base64 characters (`+` and `/` included), then `.0`. */
const MS_CV = /^[A-Za-z0-9+/]{22}\.0$/;

/** A policy (per retry: below the deserialisation that throws on errors) that keeps each response's status and MS-CV header, as the client received them. */
function collector(): { seen: { status: number; cv: string | undefined }[]; policy: PipelinePolicy } {
  const seen: { status: number; cv: string | undefined }[] = [];
  return {
    seen,
    policy: {
      name: "readMsCv",
      sendRequest: async (req, next) => {
        const res = await next(req);
        seen.push({ status: res.status, cv: res.headers.get("ms-cv") });
        return res;
      },
    },
  };
}

/** The MS-CV header of a raw request's answer (no credentials: an error answer). */
function rawMsCv(path: string): Promise<{ status: number; cv: string | string[] | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, emu.endpoint), { method: "POST", ca: emu.caCertificatePem }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, cv: res.headers["ms-cv"] }));
    });
    req.on("error", reject);
    req.end();
  });
}

it("Identity and Chat answers, successes and errors, carry a fresh MS-CV", async () => {
  const credential = new ClientCertificateCredential(
    emu.tenantId,
    app.clientId,
    { certificatePath: app.certificatePath },
    { authorityHost: emu.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: emu.caCertificatePem } },
  );
  const identityResponses = collector();
  const identity = new CommunicationIdentityClient(emu.endpoint, credential, {
    tlsOptions: { ca: emu.caCertificatePem },
    retryOptions: { maxRetries: 0 },
    additionalPolicies: [{ policy: identityResponses.policy, position: "perRetry" }],
  });
  const { user, token } = await identity.createUserAndToken(["chat"]);
  const chatResponses = collector();
  const chat = new ChatClient(emu.endpoint, new AzureCommunicationTokenCredential(token), {
    tlsOptions: { ca: emu.caCertificatePem },
    additionalPolicies: [{ policy: chatResponses.policy, position: "perRetry" }],
  });
  await chat.createChatThread({ topic: "cv" });
  await identity.deleteUser(user);
  await expect(identity.deleteUser(user)).rejects.toMatchObject({ statusCode: 404 });

  const seen = [...identityResponses.seen, ...chatResponses.seen];
  expect(seen.map((s) => s.status)).toEqual([201, 204, 404, 201]);
  for (const { cv } of seen) expect(cv).toMatch(MS_CV);
  expect(new Set(seen.map((s) => s.cv)).size).toBe(seen.length);

  for (const path of ["/sms?api-version=2021-03-07", "/chat/threads?api-version=2025-03-15"]) {
    const raw = await rawMsCv(path);
    expect(raw.status).toBe(401);
    expect(raw.cv).toMatch(MS_CV);
  }
});
