// The emulator's federation registry: what it accepts as federated identity credentials and trusted issuer keys.
import { exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import type { Emulator } from "../../packages/emulator/src/index.js";
import { TOKEN_EXCHANGE_AUDIENCE } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
useEmulator({ application: false, onStarted: (started) => ({ emu } = started) });

describe("federated identity credentials in the emulator", () => {
  it("registers an application with only a federated credential; refuses non-https issuers, empty subjects and empty audiences", () => {
    const clientId = "0f0f0f0f-0000-4000-8000-000000000001";
    expect(() =>
      emu.registerApplication({
        clientId,
        federatedCredentials: [{ issuer: "https://issuer.example", subject: "repo:org/app:ref:refs/heads/main" }],
      }),
    ).not.toThrow();
    expect(() =>
      emu.registerApplication({ clientId, federatedCredentials: [{ issuer: "http://issuer.example", subject: "s" }] }),
    ).toThrow(/https issuer/);
    expect(() =>
      emu.registerApplication({ clientId, federatedCredentials: [{ issuer: "https://issuer.example", subject: "" }] }),
    ).toThrow(/subject/);
    expect(() =>
      emu.registerApplication({
        clientId,
        federatedCredentials: [{ issuer: "https://issuer.example", subject: "s", audiences: [] }],
      }),
    ).toThrow(/audiences/);
    expect(() => emu.registerApplication({ clientId })).toThrow(/certificatePem, a secret or a federated credential/);
    expect(TOKEN_EXCHANGE_AUDIENCE).toBe("api://AzureADTokenExchange");
  });

  it("trusts only public issuer keys, and only for https issuers", async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    expect(() =>
      emu.registerOidcIssuer("https://issuer.example", { keys: [{ ...{ kty: "RSA", e: "AQAB" }, n: "AQAB" }] }),
    ).not.toThrow();
    const privateJwk = await exportJWK(privateKey);
    const publicJwk = await exportJWK(publicKey);
    expect(() => emu.registerOidcIssuer("https://issuer.example", { keys: [privateJwk] })).toThrow(/public keys only/);
    expect(() => emu.registerOidcIssuer("https://issuer.example", { keys: [] })).toThrow(/at least one key/);
    expect(() => emu.registerOidcIssuer("http://issuer.example", { keys: [publicJwk] })).toThrow(/https URL/);
  });
});
