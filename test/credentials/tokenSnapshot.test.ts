// Adversarial review B (token TOCTOU): a credential's AccessToken is read once, right after getToken resolves, into
// a plain (frozen) copy that is validated, cached, recorded and returned. A getter that shows the validation a good
// expiry and later NaN no longer gets a token cached without a token.acquire record, and an unusable
// refreshAfterTimestamp (-1, NaN, in the past, after expiry) is dropped instead of starting a fetch on every call.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import { ACS_TOKEN_SCOPE, AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { SharedTokenCredential } from "../../packages/acs-baseline/src/credentials/sharedTokenCache.js";
import { tempDir } from "../support/tempDir.js";

const ENDPOINT = "https://contoso.communication.azure.com";
const dir = tempDir("acs-token-snapshot-");
const acquireRecords = (file: string) =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { event: { action: string; outcome: string }; token?: { expiresOn?: string } })
    .filter((r) => r.event.action === "token.acquire");

/** A token whose `expiresOnTimestamp` getter answers `values[i]` on read i (the last value after that). */
function shifting(
  values: unknown[],
  extra: Partial<Record<keyof AccessToken, unknown>> = {},
): { token: AccessToken; reads: () => number } {
  let reads = 0;
  const token = { token: "t", ...extra } as AccessToken;
  Object.defineProperty(token, "expiresOnTimestamp", {
    enumerable: true,
    get: () => values[Math.min(reads++, values.length - 1)],
  });
  return { token, reads: () => reads };
}

describe("tokens are read once", () => {
  it("expiresOnTimestamp valid on 4 reads then NaN: one success record with the valid expiry, cached, a plain copy returned", async () => {
    const file = join(dir, "getter.log");
    const good = Date.now() + 3_600_000;
    let calls = 0;
    let made: ReturnType<typeof shifting> | undefined;
    const credential: TokenCredential = {
      getToken: () => {
        calls++;
        made = shifting([good, good, good, good, Number.NaN]);
        return Promise.resolve(made.token);
      },
    };
    const factory = new AcsClientFactory({ endpoint: ENDPOINT, credential, audit: { destination: file } });
    const got: (AccessToken | null)[] = [];
    for (let i = 0; i < 3; i++) got.push(await factory.credential.getToken(ACS_TOKEN_SCOPE));
    await factory.close();
    expect(calls).toBe(1);
    expect(made?.reads()).toBe(1);
    for (const t of got) {
      expect(t?.token).toBe("t");
      expect(t?.expiresOnTimestamp).toBe(good);
      expect(Object.getOwnPropertyDescriptor(t, "expiresOnTimestamp")).toHaveProperty("value", good);
    }
    const records = acquireRecords(file);
    expect(records.map((r) => r.event.outcome)).toEqual(["success"]);
    expect(records[0]?.token?.expiresOn).toBe(new Date(good).toISOString());
  });

  it("expiresOnTimestamp NaN on the first read and valid after: a failure record every time, never cached", async () => {
    const file = join(dir, "nan-first.log");
    let calls = 0;
    const credential: TokenCredential = {
      getToken: () => (calls++, Promise.resolve(shifting([Number.NaN, Date.now() + 3_600_000]).token)),
    };
    const factory = new AcsClientFactory({ endpoint: ENDPOINT, credential, audit: { destination: file } });
    for (let i = 0; i < 3; i++) await factory.credential.getToken(ACS_TOKEN_SCOPE).catch(() => undefined);
    await factory.close();
    expect(calls).toBe(3);
    expect(acquireRecords(file).map((r) => r.event.outcome)).toEqual(["failure", "failure", "failure"]);
  });

  it("the token value is read once: a getter that turns empty after validation does not reach the caller", async () => {
    let reads = 0;
    const token = Object.defineProperty({ expiresOnTimestamp: Date.now() + 3_600_000 }, "token", {
      enumerable: true,
      get: () => (reads++ === 0 ? "t" : ""),
    }) as AccessToken;
    const shared = new SharedTokenCredential({ getToken: () => Promise.resolve(token) });
    expect((await shared.getToken(ACS_TOKEN_SCOPE))?.token).toBe("t");
    expect((await shared.getToken(ACS_TOKEN_SCOPE))?.token).toBe("t");
    expect(reads).toBe(1);
  });

  it("the cached token cannot be changed by one caller for the others", async () => {
    const expires = Date.now() + 3_600_000;
    const shared = new SharedTokenCredential({
      getToken: () => Promise.resolve({ token: "t", expiresOnTimestamp: expires }),
    });
    const first = (await shared.getToken(ACS_TOKEN_SCOPE)) as AccessToken;
    expect(() => Object.assign(first, { expiresOnTimestamp: 0, token: "x" })).toThrow(TypeError);
    expect(await shared.getToken(ACS_TOKEN_SCOPE)).toEqual({ token: "t", expiresOnTimestamp: expires });
  });

  it.each([
    ["-1", () => -1],
    ["NaN", () => Number.NaN],
    ["in the past", () => Date.now() - 60_000],
    ["after the expiry", () => Date.now() + 7_200_000],
    ["a string", () => "1"],
    ["a getter that is -1 after the first read", undefined],
  ])("refreshAfterTimestamp %s is dropped: 20 getToken calls make 1 fetch", async (_n, refreshAfter) => {
    let calls = 0;
    const credential: TokenCredential = {
      getToken: () => {
        calls++;
        const token = { token: "t", expiresOnTimestamp: Date.now() + 3_600_000 } as AccessToken;
        if (refreshAfter !== undefined)
          return Promise.resolve({ ...token, refreshAfterTimestamp: refreshAfter() as number });
        let reads = 0;
        Object.defineProperty(token, "refreshAfterTimestamp", {
          enumerable: true,
          get: () => (reads++ === 0 ? Date.now() + 1_800_000 : -1),
        });
        return Promise.resolve(token);
      },
    };
    const shared = new SharedTokenCredential(credential);
    for (let i = 0; i < 20; i++) {
      const t = await shared.getToken(ACS_TOKEN_SCOPE);
      expect(t?.token).toBe("t");
      await new Promise((r) => setImmediate(r));
    }
    expect(calls).toBe(1);
  });

  it("a usable refreshAfterTimestamp is kept and obeyed (a background fetch once it has passed)", async () => {
    let calls = 0;
    const credential: TokenCredential = {
      getToken: () => (
        calls++,
        Promise.resolve({
          token: `t${calls}`,
          expiresOnTimestamp: Date.now() + 3_600_000,
          refreshAfterTimestamp: Date.now() + 100,
          tokenType: "Bearer",
        })
      ),
    };
    const shared = new SharedTokenCredential(credential);
    const first = await shared.getToken(ACS_TOKEN_SCOPE);
    expect(first).toMatchObject({ token: "t1", tokenType: "Bearer" });
    expect(typeof first?.refreshAfterTimestamp).toBe("number");
    await new Promise((r) => setTimeout(r, 150));
    expect((await shared.getToken(ACS_TOKEN_SCOPE))?.token).toBe("t1"); // still served while the refresh runs
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(2);
    expect((await shared.getToken(ACS_TOKEN_SCOPE))?.token).toBe("t2");
  });
});
