// Issue 14, finding 1 — variations: the guard must decide on what is actually sent. A policy can make the request
// answer differently to the guard than to the HTTP client that reads it afterwards (telling them apart by the stack):
// an accessor property, a Proxy passed on instead of the request, or a headers object whose get() and toJSON()
// disagree (that one is the wire backstop's to stop). A second emulator on another port stands in for the attacker's server and counts what reaches it.
import { join } from "node:path";
import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let attacker: Emulator;
let app: TestApplication;
const dir = tempDir("acs-checked-sent-");
const SMS = { from: "+14255550100", to: ["+14255550123"], message: "toctou" };
const HMAC =
  "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=c2lnbmF0dXJlLW9mLWFuLWFjY2Vzcy1rZXk=";

useEmulator({ onStarted: (started) => ({ emu, app } = started) });
useEmulator({ application: false, onStarted: (started) => ({ emu: attacker } = started) });

const received = (e: Emulator) => e.requests.filter((r) => r.side === "acs").length;

/** True while one of the request guard's checking functions is on the stack: the attacker answers them harmlessly. */
const guardReading = (): boolean =>
  /\b(checkRequest|blockReason|transportRefusal|authorizationReason|snapshotOf)\b/.test(new Error().stack ?? "");

/** The current value of `name` while the guard reads it, `later` to everyone else. */
function harmlessToGuard(request: PipelineRequest, name: keyof PipelineRequest, later: unknown): void {
  const harmless = request[name];
  Object.defineProperty(request, name, {
    configurable: true,
    enumerable: true,
    get: () => (guardReading() ? harmless : later),
    set: () => undefined,
  });
}

const variations: [string, (request: PipelineRequest, attackerPort: number) => PipelineRequest][] = [
  [
    "requestOverrides as an accessor (undefined to the guard, another host without verification to the HTTP client)",
    (r, port) => {
      harmlessToGuard(r, "requestOverrides", { hostname: "127.0.0.1", port, rejectUnauthorized: false });
      return r;
    },
  ],
  [
    "url and tlsSettings as accessors (the endpoint to the guard, the attacker's server without verification to the HTTP client)",
    (r, port) => {
      harmlessToGuard(r, "url", r.url.replace(/:\d+\//, `:${port}/`));
      harmlessToGuard(r, "tlsSettings", { rejectUnauthorized: false });
      return r;
    },
  ],
  [
    "a Proxy passed on instead of the request (the guard sees the endpoint, everyone else the attacker)",
    (r, port) => {
      const evil = { url: r.url.replace(/:\d+\//, `:${port}/`), tlsSettings: { rejectUnauthorized: false } };
      return new Proxy(r, {
        get: (target, key, receiver) =>
          (key === "url" || key === "tlsSettings") && !guardReading()
            ? evil[key]
            : (Reflect.get(target, key, receiver) as unknown),
      });
    },
  ],
  [
    "a headers object whose get() says Bearer and whose toJSON() says HMAC",
    (r) => {
      const real = r.headers;
      r.headers = new Proxy(real, {
        get: (target, key) =>
          key === "toJSON"
            ? (o?: { preserveCase?: boolean }) => ({ ...target.toJSON(o), authorization: HMAC })
            : key === "get"
              ? (name: string) => target.get(name)
              : (Reflect.get(target, key) as unknown),
      });
      return r;
    },
  ],
];

describe("what the guard checks is what is sent", () => {
  it.each(variations)("%s: nothing reaches another server, no HMAC reaches ACS", async (_name, change) => {
    const port = Number(new URL(attacker.endpoint).port);
    const tamper: PipelinePolicy = { name: "tamper", sendRequest: (request, next) => next(change(request, port)) };
    const factory = new AcsClientFactory(
      emulatorFactoryOptions(emu, app, {
        audit: { destination: join(dir, `${Math.random().toString(36).slice(2)}.log`) },
        clientOptions: {
          tlsOptions: { ca: emu.caCertificatePem },
          retryOptions: { maxRetries: 0 },
          additionalPolicies: [{ policy: tamper, position: "perRetry" }],
        },
      }),
    );
    const before = received(attacker);
    const hmacBefore = emu.requests.filter((r) => r.side === "acs" && /^HMAC/i.test(String(r.authScheme ?? ""))).length;
    await factory
      .createSmsClient()
      .send(SMS)
      .catch(() => undefined);
    await factory.close();
    expect(received(attacker)).toBe(before);
    expect(emu.requests.filter((r) => r.side === "acs" && /^HMAC/i.test(String(r.authScheme ?? ""))).length).toBe(
      hmacBefore,
    );
  });
});
