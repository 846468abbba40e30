import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AcsClientFactory, DEFAULT_TIMEOUT_MS } from "../../packages/acs-baseline/src/index.js";

const base = {
  endpoint: "https://contoso.communication.azure.com",
  credential: { getToken: () => new Promise<never>(() => undefined) },
};

describe("timeoutMs", () => {
  it("defaults to 60 s and refuses nonsense", () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(60_000);
    expect(() => new AcsClientFactory({ ...base, timeoutMs: -1 })).toThrow(TypeError);
    expect(() => new AcsClientFactory({ ...base, timeoutMs: Number.NaN })).toThrow(TypeError);
  });

  it("bounds a token acquisition that never answers with a TimeoutError", async () => {
    const factory = new AcsClientFactory({ ...base, timeoutMs: 100 });
    await expect(factory.credential.getToken("https://communication.azure.com//.default")).rejects.toMatchObject({
      name: "TimeoutError",
    });
    await factory.close();
  });

  it("a timed-out token acquisition aborts the caller credential's fetch (abortSignal), close() aborts one in flight", async () => {
    const signals: AbortSignal[] = [];
    const credential = {
      getToken: (_scopes: string | string[], options?: { abortSignal?: AbortSignal }) => {
        if (options?.abortSignal !== undefined) signals.push(options.abortSignal);
        return new Promise<never>(() => undefined);
      },
    };
    const factory = new AcsClientFactory({ ...base, credential, timeoutMs: 100 });
    await expect(factory.credential.getToken("https://communication.azure.com//.default")).rejects.toMatchObject({
      name: "TimeoutError",
    });
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
    const unbounded = new AcsClientFactory({ ...base, credential, timeoutMs: 0 });
    const pending = unbounded.credential.getToken("https://communication.azure.com//.default");
    await unbounded.close();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(signals[1]?.aborted).toBe(true);
    await factory.close();
  });

  it("refuses a connection string given as the audit destination, without creating anything", () => {
    expect(
      () =>
        new AcsClientFactory({
          ...base,
          audit: { destination: "endpoint=https://x.communication.azure.com/;accesskey=a2V5" },
        }),
    ).toThrow(expect.objectContaining({ code: "CONNECTION_STRING_REFUSED" }));
    expect(existsSync("endpoint=https:")).toBe(false);
  });
});
