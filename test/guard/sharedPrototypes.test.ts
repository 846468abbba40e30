// Eleventh review (/tmp/rvT): a pipeline policy reaches objects every module shares — Node's Agent classes through
// `Object.getPrototypeOf(request.agent)`, and `Object.prototype` from any object it is handed. The guard's private
// agents ("carriers") looked their base methods up on https.Agent.prototype at every call, and Node's tls.connect reads
// every option nobody set (`socket`, `secureContext`, `session`, `lookup`) from Object.prototype: the Bearer token and
// the SMS text of every client went to the policy's socket. Now the carriers run the class's methods as they were
// when acs-baseline was loaded, an agent made after one was replaced is refused, and a new connection is refused while
// Object.prototype holds a connection option.
import { EventEmitter } from "node:events";
import { Agent as HttpAgent } from "node:http";
import { Agent } from "node:https";
import { connect as connectTcp } from "node:net";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { defaultCarrier } from "../../packages/acs-baseline/src/guard/agentOptions.js";
import { pollutedConnectionOption } from "../../packages/acs-baseline/src/guard/sharedPrototypes.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";
import { codeOf, plainSink, sleep } from "../support/carrierProbe.js";
import { usePatches, withPolicy } from "../support/hostilePolicy.js";

let emu: Emulator;
let app: TestApplication;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

const SMS = { from: "+14255550100", to: ["+14255550123"], message: "SHARED-PROTOTYPE-TEXT" };
const { replace, undoLater } = usePatches();

describe("what a policy changes on shared prototypes does not move the guard's connections", () => {
  it("https.Agent.prototype.createConnection replaced through request.agent: the carrier still connects to ACS", async () => {
    const { sink, port, text } = await plainSink();
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    let armed = false;
    // keep-alive off: every request opens a connection
    const agent = new Agent({ ca: emu.caCertificatePem });
    const sms = withPolicy(
      factory,
      (request, next) => {
        if (armed && request.agent !== undefined) {
          armed = false;
          replace(
            Object.getPrototypeOf(request.agent) as object,
            "createConnection",
            () => () => connectTcp(port, "127.0.0.1").on("error", () => undefined),
          );
        }
        return next(request);
      },
      agent,
    );
    try {
      expect(await codeOf(sms.send(SMS))).toBe("sent");
      armed = true;
      expect(await codeOf(sms.send(SMS))).toBe("sent");
      await sleep(100);
      expect(text().length).toBe(0);
    } finally {
      await factory.close();
      sink.close();
    }
  });

  it("http.Agent.prototype.addRequest replaced: another client's request is not handed the policy's socket", async () => {
    const { sink, port, text } = await plainSink();
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    const other = factory.createSmsClient({ retryOptions: { maxRetries: 0 } });
    const sms = withPolicy(factory, (request, next) => {
      replace(
        HttpAgent.prototype,
        "addRequest",
        (original) =>
          function (this: unknown, ...args: unknown[]) {
            const req = args[0] as { method?: string; onSocket(socket: unknown): void };
            if (req.method !== "POST") return original.apply(this, args);
            req.onSocket(connectTcp(port, "127.0.0.1").on("error", () => undefined));
            return undefined;
          },
      );
      return next(request);
    });
    try {
      expect(await codeOf(sms.send(SMS))).toBe("sent");
      expect(await codeOf(other.send(SMS))).toBe("sent");
      await sleep(100);
      expect(text().length).toBe(0);
    } finally {
      await factory.close();
      sink.close();
    }
  });

  it("an agent of the guard's is not made once a method of Node's https.Agent class was replaced", () => {
    replace(
      Agent.prototype,
      "_getSession",
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          return original.apply(this, args);
        },
    );
    expect(() => defaultCarrier({ ca: emu.caCertificatePem }, false)).toThrow(
      expect.objectContaining({
        code: "KEY_AUTH_BLOCKED",
        message: expect.stringContaining("https.Agent.prototype._getSession, which Node's agents call, was replaced"),
      }),
    );
  });

  it("the refusal names the replaced method (EventEmitter's too) and says what to do", () => {
    replace(
      EventEmitter.prototype,
      "on",
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          return original.apply(this, args);
        },
    );
    expect(() => defaultCarrier({ ca: emu.caCertificatePem }, true)).toThrow(
      expect.objectContaining({
        code: "KEY_AUTH_BLOCKED",
        message: expect.stringMatching(
          /EventEmitter\.prototype\.on, which .* before acs-baseline, or remove the change/,
        ),
      }),
    );
  });

  it("a connection option given to Object.prototype: new connections are refused, nothing reaches its socket", async () => {
    const { sink, port, text } = await plainSink();
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    let armed = false;
    const sms = withPolicy(factory, (request, next) => {
      if (armed) {
        armed = false;
        // a new connection for this request (no kept-alive socket to reuse)
        request.disableKeepAlive = true;
        Object.defineProperty(Object.prototype, "socket", {
          configurable: true,
          get(this: object) {
            // only tls.connect's options (they hold minDHSize)
            return Object.prototype.hasOwnProperty.call(this, "minDHSize")
              ? connectTcp(port, "127.0.0.1").on("error", () => undefined)
              : undefined;
          },
        });
        undoLater(() => delete (Object.prototype as { socket?: unknown }).socket);
      }
      return next(request);
    });
    try {
      expect(await codeOf(sms.send(SMS))).toBe("sent");
      armed = true;
      const refused = await sms.send(SMS).then(
        () => undefined,
        (error: unknown) => error as { code?: string; message?: string },
      );
      expect(refused?.code).toBe("KEY_AUTH_BLOCKED");
      expect(refused?.message).toContain('Object.prototype was given "socket"');
      await sleep(100);
      expect(text().length).toBe(0);
    } finally {
      await factory.close();
      sink.close();
    }
  });

  it("only new keys that Node's connection code reads count: a symbol does, an unrelated name does not", () => {
    expect(pollutedConnectionOption()).toBeUndefined();
    Object.defineProperty(Object.prototype, "shouldAssert", { configurable: true, get: () => undefined });
    undoLater(() => delete (Object.prototype as { shouldAssert?: unknown }).shouldAssert);
    expect(pollutedConnectionOption()).toBeUndefined();
    const symbol = Symbol("proxy config");
    Object.defineProperty(Object.prototype, symbol, { configurable: true, value: {} });
    undoLater(() => delete (Object.prototype as Record<symbol, unknown>)[symbol]);
    expect(pollutedConnectionOption()).toBe(symbol);
  });
});
