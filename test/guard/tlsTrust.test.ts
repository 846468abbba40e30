// TLS_CERTIFICATE_NOT_TRUSTED (DP-3): a server certificate Node.js does not verify is refused with the host and the two
// ways to trust a CA, wherever it surfaces: the token request (real @azure/identity through the credential transport),
// an ACS request (the real SmsClient through the guarded HttpClient) and posture's ARM reads (the real ARM SDKs).
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AcsClientFactory, checkPosture, isBaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import { tlsTrustCode, tlsTrustRefusal } from "../../packages/acs-baseline/src/guard/tlsTrust.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { certificateCredential } from "../support/certificateCredential.js";
import { postureOptions } from "../support/posture.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

const notTrusted = (host: string) =>
  new RegExp(
    `^\\[DP-3 TLS_CERTIFICATE_NOT_TRUSTED\\] TLS: certificate of ${host.replace(/\./g, "\\.")} not trusted; pass tlsOptions\\.ca or NODE_EXTRA_CA_CERTS \\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|DEPTH_ZERO_SELF_SIGNED_CERT): [A-Za-z ]+\\)\\.$`,
  );

async function rejection(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("TLS_CERTIFICATE_NOT_TRUSTED against the emulator", () => {
  it("a factory without the emulator's CA: the token request names the Entra host (localhost), not an MSAL error", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { clientOptions: {} }));
    try {
      const error = await rejection(() => factory.credential.getToken("https://communication.azure.com//.default"));
      expect(isBaselineViolationError(error)).toBe(true);
      expect((error as { code?: string }).code).toBe("TLS_CERTIFICATE_NOT_TRUSTED");
      expect(error.message).toMatch(notTrusted("localhost"));
      // Through a real SDK client the same refusal reaches the caller.
      const sms = factory.createSmsClient();
      const sent = await rejection(() => sms.send({ from: "+15550000000", to: ["+15551234567"], message: "hi" }));
      expect(sent.message).toMatch(notTrusted("localhost"));
    } finally {
      await factory.close();
    }
  });

  it("Entra trusted, ACS not: the SmsClient's request names the ACS host (127.0.0.1)", async () => {
    const credential = certificateCredential(emu, app); // a real credential that trusts the emulator's CA
    const factory = new AcsClientFactory({
      ...emulatorFactoryOptions(emu, app, { clientOptions: {} }),
      credential,
      certificate: undefined,
    });
    try {
      const sms = factory.createSmsClient();
      const error = await rejection(() => sms.send({ from: "+15550000000", to: ["+15551234567"], message: "hi" }));
      expect((error as { code?: string }).code).toBe("TLS_CERTIFICATE_NOT_TRUSTED");
      expect(error.message).toMatch(notTrusted("127.0.0.1"));
    } finally {
      await factory.close();
    }
  });

  it("the CA in tlsOptions.ca makes the same calls work (the refusal is about trust, nothing else)", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    try {
      const sms = factory.createSmsClient();
      const [result] = await sms.send({ from: "+15550000000", to: ["+15551234567"], message: "hi" });
      expect(result.successful).toBe(true);
    } finally {
      await factory.close();
    }
  });

  it("checkPosture without the CA: the token failure says which host is not trusted", async () => {
    const result = await checkPosture(postureOptions(emu, app, { clientOptions: {} }));
    const evidence = result.checks.find((c) => c.id === "local-auth-disabled")?.evidence ?? "";
    expect(result.checks.every((c) => c.status !== "pass")).toBe(true);
    expect(evidence).toContain(
      "[DP-3 TLS_CERTIFICATE_NOT_TRUSTED] TLS: certificate of localhost not trusted; pass tlsOptions.ca or NODE_EXTRA_CA_CERTS",
    );
  });

  it("checkPosture with a trusted token but an untrusted ARM: the ARM reads name ARM's host", async () => {
    const credential = certificateCredential(emu, app);
    const result = await checkPosture({
      ...postureOptions(emu, app, { clientOptions: {} }),
      credential,
      certificate: undefined,
    });
    const evidence = result.checks.find((c) => c.id === "local-auth-disabled")?.evidence ?? "";
    expect(result.checks.find((c) => c.id === "local-auth-disabled")?.status).toBe("unknown");
    expect(evidence).toContain(
      "[DP-3 TLS_CERTIFICATE_NOT_TRUSTED] TLS: certificate of 127.0.0.1 not trusted; pass tlsOptions.ca or NODE_EXTRA_CA_CERTS",
    );
  });
});

describe("tlsTrustRefusal", () => {
  const codes = [
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "CERT_HAS_EXPIRED",
    "ERR_TLS_CERT_ALTNAME_INVALID",
  ];

  it.each(codes)("maps Node's %s (own code or a cause's) to the refusal naming the host", (code) => {
    const direct = tlsTrustRefusal(
      Object.assign(new Error("x"), { code }),
      "https://login.contoso.example:8443/t/oauth2/v2.0/token",
    );
    expect(direct?.code).toBe("TLS_CERTIFICATE_NOT_TRUSTED");
    expect(direct?.message).toContain(
      "TLS: certificate of login.contoso.example not trusted; pass tlsOptions.ca or NODE_EXTRA_CA_CERTS (",
    );
    expect(direct?.message).toContain(`(${code}: `);
    const wrapped = new Error("request failed", { cause: Object.assign(new Error("y"), { code }) });
    expect(tlsTrustCode(wrapped)).toBe(code);
    expect(tlsTrustRefusal(wrapped, "https://[::1]:1/")?.message).toContain("certificate of ::1 not trusted");
  });

  it("leaves every other error alone (a refused connection, a timeout, a 500)", () => {
    for (const code of ["ECONNREFUSED", "ETIMEDOUT", "ECONNRESET", "REQUEST_SEND_ERROR", undefined]) {
      expect(tlsTrustRefusal(Object.assign(new Error("x"), { code }), "https://127.0.0.1/")).toBeUndefined();
    }
    expect(tlsTrustRefusal(undefined, "https://127.0.0.1/")).toBeUndefined();
    expect(tlsTrustRefusal("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "https://127.0.0.1/")).toBeUndefined();
  });

  it("property: the message carries nothing of the error but its code, and no host that is not a host", () => {
    const secret = `SECRET${randomBytes(8).toString("hex")}`;
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.string(), fc.string(), (code, url, text) => {
        const error = Object.assign(new Error(`${text} ${secret}`), { code, url: `${url}${secret}` });
        const refusal = tlsTrustRefusal(error, url);
        expect(refusal?.message).not.toContain(secret);
        expect(refusal?.message).toMatch(
          /^\[DP-3 TLS_CERTIFICATE_NOT_TRUSTED\] TLS: certificate of ([a-z0-9.:-]+|the server) not trusted; /,
        );
      }),
      { numRuns: 300 },
    );
  });
});
