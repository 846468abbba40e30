// The emulator's Entra side issues tokens for the Azure Storage scope in the shape Azurite's `--oauth basic` accepts
// (issuer https://sts.windows.net/{tenant}/, audience https://storage.azure.com, nbf/exp/iat), and its ACS side
// refuses them: a token is only good for the audience it was issued for.
import { SmsClient } from "@azure/communication-sms";
import type { ClientCertificateCredential } from "@azure/identity";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { ACS_SCOPE, STORAGE_SCOPE } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";
import { certificateCredential } from "../support/certificateCredential.js";

let emu: Emulator;
let app: TestApplication;
let credential: ClientCertificateCredential;

useEmulator({ onStarted: (started) => ({ emu, app } = started) });
beforeAll(() => {
  credential = certificateCredential(emu, app);
});

describe("emulator Entra: storage scope", () => {
  it("issues a v1.0 storage token: iss https://sts.windows.net/{tenant}/, aud https://storage.azure.com, nbf/exp/iat", async () => {
    const token = await credential.getToken(STORAGE_SCOPE);
    const claims = decodeJwt(token?.token ?? "");
    expect(claims.iss).toBe(`https://sts.windows.net/${emu.tenantId}/`);
    expect(claims.aud).toBe("https://storage.azure.com");
    expect(claims.ver).toBe("1.0");
    expect(claims.tid).toBe(emu.tenantId);
    expect(typeof claims.nbf).toBe("number");
    expect(typeof claims.iat).toBe("number");
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
  });

  it("still issues the ACS token unchanged (v2.0 issuer, ACS audience)", async () => {
    const claims = decodeJwt((await credential.getToken(ACS_SCOPE))?.token ?? "");
    expect(claims.iss).toBe(`${emu.authorityHost}/${emu.tenantId}/v2.0`);
    expect(claims.aud).toBe("https://communication.azure.com");
    expect(claims.ver).toBe("2.0");
  });

  it("the ACS side refuses a storage token (wrong audience)", async () => {
    const storageOnly = { getToken: () => credential.getToken(STORAGE_SCOPE) };
    const sms = new SmsClient(emu.endpoint, storageOnly, {
      tlsOptions: { ca: emu.caCertificatePem },
      retryOptions: { maxRetries: 0 },
    });
    await expect(sms.send({ from: "+14255550100", to: ["+14255550123"], message: "x" })).rejects.toMatchObject({
      statusCode: 401,
    });
  });

  it("refuses any other scope, naming the accepted ones", async () => {
    await expect(credential.getToken("https://management.azure.com/.default.nope")).rejects.toThrow(
      /communication\.azure\.com\/\/\.default.*storage\.azure\.com\/\.default/s,
    );
  });
});
