// One token fetch serves every client of a factory, also when tokens live only a few seconds and a thousand
// requests run concurrently across several lifetimes.
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { SharedTokenCredential } from "../../packages/acs-baseline/src/credentials/sharedTokenCache.js";
import type { Emulator } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";
import { certificateCredential } from "../support/certificateCredential.js";

const LIFETIME_SECONDS = 2;
let emu: Emulator;
const dir = tempDir("acs-tokens-");
useEmulator({
  emulator: { tokenLifetimeSeconds: LIFETIME_SECONDS },
  application: false,
  onStarted: (started) => ({ emu } = started),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tokenFetches = (clientId: string) =>
  emu.requests.filter((r) => r.clientId === clientId && r.path.endsWith("/token") && r.status === 200).length;

describe("SharedTokenCredential", () => {
  it("de-duplicates concurrent getToken calls of a real credential into one fetch, and serves the cache after", async () => {
    const app = await emu.createTestApplication({ directory: dir });
    const upstream = certificateCredential(emu, app);
    const acquired: number[] = [];
    const shared = new SharedTokenCredential(upstream, { acquired: (t) => acquired.push(t.expiresOnTimestamp) });
    const tokens = await Promise.all(Array.from({ length: 200 }, () => shared.getToken(emu.tokenScope)));
    expect(new Set(tokens.map((t) => t?.token)).size).toBe(1);
    expect(await shared.getToken(emu.tokenScope)).toEqual(tokens[0]);
    expect(tokenFetches(app.clientId)).toBe(1);
    expect(acquired).toHaveLength(1);
  });

  it("a caller that aborts does not cancel the shared fetch for the others", async () => {
    const app = await emu.createTestApplication({ directory: dir });
    const upstream = certificateCredential(emu, app);
    const shared = new SharedTokenCredential(upstream);
    const controller = new AbortController();
    const aborted = shared.getToken(emu.tokenScope, { abortSignal: controller.signal });
    const other = shared.getToken(emu.tokenScope);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: "AbortError" });
    await expect(other).resolves.toMatchObject({ token: expect.any(String) as string });
    expect(tokenFetches(app.clientId)).toBe(1);
  });

  it("1,000 concurrent requests over several 2-second token lifetimes: zero failures, about one fetch per lifetime", async () => {
    const app = await emu.createTestApplication({ directory: dir });
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    const sms = factory.createSmsClient();
    const identity = factory.createIdentityClient();
    const expiredBefore = emu.stats.expiredTokensRefused;
    const started = Date.now();
    let failures = 0;
    const errors = new Set<string>();
    // 10 waves of 100 concurrent requests, 0.8 s apart: the run spans 4+ token lifetimes.
    const waves: Promise<unknown>[] = [];
    for (let wave = 0; wave < 10; wave++) {
      waves.push(
        ...Array.from({ length: 100 }, (_, i) =>
          (i % 2 === 0
            ? sms.send({ from: "+14255550100", to: ["+14255550123"], message: "load" })
            : identity.createUser()
          ).catch((e: unknown) => {
            failures++;
            errors.add(e instanceof Error ? `${e.name}: ${e.message.slice(0, 80)}` : "unknown");
          }),
        ),
      );
      await sleep(800);
    }
    await Promise.all(waves);
    const elapsedSeconds = (Date.now() - started) / 1000;
    await factory.close();

    const fetches = tokenFetches(app.clientId);
    const lifetimes = elapsedSeconds / LIFETIME_SECONDS;
    console.info(
      `token fetches: ${fetches} for 1000 requests over ${elapsedSeconds.toFixed(1)} s (${lifetimes.toFixed(1)} lifetimes)`,
    );
    expect([...errors]).toEqual([]);
    expect(failures).toBe(0);
    expect(emu.stats.expiredTokensRefused - expiredBefore).toBe(0);
    // Refreshing ahead of expiry costs at most a few extra fetches; per-client or per-request fetching would be far more.
    expect(fetches).toBeGreaterThanOrEqual(Math.floor(lifetimes));
    expect(fetches).toBeLessThanOrEqual(Math.ceil(lifetimes * 1.5) + 1);
  });
});
