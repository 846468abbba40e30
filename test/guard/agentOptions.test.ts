// Issue 14, findings 2 and 3 — variations found by a second adversarial pass: an agent's `options` are spread over
// every request it carries, so `port` (or host, socketPath, lookup) in them decides where the socket goes whatever URL
// the guard checked. Such agents are refused (CUSTOM_TRANSPORT_REFUSED) for clients and the credential; the agent
// a client is configured with is sealed (options frozen, verification forced on), so a policy cannot give it a port
// later; and a proxy variable set after a client was built does not make a policy's agent acceptable.
// Third review: a Proxy around a plain https.Agent passed the checks (its traps can answer the HTTP client with another
// createConnection), and a policy could give the configured agent a createConnection of its own or slip a socket into
// its pool, which sent the Bearer token, or the credential's assertion, over plain TCP to another port. A Proxy is
// now refused, and a configured agent's requests are carried by a private twin that no policy can reach.
import { Agent, createServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { connect as connectTcp, createServer as createTcpServer } from "node:net";
import { connect } from "node:tls";
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACS_TOKEN_SCOPE, AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { carrierOf, defaultCarrier } from "../../packages/acs-baseline/src/guard/agentOptions.js";
import { sealedTlsSettings } from "../../packages/acs-baseline/src/guard/requestGuard.js";
import { createServerTls } from "../../packages/emulator/src/certificates.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
/** An attacker's TLS server that answers like ACS and the token endpoint, and keeps what it receives. */
let fake: { port: number; ca: string; seen: { url: string; authorization: string; body: string }[]; close: () => void };
const SMS = { from: "+14255550100", to: ["+14255550123"], message: "agent" };

useEmulator({ onStarted: (started) => ({ emu, app } = started) });
beforeAll(async () => {
  const tls = await createServerTls();
  const seen: { url: string; authorization: string; body: string }[] = [];
  const server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertificatePem }, (req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ url: req.url ?? "", authorization: String(req.headers.authorization ?? ""), body });
      res.writeHead(202, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ value: [{ to: SMS.to[0], messageId: "stolen", httpStatusCode: 202, successful: true }] }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  fake = { port: (server.address() as AddressInfo).port, ca: tls.caCertificatePem, seen, close: () => server.close() };
});
afterAll(() => {
  fake?.close();
  delete process.env.HTTPS_PROXY;
});

const policy = (
  name: string,
  change: (request: { agent?: unknown }) => void,
): { policy: PipelinePolicy; position: "perRetry" } => ({
  policy: {
    name,
    sendRequest: (request, next) => {
      change(request);
      return next(request);
    },
  },
  position: "perRetry",
});
/** A plain TCP server that keeps what it receives and answers 500: where a redirected request would land. */
async function plainSink(): Promise<{ received: string[]; sink: ReturnType<typeof createTcpServer>; port: number }> {
  const received: string[] = [];
  const sink = createTcpServer((socket) =>
    socket.on("data", (d: Buffer) => {
      received.push(d.toString("latin1"));
      socket.end("HTTP/1.1 500 x\r\ncontent-length: 0\r\n\r\n");
    }),
  );
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
  return { received, sink, port: (sink.address() as AddressInfo).port };
}

/** An agent class of a policy's own: its sockets go to the attacker's server, without verification. */
class ToFake extends Agent {
  override createConnection(options: object, callback?: unknown): never {
    return connect(
      { ...options, host: "127.0.0.1", port: fake.port, rejectUnauthorized: false },
      callback as never,
    ) as never;
  }
}
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "sent",
    (e: { code?: string }) => e.code ?? "failed",
  );

describe("agents whose options choose the destination", () => {
  it("a per-client https.Agent with a port is refused at createClient (CUSTOM_TRANSPORT_REFUSED); nothing is sent", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    const before = fake.seen.length;
    expect(() => factory.createSmsClient({ agent: new Agent({ port: fake.port, ca: fake.ca }) })).toThrow(
      expect.objectContaining({ code: "CUSTOM_TRANSPORT_REFUSED" }),
    );
    for (const options of [{ host: "127.0.0.1" }, { socketPath: "/tmp/nowhere.sock" }, { lookup: () => undefined }]) {
      expect(() => factory.createSmsClient({ agent: new Agent(options as never) })).toThrow(
        expect.objectContaining({ code: "CUSTOM_TRANSPORT_REFUSED" }),
      );
    }
    await factory.close();
    expect(fake.seen.length).toBe(before);
  });

  it("a factory clientOptions.agent with a port is refused at construction: the credential's assertion never reaches another server", () => {
    const before = fake.seen.length;
    const o = emulatorFactoryOptions(emu, app);
    expect(
      () =>
        new AcsClientFactory({
          ...o,
          clientOptions: {
            ...o.clientOptions,
            agent: new Agent({ port: fake.port, ca: [emu.caCertificatePem, fake.ca] }),
          },
        }),
    ).toThrow(expect.objectContaining({ code: "CUSTOM_TRANSPORT_REFUSED" }));
    expect(fake.seen.length).toBe(before);
  });

  it("the configured agent is sealed: a policy cannot give it a port later; it keeps working for the endpoint", async () => {
    const o = emulatorFactoryOptions(emu, app);
    const agent = new Agent({ ca: emu.caCertificatePem });
    const factory = new AcsClientFactory({ ...o, clientOptions: { ...o.clientOptions, agent } });
    expect(Object.isFrozen(agent.options)).toBe(true);
    expect(agent.options.rejectUnauthorized).toBe(true);
    const [ok] = await factory.createSmsClient().send(SMS);
    expect(ok?.successful).toBe(true);
    const before = fake.seen.length;
    const sms = factory.createSmsClient({
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [
        policy("mutate", (r) => Object.assign((r.agent as Agent).options, { port: fake.port, ca: fake.ca })),
      ],
    });
    expect(await codeOf(sms.send(SMS))).not.toBe("sent");
    await factory.close();
    expect(fake.seen.length).toBe(before);
  });

  it("HTTPS_PROXY set after the client was built does not let a policy's agent through (KEY_AUTH_BLOCKED)", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    const sms = factory.createSmsClient({
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [
        policy("rogue", (r) => {
          r.agent = new ToFake({});
        }),
      ],
    });
    await factory.credential.getToken(ACS_TOKEN_SCOPE);
    process.env.HTTPS_PROXY = "http://127.0.0.1:9";
    try {
      const before = fake.seen.length;
      expect(await codeOf(sms.send(SMS))).toBe("KEY_AUTH_BLOCKED");
      expect(fake.seen.length).toBe(before);
    } finally {
      delete process.env.HTTPS_PROXY;
      await factory.close();
    }
  });

  it("a Proxy around a plain https.Agent is refused, in a client's options and in the factory's clientOptions", () => {
    const o = emulatorFactoryOptions(emu, app);
    const proxied = new Proxy(new Agent({ ca: emu.caCertificatePem }), {});
    const factory = new AcsClientFactory(o);
    expect(() => factory.createSmsClient({ agent: proxied })).toThrow(
      expect.objectContaining({ code: "CUSTOM_TRANSPORT_REFUSED" }),
    );
    expect(() => new AcsClientFactory({ ...o, clientOptions: { ...o.clientOptions, agent: proxied } })).toThrow(
      expect.objectContaining({ code: "CUSTOM_TRANSPORT_REFUSED" }),
    );
    return factory.close();
  });

  it("a policy that gives the configured agent a createConnection or a socket of its own reaches nothing: a private twin carries the requests", async () => {
    const { received, sink, port: sinkPort } = await plainSink();
    const toSink = () => connectTcp({ host: "127.0.0.1", port: sinkPort });
    const o = emulatorFactoryOptions(emu, app);
    const agent = new Agent({ ca: emu.caCertificatePem, keepAlive: true });
    const factory = new AcsClientFactory({ ...o, clientOptions: { ...o.clientOptions, agent } });
    // Built before the policies change the agent, asked for its first token after.
    const fresh = new AcsClientFactory({ ...o, clientOptions: { ...o.clientOptions, agent } });
    try {
      const own = factory.createSmsClient({
        retryOptions: { maxRetries: 0 },
        additionalPolicies: [
          policy("own connection", (r) => Object.assign(r.agent as Agent, { createConnection: toSink })),
        ],
      });
      expect(await codeOf(own.send(SMS))).toBe("sent");
      const pooled = factory.createSmsClient({
        retryOptions: { maxRetries: 0 },
        additionalPolicies: [
          policy("pooled socket", (r) => {
            const a = r.agent as Agent & { freeSockets: Record<string, Socket[]>; getName(o: object): string };
            const name = a.getName({ host: "127.0.0.1", port: new URL(emu.endpoint).port });
            for (const key of [name, ...Object.keys(a.freeSockets)]) a.freeSockets[key] = [toSink()];
          }),
        ],
      });
      expect(await codeOf(pooled.send(SMS))).toBe("sent");
      // The credential's token requests too (its first token: the assertion goes with it).
      expect(Object.hasOwn(agent, "createConnection")).toBe(true);
      await fresh.credential.getToken(ACS_TOKEN_SCOPE);
      await new Promise((r) => setTimeout(r, 100));
      expect(received.join("")).not.toMatch(/Bearer|client_assertion|POST/);
    } finally {
      await factory.close();
      await fresh.close();
      sink.close();
    }
  });

  it("the carrier never comes back to the pipeline: a response's request names the caller's request and agent", async () => {
    const o = emulatorFactoryOptions(emu, app);
    const agent = new Agent({ ca: emu.caCertificatePem, keepAlive: true });
    const factory = new AcsClientFactory({ ...o, clientOptions: { ...o.clientOptions, agent } });
    const seen: unknown[] = [];
    const sms = factory.createSmsClient({
      additionalPolicies: [
        {
          position: "perCall",
          policy: {
            name: "peek",
            sendRequest: async (request, next) => {
              const response = await next(request);
              seen.push(response.request.agent);
              return response;
            },
          },
        },
      ],
    });
    expect(await codeOf(sms.send(SMS))).toBe("sent");
    expect(seen).toEqual([agent]);
    await factory.close();
  });

  it("an agent whose options answer through accessors (or a Proxy) is refused: the checks and its connections could see different values", () => {
    const o = emulatorFactoryOptions(emu, app);
    const getter = new Agent({ ca: emu.caCertificatePem });
    let reads = 0;
    Object.defineProperty(getter, "options", {
      value: Object.freeze(
        Object.defineProperty({ ca: emu.caCertificatePem }, "port", {
          get: () => (reads++ > 0 ? fake.port : undefined),
          enumerable: true,
        }),
      ),
    });
    const proxied = new Agent({ ca: emu.caCertificatePem });
    Object.defineProperty(proxied, "options", { value: new Proxy({ ...proxied.options }, {}) });
    for (const agent of [getter, proxied]) {
      expect(() => new AcsClientFactory({ ...o, clientOptions: { ...o.clientOptions, agent } })).toThrow(
        expect.objectContaining({ code: "CUSTOM_TRANSPORT_REFUSED" }),
      );
    }
  });

  it("with a proxy configured, only the proxy policy's own agent class passes: a policy's agent, even one named HttpsProxyAgent, is KEY_AUTH_BLOCKED", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    class HttpsProxyAgent extends ToFake {}
    const before = fake.seen.length;
    for (const rogue of [new Agent({}), new HttpsProxyAgent({})]) {
      const sms = factory.createSmsClient({
        retryOptions: { maxRetries: 0 },
        proxyOptions: { host: "http://127.0.0.1", port: 9 },
        additionalPolicies: [policy("rogue", (r) => (r.agent = rogue))],
      });
      expect(await codeOf(sms.send(SMS))).toBe("KEY_AUTH_BLOCKED");
    }
    expect(fake.seen.length).toBe(before);
    await factory.close();
  });

  it("a policy reaches no agent through the response (its request, a streamed body's req or socket), and the carrier takes no socket of a policy's into its pool, with or without a configured agent", async () => {
    const { received, sink, port: sinkPort } = await plainSink();
    const o = emulatorFactoryOptions(emu, app);
    const agents = [
      undefined,
      new Agent({ ca: emu.caCertificatePem }),
      new Agent({ ca: emu.caCertificatePem, keepAlive: true }),
    ];
    const factories = agents.map(
      (agent) => new AcsClientFactory(agent === undefined ? o : { ...o, clientOptions: { ...o.clientOptions, agent } }),
    );
    try {
      for (const [i, factory] of factories.entries()) {
        const reached: unknown[] = [];
        let bytes = 0;
        const stream = {
          name: "stream",
          sendRequest: async (request: PipelineRequest, next: (r: PipelineRequest) => Promise<PipelineResponse>) => {
            request.streamResponseStatusCodes = new Set([Number.POSITIVE_INFINITY]);
            const response = await next(request);
            const body = response.readableStreamBody as unknown as
              | (AsyncIterable<Buffer> & { req?: { agent?: unknown }; socket?: unknown })
              | undefined;
            for (const found of [response.request.agent, body?.req?.agent, body?.req, body?.socket])
              if (found !== undefined) reached.push(found);
            if (body !== undefined) for await (const chunk of body) bytes += chunk.length;
            response.readableStreamBody = undefined;
            return response;
          },
        };
        const sms = factory.createSmsClient({
          retryOptions: { maxRetries: 0 },
          additionalPolicies: [{ policy: stream, position: "perRetry" }],
        });
        await codeOf(sms.send(SMS));
        expect(reached).toEqual(i === 0 ? [] : [agents[i]]);
        expect(bytes).toBeGreaterThan(0);
        // The carrier itself (got here from the module; no policy can), its pool swapped or filled by a name.
        // (Node reads a pool's accessor again later, after the sink is gone: those sockets' errors are expected.)
        const plain = () => connectTcp(sinkPort, "127.0.0.1").on("error", () => undefined);
        // The carrier of the requests to the emulator's ACS endpoint (a carrier serves one destination).
        const endpoint = new URL(emu.endpoint);
        const destination = { hostname: endpoint.hostname, port: Number(endpoint.port) };
        const carrier = (agents[i] === undefined
          ? defaultCarrier(sealedTlsSettings(o.clientOptions?.tlsOptions), false, destination)
          : carrierOf(agents[i], destination)) as unknown as Agent & { freeSockets: unknown };
        try {
          carrier.freeSockets = new Proxy({}, { get: () => [plain()] });
        } catch {
          // refused: the pool cannot be swapped
        }
        const pool = carrier.freeSockets as Record<string, unknown>;
        Object.defineProperty(pool, "127.0.0.1", { get: () => [plain()], enumerable: true, configurable: true });
        expect(await codeOf(factory.createSmsClient().send(SMS))).toBe("sent");
        // Under the name the next request's connection is pooled by: that request is refused, nothing is written to
        // the socket, and the pool is Node's own again for the request after it.
        await new Promise((r) => setTimeout(r, 50));
        const names = Object.keys(pool).filter((name) => name !== "127.0.0.1");
        // Without keep-alive nothing is pooled (Node still takes a pooled socket under the request's name).
        if (i === 1) continue;
        expect(names.length).toBeGreaterThan(0);
        for (const name of names) pool[name] = [plain()];
        expect(await codeOf(factory.createSmsClient({ retryOptions: { maxRetries: 0 } }).send(SMS))).toBe(
          "KEY_AUTH_BLOCKED",
        );
        for (const name of names) Object.defineProperty(pool, name, { get: () => [plain()], configurable: true });
        expect(await codeOf(factory.createSmsClient({ retryOptions: { maxRetries: 0 } }).send(SMS))).toBe(
          "KEY_AUTH_BLOCKED",
        );
        expect(await codeOf(factory.createSmsClient().send(SMS))).toBe("sent");
      }
      await new Promise((r) => setTimeout(r, 100));
      expect(received.join("")).not.toMatch(/Bearer|POST/);
    } finally {
      for (const factory of factories) await factory.close();
      sink.close();
    }
  });

  it("a proxy agent whose options switch TLS off after CONNECT (secureEndpoint, protocol) is KEY_AUTH_BLOCKED", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    const { HttpsProxyAgent } = proxyAgentModule();
    for (const change of [{ secureEndpoint: false }, { protocol: "http:" }]) {
      const agent = new HttpsProxyAgent("http://127.0.0.1:9");
      Object.assign(agent.options as object, change);
      const sms = factory.createSmsClient({
        retryOptions: { maxRetries: 0 },
        proxyOptions: { host: "http://127.0.0.1", port: 9 },
        additionalPolicies: [policy("proxy agent", (r) => (r.agent = agent))],
      });
      expect(await codeOf(sms.send(SMS))).toBe("KEY_AUTH_BLOCKED");
    }
    await factory.close();
  });
});

/** `https-proxy-agent` as the pipeline's proxy policy loads it. */
function proxyAgentModule(): { HttpsProxyAgent: new (proxy: string) => Agent } {
  const fromPipeline = createRequire(createRequire(import.meta.url).resolve("@azure/core-rest-pipeline"));
  const fromRuntime = createRequire(fromPipeline.resolve("@typespec/ts-http-runtime"));
  return fromRuntime("https-proxy-agent") as { HttpsProxyAgent: new (proxy: string) => Agent };
}
