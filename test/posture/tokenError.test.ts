/**
 * Why no token: Entra's refusal reason survives @azure/identity 4.x, which wraps MSAL's error (invalid_client,
 * AADSTS7000215) in an AuthenticationRequiredError's `cause`. A real ClientSecretCredential with a wrong secret
 * against the emulator's Entra; posture names the OAuth error and the AADSTS code, never the secret.
 */
import { describe, expect, it } from "vitest";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { checkPosture } from "../../packages/acs-baseline/src/posture/index.js";
import { check, postureOptions, useReaderEmulator } from "../support/posture.js";

let emu: Emulator;
let app: TestApplication;

useReaderEmulator((started) => ({ emu, app } = started));

describe("no token: the reason Entra gave", () => {
  it("a wrong client secret (401 invalid_client, AADSTS7000215): every check unknown, naming both, the secret never shown", async () => {
    const secret = "Wrong-Secret-Canary~7f3a9";
    emu.registerApplication({ clientId: "5d2b8f8e-2d0b-4c1e-9b7a-6b0c1d2e3f40", secret: "the-right-secret~value" });
    const result = await checkPosture(
      postureOptions(emu, app, {
        certificate: undefined,
        clientId: "5d2b8f8e-2d0b-4c1e-9b7a-6b0c1d2e3f40",
        clientSecret: secret,
      }),
    );
    expect(result.summary.unknown).toBe(result.checks.length);
    const evidence = check(result, "local-auth-disabled").evidence;
    expect(evidence).toContain(`no token for ${emu.arm.tokenScope}:`);
    expect(evidence).toContain("invalid_client");
    expect(evidence).toContain("AADSTS7000215");
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(JSON.stringify(result)).not.toContain("the-right-secret");
  });
});
