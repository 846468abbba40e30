/**
 * An ARM session against a spec-shaped fake ({@link startSpecFake}) with tokens from the emulator's Entra: the test
 * application's certificate, the emulator's authority, the fake's ARM endpoint, and both CAs trusted.
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { ArmSessionOptions } from "../../packages/acs-baseline/src/posture/armSession.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import type { SpecFake } from "./specArmFake.js";
import { startSpecFake } from "./specArmFake.js";
import { estateEnvironment, estateSessionOptions } from "./estateSession.js";
import { tempDir } from "./tempDir.js";
import { useEmulator } from "./useEmulator.js";

/** What {@link useSpecFake} hands a test file once everything runs. */
export interface SpecFakeSetup {
  emu: Emulator;
  app: TestApplication;
  fake: SpecFake;
}

/**
 * A test file's emulator (Entra, with a test application in a temporary directory named by `prefix`) and spec fake,
 * the emulator issuing tokens for the fake's endpoint; the fake's request log is emptied before each test. Returns the
 * temporary directory.
 */
export function useSpecFake(prefix: string, onReady: (setup: SpecFakeSetup) => void): string {
  const dir = tempDir(prefix);
  const started = useEmulator({ application: { directory: dir } });
  let fake: SpecFake | undefined;
  beforeAll(async () => {
    fake = await startSpecFake();
    started.emu.addTokenResource(fake.endpoint);
    onReady({ emu: started.emu, app: started.app, fake });
  });
  afterAll(() => fake?.close());
  beforeEach(() => {
    if (fake !== undefined) fake.requests.length = 0;
  });
  return dir;
}

/** Client options trusting the emulator's and the fake's CA; `maxRetries` as given (default 0: fail fast). */
export function specClientOptions(
  emu: Emulator,
  fake: SpecFake,
  maxRetries = 0,
): NonNullable<ArmSessionOptions["clientOptions"]> {
  return {
    tlsOptions: { ca: `${emu.caCertificatePem.trimEnd()}\n${fake.caCertificatePem}` },
    retryOptions: { maxRetries, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  };
}

/** ARM session options for the fake (Entra from the emulator). */
export function specSessionOptions(
  emu: Emulator,
  app: TestApplication,
  fake: SpecFake,
  maxRetries = 0,
): ArmSessionOptions {
  return {
    ...estateSessionOptions(emu, app),
    disableInstanceDiscovery: true,
    armEndpoint: fake.endpoint,
    clientOptions: specClientOptions(emu, fake, maxRetries),
  };
}

/** The same session as the environment the CLI reads. */
export function specEnvironment(emu: Emulator, app: TestApplication, fake: SpecFake): Record<string, string> {
  return {
    ...estateEnvironment(emu, app),
    AZURE_RESOURCE_MANAGER_ENDPOINT: fake.endpoint,
  };
}
