// Pins the upstream behaviours the factory is built around. If an @azure/* upgrade changes one of them, this file
// fails loudly and names the design decision that has to be revisited.
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type { HttpClient, PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";
import {
  bearerTokenAuthenticationPolicy,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
} from "@azure/core-rest-pipeline";
import { RoomsClient } from "@azure/communication-rooms";
import { describe, expect, it } from "vitest";
import type { Emulator } from "../../packages/emulator/src/index.js";
import { createCertificate } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";
import { certificateCredential } from "../support/certificateCredential.js";

let emu: Emulator;
const dir = tempDir("acs-upstream-");
useEmulator({ emulator: { tokenLifetimeSeconds: 2 }, application: false, onStarted: (started) => ({ emu } = started) });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An HttpClient answering 200 without any network: the upstream pipeline is what is under test here. */
const okClient: HttpClient = {
  sendRequest: (request: PipelineRequest) => Promise.resolve({ request, status: 200, headers: createHttpHeaders() }),
};

/** A credential (not ours) that counts calls and hands out tokens with a given remaining lifetime. */
function countingCredential(lifetimeMs: number): TokenCredential & { calls: number } {
  const credential = {
    calls: 0,
    getToken(): Promise<AccessToken> {
      credential.calls++;
      return Promise.resolve({ token: `t${credential.calls}`, expiresOnTimestamp: Date.now() + lifetimeMs });
    },
  };
  return credential;
}

async function sendTwice(credential: TokenCredential): Promise<void> {
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(
    bearerTokenAuthenticationPolicy({ credential, scopes: "https://communication.azure.com//.default" }),
  );
  for (let i = 0; i < 2; i++) {
    await pipeline.sendRequest(okClient, createPipelineRequest({ url: "https://127.0.0.1/x" }));
    await sleep(10);
  }
}

describe("pinned upstream behaviours", () => {
  it("MSAL keeps signing with the old certificate after the PEM file is replaced (why rotation is ours)", async () => {
    const app = await emu.createTestApplication({ directory: dir });
    const next = await createCertificate();
    emu.addApplicationCertificate(app.clientId, next.certificatePem);
    const credential = certificateCredential(emu, app);
    const scope = emu.tokenScope;
    await credential.getToken(scope);
    const tmp = join(dir, "next.pem");
    writeFileSync(tmp, next.pem, { mode: 0o600 });
    renameSync(tmp, app.certificatePath);
    await sleep(2600); // the 2 s token has expired, so MSAL must go back to the token endpoint
    await credential.getToken(scope);
    const tokenRequests = emu.requests.filter(
      (r) => r.clientId === app.clientId && r.path.endsWith("/token") && r.status === 200,
    );
    expect(tokenRequests.length).toBeGreaterThanOrEqual(2);
    // If this starts failing, upstream now follows the file: RotatingCertificateCredential may be simplified.
    expect(tokenRequests.at(-1)?.certificateThumbprint).toBe(app.thumbprint);
    expect(tokenRequests.at(-1)?.assertionReused).toBe(true);
  });

  it("the bearer policy refreshes within 2 minutes of expiry and not before (SharedTokenCredential absorbs it)", async () => {
    const longLived = countingCredential(10 * 60_000);
    await sendTwice(longLived);
    expect(longLived.calls).toBe(1); // outside the window: the policy reuses its token
    const shortLived = countingCredential(90_000);
    await sendTwice(shortLived);
    expect(shortLived.calls).toBe(2); // inside the 2-minute window: every request asks the credential again
  });

  it("RoomsClient takes its options from the credential argument when that is not a key credential", () => {
    const marker = (name: string): PipelinePolicy => ({ name, sendRequest: (request, next) => next(request) });
    const plainCredential: TokenCredential = { getToken: () => Promise.resolve(null) };
    const ignored = new RoomsClient(emu.endpoint, plainCredential, {
      additionalPolicies: [{ policy: marker("third-argument"), position: "perCall" }],
    });
    const carrying = Object.assign(Object.create(null) as object, {
      getToken: plainCredential.getToken,
      additionalPolicies: [{ policy: marker("second-argument"), position: "perCall" as const }],
    }) as TokenCredential;
    const honoured = new RoomsClient(emu.endpoint, carrying, {});
    const names = (client: RoomsClient) =>
      (client as unknown as { client: { pipeline: { getOrderedPolicies(): PipelinePolicy[] } } }).client.pipeline
        .getOrderedPolicies()
        .map((p) => p.name);
    // If this starts failing, upstream fixed RoomsClient: the options-carrying credential in createClient is no longer needed.
    expect(names(ignored)).not.toContain("third-argument");
    expect(names(honoured)).toContain("second-argument");
  });
});
