// Reliability under faults (issue 8): the real ACS SDK and @azure/identity against the emulator with injected
// Entra and ACS failures. Expect the SDK's retries to absorb transient faults, a typed error within a bound (no
// hang) for permanent ones, one audit record per failed attempt, and no secret in any error or log line.
// Faults are global to the emulator, so the tests in this file run one after the other (vitest's default).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AuthenticationRequiredError } from "@azure/identity";
import { afterEach, describe, expect, it } from "vitest";
import type { AcsClientFactoryOptions } from "../../packages/acs-baseline/src/index.js";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, FaultSpec, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { readJsonLines } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
const dir = tempDir("acs-reliability-");
let seq = 0;
const SMS = { from: "+14255550100", to: ["+14255550123"], message: "reliability" };
const TOKEN_PATH = /\/oauth2\/v2\.0\/token$/;
const SMS_PATH = "/sms";
const SHORT_RETRY = { maxRetries: 1, retryDelayInMs: 50, maxRetryDelayInMs: 200 };

interface AuditRecord {
  level?: string;
  event: { action: string; outcome: string; reason?: string };
  http?: { status?: number; path?: string };
  error?: { code?: string; message?: string };
}

useEmulator({ application: false, onStarted: (started) => ({ emu } = started) });
afterEach(() => emu.clearFaults());

interface Setup {
  app: TestApplication;
  factory: AcsClientFactory;
  auditFile: string;
}

async function setup(extra: Partial<AcsClientFactoryOptions> = {}, app?: TestApplication): Promise<Setup> {
  const application = app ?? (await emu.createTestApplication({ directory: dir }));
  const auditFile = join(dir, `audit-${++seq}.log`);
  const { clientOptions, ...rest } = extra;
  const factory = new AcsClientFactory(
    emulatorFactoryOptions(emu, application, {
      clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, ...clientOptions },
      audit: { destination: auditFile },
      ...rest,
    }),
  );
  return { app: application, factory, auditFile };
}

function records(file: string): AuditRecord[] {
  return readJsonLines<AuditRecord>(file);
}

/** Requests the emulator received since `from` (an index into emu.requests). */
function since(from: number, side: "entra" | "acs", path: string | RegExp) {
  return emu.requests
    .slice(from)
    .filter((r) => r.side === side && (typeof path === "string" ? r.path === path : path.test(r.path)));
}

/** The rejection of `p`, failing the test if it resolves. */
async function rejection(p: Promise<unknown>): Promise<Error & { statusCode?: number; code?: string }> {
  try {
    await p;
  } catch (error) {
    return error as Error & { statusCode?: number; code?: string };
  }
  throw new Error("expected a rejection");
}

/** Secret material of an application: the PEM (and its base64 body lines) must never leak. */
function secretsOf(app: TestApplication): string[] {
  const keyLines = app.privateKeyPem.split("\n").filter((l) => l.length >= 40 && !l.startsWith("-----"));
  return [app.pem, app.privateKeyPem, ...keyLines];
}

function expectNoSecret(text: string, secrets: string[]): void {
  for (const s of secrets) expect(text.includes(s), `secret fragment leaked: ${s.slice(0, 12)}…`).toBe(false);
}

describe("Entra token endpoint faults", () => {
  const transient: [string, FaultSpec][] = [
    ["500 ×1", { side: "entra", path: TOKEN_PATH, status: 500, count: 1 }],
    ["500 ×2", { side: "entra", path: TOKEN_PATH, status: 500, count: 2 }],
    ["503 ×1", { side: "entra", path: TOKEN_PATH, status: 503, count: 1 }],
    ["503 ×2", { side: "entra", path: TOKEN_PATH, status: 503, count: 2 }],
    ["429 Retry-After: 1 ×1", { side: "entra", path: TOKEN_PATH, status: 429, retryAfterSeconds: 1, count: 1 }],
    ["dropped connection ×1", { side: "entra", path: TOKEN_PATH, drop: true, count: 1 }],
    ["delay 300 ms ×1", { side: "entra", path: TOKEN_PATH, delayMs: 300, count: 1 }],
  ];

  it.each(transient)(
    "token endpoint %s: identity retries and the SMS send succeeds",
    { timeout: 15_000 },
    async (_name, spec) => {
      const { factory, app } = await setup();
      const from = emu.requests.length;
      emu.injectFault(spec);
      const [sent] = await factory.createSmsClient().send(SMS);
      expect(sent?.successful).toBe(true);
      await factory.close();
      const tokenCalls = since(from, "entra", TOKEN_PATH);
      const faulted = tokenCalls.filter((r) => r.fault === true);
      const expectedFaulted = spec.status !== undefined || spec.drop === true ? (spec.count ?? 1) : 0;
      expect(faulted).toHaveLength(expectedFaulted);
      expect(tokenCalls.filter((r) => r.status === 200 && r.clientId === app.clientId)).toHaveLength(1);
    },
  );

  it(
    "permanent 503: a typed error within a bound, a token.acquire failure record, no secret anywhere",
    { timeout: 20_000 },
    async () => {
      const clientSecret = "canary-Secret-Value-9f3b7d21c4";
      const { factory, app, auditFile } = await setup({ clientOptions: { retryOptions: SHORT_RETRY } });
      const from = emu.requests.length;
      emu.injectFault({ side: "entra", path: TOKEN_PATH, status: 503 });
      const started = Date.now();
      const error = await rejection(factory.createSmsClient().send(SMS));
      const elapsed = Date.now() - started;
      await factory.close();
      // @azure/identity wraps the MSAL ServerError (errorCode temporarily_unavailable, status 503) in an
      // AuthenticationRequiredError: typed, with the cause attached, after 1 + maxRetries attempts.
      expect(error).toBeInstanceOf(AuthenticationRequiredError);
      expect((error as { cause?: { status?: number; errorCode?: string } }).cause).toMatchObject({
        status: 503,
        errorCode: "temporarily_unavailable",
      });
      expect(elapsed).toBeLessThan(15_000);
      expect(since(from, "entra", TOKEN_PATH).map((r) => r.status)).toEqual(
        Array<number>(1 + SHORT_RETRY.maxRetries).fill(503),
      );

      const log = readFileSync(auditFile, "utf8");
      const acquire = records(auditFile).filter((r) => r.event.action === "token.acquire");
      expect(acquire.length).toBeGreaterThanOrEqual(1);
      expect(acquire.every((r) => r.event.outcome === "failure")).toBe(true);
      expect(records(auditFile).filter((r) => r.event.action === "request" && r.event.outcome === "success")).toEqual(
        [],
      );

      const secrets = [...secretsOf(app), clientSecret];
      expectNoSecret(`${error.message}\n${error.stack ?? ""}\n${JSON.stringify(error)}`, secrets);
      expectNoSecret(log, secrets);

      // The same with a client secret configured (the fallback credential): the secret stays out of error and log.
      const clientId = "0c6f1f52-3b7a-4f3e-9d7e-5a1b2c3d4e5f";
      emu.registerApplication({ clientId, secret: clientSecret });
      const withSecret = await setup(
        { clientId, certificate: undefined, clientSecret, clientOptions: { retryOptions: SHORT_RETRY } },
        app,
      );
      const err2 = await rejection(withSecret.factory.createSmsClient().send(SMS));
      await withSecret.factory.close();
      expect(err2).toBeInstanceOf(AuthenticationRequiredError);
      expectNoSecret(`${err2.message}\n${err2.stack ?? ""}\n${JSON.stringify(err2)}`, secrets);
      expectNoSecret(readFileSync(withSecret.auditFile, "utf8"), secrets);
      expect(
        records(withSecret.auditFile).some((r) => r.event.action === "token.acquire" && r.event.outcome === "failure"),
      ).toBe(true);
    },
  );
});

describe("ACS data-plane faults", () => {
  const transient: [string, FaultSpec, number][] = [
    ["429 Retry-After: 1 ×1", { side: "acs", path: SMS_PATH, status: 429, retryAfterSeconds: 1, count: 1 }, 429],
    ["500 ×2", { side: "acs", path: SMS_PATH, status: 500, count: 2 }, 500],
    ["503 ×2", { side: "acs", path: SMS_PATH, status: 503, count: 2 }, 503],
  ];

  it.each(transient)(
    "ACS %s: the SDK retries, the send succeeds, one audit record per attempt",
    { timeout: 15_000 },
    async (_name, spec, status) => {
      const { factory, auditFile } = await setup();
      const sms = factory.createSmsClient();
      await sms.send(SMS); // warm up: the token is fetched before the fault is armed
      const from = emu.requests.length;
      emu.injectFault(spec);
      const [sent] = await sms.send(SMS);
      expect(sent?.successful).toBe(true);
      await factory.close();

      const attempts = since(from, "acs", SMS_PATH);
      expect(attempts.map((r) => r.status)).toEqual([...Array<number>(spec.count ?? 0).fill(status), 202]);
      const requestRecords = records(auditFile)
        .filter((r) => r.event.action === "request")
        .slice(1); // skip the warm-up
      expect(requestRecords.map((r) => [r.event.outcome, r.http?.status])).toEqual([
        ...Array.from({ length: spec.count ?? 0 }, () => ["failure", status]),
        ["success", 202],
      ]);
    },
  );

  it(
    "ACS 403 (application without data-plane roles): RestError 403 and a failed request record",
    { timeout: 15_000 },
    async () => {
      const app = await emu.createTestApplication({ directory: dir, roles: [] });
      const { factory, auditFile } = await setup({}, app);
      const error = await rejection(factory.createSmsClient().send(SMS));
      await factory.close();
      expect(error.name).toBe("RestError");
      expect(error.statusCode).toBe(403);
      const failed = records(auditFile).filter((r) => r.event.action === "request");
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ event: { outcome: "failure" }, http: { status: 403 } });
      expectNoSecret(`${error.message}\n${error.stack ?? ""}`, secretsOf(app));
    },
  );

  it("ACS 401 injected: RestError 401 (not retried) and a failed request record", { timeout: 15_000 }, async () => {
    const { factory, auditFile } = await setup();
    const sms = factory.createSmsClient();
    await sms.send(SMS);
    const from = emu.requests.length;
    emu.injectFault({ side: "acs", path: SMS_PATH, status: 401 });
    const error = await rejection(sms.send(SMS));
    await factory.close();
    expect(error.name).toBe("RestError");
    expect(error.statusCode).toBe(401);
    const attempts = since(from, "acs", SMS_PATH);
    expect(attempts).toHaveLength(1);
    const failed = records(auditFile).filter((r) => r.event.action === "request" && r.event.outcome === "failure");
    expect(failed).toHaveLength(attempts.length);
    expect(failed.every((r) => r.http?.status === 401)).toBe(true);
  });

  it(
    "permanent ACS 503: a typed RestError within a bound, one failure record per attempt",
    { timeout: 20_000 },
    async () => {
      const { factory, auditFile, app } = await setup({ clientOptions: { retryOptions: SHORT_RETRY } });
      const sms = factory.createSmsClient();
      await sms.send(SMS);
      const from = emu.requests.length;
      emu.injectFault({ side: "acs", path: SMS_PATH, status: 503 });
      const started = Date.now();
      const error = await rejection(sms.send(SMS));
      const elapsed = Date.now() - started;
      await factory.close();
      expect(error.name).toBe("RestError");
      expect(error.statusCode).toBe(503);
      expect(elapsed).toBeLessThan(15_000);
      const attempts = since(from, "acs", SMS_PATH);
      expect(attempts).toHaveLength(1 + SHORT_RETRY.maxRetries);
      const failed = records(auditFile).filter((r) => r.event.action === "request" && r.event.outcome === "failure");
      expect(failed.map((r) => r.http?.status)).toEqual(attempts.map(() => 503));
      expectNoSecret(`${error.message}\n${error.stack ?? ""}\n${readFileSync(auditFile, "utf8")}`, secretsOf(app));
    },
  );
});

describe("stalled endpoints (an answer that never comes in time)", () => {
  const stalls: [string, FaultSpec][] = [
    ["Entra token endpoint", { side: "entra", path: TOKEN_PATH, delayMs: 30_000, drop: true }],
    ["ACS /sms", { side: "acs", path: SMS_PATH, delayMs: 30_000, drop: true }],
  ];

  it.each(stalls)(
    "%s stalls: the caller's abortSignal bounds the wait with an AbortError",
    { timeout: 15_000 },
    async (_name, spec) => {
      const { factory } = await setup();
      const sms = factory.createSmsClient();
      if (spec.side === "acs") await sms.send(SMS);
      emu.injectFault(spec);
      const error = await rejection(sms.send(SMS, { abortSignal: AbortSignal.timeout(1000) }));
      expect(error.name).toBe("AbortError");
      emu.clearFaults();
      await factory.close();
    },
  );

  // The factory bounds every ACS attempt and every token acquisition (timeoutMs, default 60 s): no hang even
  // without an abortSignal.
  it.each(stalls)(
    "%s stalls, no abortSignal: the factory's timeoutMs gives the caller a typed error",
    { timeout: 15_000 },
    async (_name, spec) => {
      const { factory, auditFile } = await setup({
        timeoutMs: 1000,
        clientOptions: { retryOptions: { maxRetries: 1, retryDelayInMs: 50, maxRetryDelayInMs: 200 } },
      });
      const sms = factory.createSmsClient();
      if (spec.side === "acs") await sms.send(SMS);
      emu.injectFault(spec);
      const started = Date.now();
      const error = await rejection(sms.send(SMS));
      const elapsed = Date.now() - started;
      emu.clearFaults();
      await factory.close();
      expect(elapsed).toBeLessThan(8000);
      expect(spec.side === "entra" ? ["TimeoutError", "AuthenticationRequiredError"] : ["AbortError"]).toContain(
        error.name,
      );
      const failed = records(auditFile).filter((r) => r.event.outcome === "failure");
      expect(failed.length).toBeGreaterThan(0);
    },
  );
});

describe("token expiry under load", () => {
  it(
    "1,000 concurrent sends over ~8 s with 2 s tokens: zero failures, no expired token refused, ~1 fetch per lifetime",
    { timeout: 40_000 },
    async () => {
      const lifetime = 2;
      emu.setTokenLifetime(lifetime);
      try {
        const { factory, app } = await setup();
        const sms = factory.createSmsClient();
        const identity = factory.createIdentityClient();
        const refusedBefore = emu.stats.expiredTokensRefused;
        const waves = 10;
        const perWave = 100;
        let failures = 0;
        let ok = 0;
        const started = Date.now();
        const all: Promise<void>[] = [];
        for (let w = 0; w < waves; w++) {
          for (let i = 0; i < perWave; i++) {
            const call =
              i % 4 === 3 ? identity.createUser().then(() => undefined) : sms.send(SMS).then(() => undefined);
            all.push(
              call.then(
                () => void ok++,
                () => void failures++,
              ),
            );
          }
          if (w < waves - 1) await new Promise((r) => setTimeout(r, 800));
        }
        await Promise.all(all);
        const durationSeconds = (Date.now() - started) / 1000;
        await factory.close();

        const tokenFetches = emu.requests.filter(
          (r) => r.side === "entra" && TOKEN_PATH.test(r.path) && r.clientId === app.clientId && r.status === 200,
        ).length;
        const lifetimes = durationSeconds / lifetime;
        console.info(
          `[token expiry under load] duration ${durationSeconds.toFixed(2)} s, ${lifetimes.toFixed(2)} lifetimes, ${tokenFetches} token fetches (${(tokenFetches / lifetimes).toFixed(2)} per lifetime)`,
        );
        expect(failures).toBe(0);
        expect(ok).toBe(waves * perWave);
        expect(emu.stats.expiredTokensRefused - refusedBefore).toBe(0);
        expect(tokenFetches).toBeGreaterThanOrEqual(2);
        expect(tokenFetches).toBeGreaterThanOrEqual(Math.floor(lifetimes));
        expect(tokenFetches).toBeLessThanOrEqual(3 * Math.ceil(lifetimes));
      } finally {
        emu.setTokenLifetime(3600);
      }
    },
  );
});
