// A factory client through a real CONNECT proxy: the proxy policy's HttpsProxyAgent, pinned by the guard, still
// tunnels and sends (keep-alive and a second request included). Eighth look (/tmp/rvQ/p1.mjs): a policy that reaches
// the agent gave agent-base's internal state an accessor (`currentSocket`) handing over a plain socket of its own, or
// changed where the tunnel goes; neither may send anything (KEY_AUTH_BLOCKED), and the sink receives nothing.
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { connect as connectTcp, createServer as createUnixServer } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";
import { codeOf, plainSink, sleep } from "../support/carrierProbe.js";
import { foreignTlsServer, movingUrlPolicy, otherNameServer } from "../support/movedUrl.js";

let emu: Emulator;
let app: TestApplication;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

const SMS = { from: "+14255550100", to: ["+14255550123"], message: "tunnel text" };

// Through a proxy the SDK's proxy policy ignores the client's TLS settings (upstream: "certificates provided to the
// client will be ignored"), so the emulator's CA is made a default one for this file, as NODE_EXTRA_CA_CERTS would.
const tlsDefaults = tls as unknown as {
  getCACertificates(kind: string): string[];
  setDefaultCACertificates(certs: string[]): void;
};
let defaults: string[] = [];
beforeAll(() => {
  defaults = tlsDefaults.getCACertificates("default");
  tlsDefaults.setDefaultCACertificates([...defaults, emu.caCertificatePem]);
});
afterAll(() => tlsDefaults.setDefaultCACertificates(defaults));

/**
 * A CONNECT proxy on 127.0.0.1 that tunnels to whatever it is asked (or, with `divertTo`, to that port of its own
 * whatever it is asked: a hostile proxy), counting tunnels.
 */
async function connectProxy(divertTo?: number): Promise<{ port: number; tunnels: () => number; close: () => void }> {
  let tunnels = 0;
  const sockets = new Set<Socket>();
  const server = createHttpServer();
  server.on("connect", (req, client: Socket, head: Buffer) => {
    tunnels++;
    const [host, port] = String(req.url).split(":");
    const upstream = connectTcp(divertTo ?? Number(port), divertTo === undefined ? host : "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => undefined);
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    tunnels: () => tunnels,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const policy = (name: string, act: (agent: Record<string | symbol, unknown>) => void) => ({
  name,
  sendRequest: (request: PipelineRequest, next: (r: PipelineRequest) => Promise<PipelineResponse>) => {
    const agent = request.agent as unknown as Record<string | symbol, unknown> | undefined;
    if (agent !== undefined) {
      try {
        act(agent);
      } catch {
        // refused: pinned
      }
    }
    return next(request);
  },
});

describe("a factory client through a CONNECT proxy", () => {
  it("sends through the tunnel, and again on the same client", async () => {
    const proxy = await connectProxy();
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    try {
      const sms = factory.createSmsClient({ proxyOptions: { host: "http://127.0.0.1", port: proxy.port } });
      expect(await codeOf(sms.send(SMS))).toBe("sent");
      expect(await codeOf(sms.send(SMS))).toBe("sent");
      expect(proxy.tunnels()).toBeGreaterThan(0);
    } finally {
      await factory.close();
      proxy.close();
    }
  });

  it("a policy that hands agent-base a socket of its own, or moves the tunnel, sends nothing", async () => {
    const proxy = await connectProxy();
    const { sink, port: sinkPort, text } = await plainSink();
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    const restore: (() => void)[] = [];
    const attacks = {
      currentSocket: (agent: Record<string | symbol, unknown>) => {
        const internal = Object.getOwnPropertySymbols(agent).find((s) => String(s).includes("AgentBaseInternalState"));
        if (internal === undefined) throw new Error("no internal state");
        Object.defineProperty(agent[internal], "currentSocket", {
          get: () => connectTcp(sinkPort, "127.0.0.1").on("error", () => undefined),
          set: () => undefined,
          configurable: true,
        });
      },
      connectOpts: (agent: Record<string | symbol, unknown>) => {
        Object.assign(agent.connectOpts as object, { path: "/tmp/no-such.sock", port: sinkPort });
      },
      superCreateSocket: (agent: Record<string | symbol, unknown>) => {
        // http.Agent.prototype, three up from the agent: agent-base reaches it with `super.createSocket`.
        const base = Object.getPrototypeOf(Object.getPrototypeOf(Object.getPrototypeOf(agent))) as Record<
          string,
          unknown
        >;
        const original = base.createSocket as (...args: unknown[]) => unknown;
        restore.push(() => (base.createSocket = original));
        base.createSocket = function (this: object, request: unknown, options: unknown, done: unknown) {
          if (this !== agent) return original.call(this, request, options, done);
          (done as (e: null, s: unknown) => void)(
            null,
            connectTcp(sinkPort, "127.0.0.1").on("error", () => undefined),
          );
          return undefined;
        };
      },
      prototype: (agent: Record<string | symbol, unknown>) => {
        const proto = Object.getPrototypeOf(agent) as Record<string, unknown>;
        const original = proto.connect;
        restore.push(() => (proto.connect = original));
        proto.connect = () => Promise.resolve(connectTcp(sinkPort, "127.0.0.1").on("error", () => undefined));
      },
      proxyUrl: (agent: Record<string | symbol, unknown>) => {
        (agent.proxy as URL).port = String(sinkPort);
      },
    };
    try {
      for (const [name, act] of Object.entries(attacks)) {
        let armed = false;
        const sms = factory.createSmsClient({
          retryOptions: { maxRetries: 0 },
          // A fresh agent per client (the proxy policy keeps one per pipeline), let through by a first clean request.
          proxyOptions: { host: "http://127.0.0.1", port: proxy.port },
          additionalPolicies: [{ policy: policy(name, (a) => armed && act(a)), position: "perRetry" }],
        });
        expect(await codeOf(sms.send(SMS)), name).toBe("sent");
        armed = true;
        // Refused when the next connection is made (the connect options are frozen: that change throws at once, and
        // the request goes through the configured tunnel).
        const code = await codeOf(sms.send(SMS, { abortSignal: AbortSignal.timeout(4000) }));
        // A class method replaced on the shared prototype: the agent let through keeps its pinned ones; an agent
        // made after the change is refused.
        expect(code, name).toBe(name === "connectOpts" || name === "prototype" ? "sent" : "KEY_AUTH_BLOCKED");
        if (name === "superCreateSocket") for (const undo of restore.splice(0)) undo();
        if (name === "prototype") {
          const fresh = factory.createSmsClient({ proxyOptions: { host: "http://127.0.0.1", port: proxy.port } });
          expect(await codeOf(fresh.send(SMS))).toBe("KEY_AUTH_BLOCKED");
          for (const undo of restore.splice(0)) undo();
        }
      }
      await sleep(200);
      expect(text()).not.toMatch(/POST|Bearer|tunnel text|CONNECT/);
    } finally {
      for (const undo of restore) undo();
      await factory.close();
      proxy.close();
      sink.close();
    }
  });
});

it("a policy that moves the tunnel before the agent was first let through: refused, no CONNECT reaches it", async () => {
  const { sink, port: sinkPort, text } = await plainSink();
  const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
  try {
    const sms = factory.createSmsClient({
      retryOptions: { maxRetries: 0 },
      proxyOptions: { host: "http://127.0.0.1", port: 9 },
      additionalPolicies: [
        {
          policy: policy("moves", (a) => Object.assign(a.connectOpts as object, { port: sinkPort })),
          position: "perRetry",
        },
      ],
    });
    expect(await codeOf(sms.send(SMS))).toBe("KEY_AUTH_BLOCKED");
    await sleep(100);
    expect(text()).not.toMatch(/CONNECT|Proxy-Authorization|POST/);
  } finally {
    await factory.close();
    sink.close();
  }
});

it("a connection option given to Object.prototype (a unix socket `path` for the CONNECT): refused, nothing reaches it", async () => {
  const proxy = await connectProxy();
  const received: string[] = [];
  const path = join(mkdtempSync(join(tmpdir(), "acs-proxy-path-")), "sink.sock");
  const sink = createUnixServer((socket) => {
    socket.on("error", () => undefined);
    socket.on("data", (d: Buffer) => received.push(d.toString("latin1")));
  });
  await new Promise<void>((r) => sink.listen(path, r));
  const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
  let armed = false;
  try {
    const sms = factory.createSmsClient({
      retryOptions: { maxRetries: 0 },
      proxyOptions: { host: "http://127.0.0.1", port: proxy.port },
      additionalPolicies: [
        {
          policy: {
            name: "pollutes",
            sendRequest: (request: PipelineRequest, next: (r: PipelineRequest) => Promise<PipelineResponse>) => {
              if (armed) {
                armed = false;
                // the next request needs a new tunnel
                request.disableKeepAlive = true;
                Object.defineProperty(Object.prototype, "path", {
                  configurable: true,
                  // only the proxy connection's options (net.connect reads `path` and connects to that socket)
                  get(this: { port?: unknown }) {
                    return Object.prototype.hasOwnProperty.call(this, "port") && this.port === proxy.port
                      ? path
                      : undefined;
                  },
                  set(this: object, value: unknown) {
                    Object.defineProperty(this, "path", {
                      value,
                      writable: true,
                      enumerable: true,
                      configurable: true,
                    });
                  },
                });
              }
              return next(request);
            },
          },
          position: "perRetry",
        },
      ],
    });
    expect(await codeOf(sms.send(SMS))).toBe("sent");
    armed = true;
    const failure = await sms.send(SMS, { abortSignal: AbortSignal.timeout(4000) }).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message?: string },
    );
    expect(failure?.code).toBe("KEY_AUTH_BLOCKED");
    await sleep(100);
    expect(received.join("")).toBe("");
  } finally {
    delete (Object.prototype as { path?: unknown }).path;
    await factory.close();
    proxy.close();
    sink.close();
  }
});

// Fifteenth review, through a proxy: the SDK parses the checked URL again with the global URL; a replaced one moved the
// CONNECT to another TLS server (whose certificate the client trusts). The tunnel may only go where the guard checked.
it("globalThis.URL replaced so the tunnel goes elsewhere: refused (KEY_AUTH_BLOCKED), no CONNECT to it", async () => {
  const foreign = await foreignTlsServer();
  const before = tlsDefaults.getCACertificates("default");
  tlsDefaults.setDefaultCACertificates([...before, foreign.caPem]);
  const proxy = await connectProxy();
  const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
  const proxyOptions = { host: "http://127.0.0.1", port: proxy.port };
  const sms = factory.createSmsClient({
    proxyOptions,
    retryOptions: { maxRetries: 0 },
    additionalPolicies: [{ position: "perRetry", policy: movingUrlPolicy(new URL(emu.endpoint), foreign.port) }],
  });
  try {
    expect(await codeOf(sms.send(SMS))).toBe("KEY_AUTH_BLOCKED");
    expect(foreign.got).toEqual([]);
    expect(await codeOf(factory.createSmsClient({ proxyOptions }).send(SMS))).toBe("sent");
  } finally {
    tlsDefaults.setDefaultCACertificates(before);
    await factory.close();
    proxy.close();
    foreign.close();
  }
});

// Sixteenth review (/tmp/review-r7/proxySni.mjs): through a proxy, a policy's Host header chose the name TLS checked the
// certificate against inside the tunnel; a proxy that piped the tunnel to a server of its own holding a certificate
// for that name read the Bearer token and the SMS text.
it("a Host header naming another host through a hostile proxy: refused (KEY_AUTH_BLOCKED), the proxy's server gets nothing", async () => {
  const onPath = await otherNameServer("attacker.example");
  const before = tlsDefaults.getCACertificates("default");
  tlsDefaults.setDefaultCACertificates([...before, onPath.caPem]);
  const proxy = await connectProxy(onPath.port);
  const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
  const sms = factory.createSmsClient({
    proxyOptions: { host: "http://127.0.0.1", port: proxy.port },
    retryOptions: { maxRetries: 0 },
    additionalPolicies: [
      {
        position: "perRetry",
        policy: {
          name: "otherHost",
          sendRequest(request, next) {
            request.headers.set("host", "attacker.example");
            return next(request);
          },
        },
      },
    ],
  });
  try {
    expect(await codeOf(sms.send(SMS))).toBe("KEY_AUTH_BLOCKED");
    expect(onPath.got).toEqual([]);
  } finally {
    tlsDefaults.setDefaultCACertificates(before);
    await factory.close();
    proxy.close();
    onPath.close();
  }
});
