/**
 * checkPosture builds its own credential and ARM clients: it must apply every rule the factory applies to the same
 * options — a caller transport (CUSTOM_TRANSPORT_REFUSED), a connection string hidden in any option
 * (CONNECTION_STRING_REFUSED), an access key as client secret (KEY_CREDENTIAL_REFUSED) — before anything is sent,
 * and the ARM requests go through the request guard pinned to the ARM endpoint (TLS verification checked at the wire).
 */
import { randomBytes } from "node:crypto";
import { Agent as HttpsAgent } from "node:https";
import { createDefaultHttpClient } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { checkPosture } from "../../packages/acs-baseline/src/posture/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { check, postureOptions, useReaderEmulator } from "../support/posture.js";

let emu: Emulator;
let app: TestApplication;
const KEY = randomBytes(64).toString("base64");
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`;

useReaderEmulator((started) => ({ emu, app } = started));

describe("checkPosture applies the factory's option rules before anything is sent", () => {
  it("refuses a caller httpClient and a non-stock agent (CUSTOM_TRANSPORT_REFUSED) unless allowCustomHttpClient", async () => {
    const before = emu.stats.tokenRequests;
    const httpClient = createDefaultHttpClient();
    await expect(
      checkPosture(
        postureOptions(emu, app, { clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, httpClient } }),
      ),
    ).rejects.toMatchObject({
      code: "CUSTOM_TRANSPORT_REFUSED",
    });
    class SneakyAgent extends HttpsAgent {}
    await expect(
      checkPosture(
        postureOptions(emu, app, { clientOptions: { agent: new SneakyAgent({ ca: emu.caCertificatePem }) } }),
      ),
    ).rejects.toMatchObject({
      code: "CUSTOM_TRANSPORT_REFUSED",
    });
    expect(emu.stats.tokenRequests).toBe(before);
    // Explicitly allowed, it is used (as in the factory).
    const allowed = await checkPosture(
      postureOptions(emu, app, {
        allowCustomHttpClient: true,
        clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, httpClient },
      }),
    );
    expect(check(allowed, "local-auth-disabled").status).toBe("fail");
  });

  it("refuses a connection string hidden in any option and an access key as client secret, without echoing them", async () => {
    const before = emu.stats.tokenRequests;
    const hidden = postureOptions(emu, app, {
      clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, userAgentOptions: { userAgentPrefix: CS } },
    });
    const error = await checkPosture(hidden).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: "CONNECTION_STRING_REFUSED" });
    expect(String((error as Error).message)).not.toContain(KEY);
    await expect(checkPosture(postureOptions(emu, app, { endpoint: CS }))).rejects.toMatchObject({
      code: "CONNECTION_STRING_REFUSED",
    });
    const { certificate: _c, ...secretOnly } = postureOptions(emu, app);
    const key = randomBytes(64).toString("base64");
    await expect(checkPosture({ ...secretOnly, clientSecret: key })).rejects.toMatchObject({
      code: "KEY_CREDENTIAL_REFUSED",
    });
    await expect(checkPosture({ ...secretOnly, credential: { key } as never })).rejects.toMatchObject({
      code: "KEY_CREDENTIAL_REFUSED",
    });
    expect(emu.stats.tokenRequests).toBe(before);
  });
});

describe("ARM requests go through the request guard", () => {
  it("TLS verification switched off after the check started (NODE_TLS_REJECT_UNAUTHORIZED=0): no ARM request is sent, every check is unknown", async () => {
    const factory = new AcsClientFactory(
      emulatorFactoryOptions(emu, app, {
        clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
      }),
    );
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    // A credential that switches verification off once the token is there (a careless or hostile dependency).
    const credential = {
      getToken: async (scopes: string | string[]) => {
        const token = await factory.credential.getToken(scopes);
        process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
        return token;
      },
    };
    const armBefore = emu.arm.requests;
    let result;
    try {
      const { certificate: _c, ...rest } = postureOptions(emu, app);
      result = await checkPosture({
        ...rest,
        credential,
        clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
      });
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
      await factory.close();
    }
    expect(emu.arm.requests).toBe(armBefore);
    expect(check(result, "local-auth-disabled").status).toBe("unknown");
    expect(check(result, "local-auth-disabled").evidence).toContain("TLS");
  });

  it("the factory's posture check refuses NODE_TLS_REJECT_UNAUTHORIZED=0 before anything is sent", async () => {
    const factory = new AcsClientFactory(
      emulatorFactoryOptions(emu, app, {
        posture: { resourceId: emu.arm.resourceId, armEndpoint: emu.arm.endpoint, mode: "warn" },
        clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
      }),
    );
    const armBefore = emu.arm.requests;
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    try {
      await expect(factory.checkPosture()).rejects.toMatchObject({ code: "TLS_VERIFICATION_DISABLED" });
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    }
    expect(emu.arm.requests).toBe(armBefore);
    expect(check(await factory.checkPosture(), "local-auth-disabled").status).toBe("fail");
    await factory.close();
  });
});
