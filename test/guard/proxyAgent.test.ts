// The proxy agent the guard lets through: the pipelines built without the factory (the management clients of
// posture, sweep and readiness, the blob anchor's storage client, the credential's own transport) pass only
// `{ proxy: true }`, and still accept exactly the proxy policy's `HttpsProxyAgent` class, not a look-alike.
import { Agent } from "node:https";
import type { AddressInfo } from "node:net";
import { connect as connectTcp, createServer as createTcpServer } from "node:net";
import { createRequire } from "node:module";
import { createHttpHeaders, createPipelineRequest, createDefaultHttpClient } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { httpsProxyAgentPrototypes, isProxyPolicyAgent } from "../../packages/acs-baseline/src/guard/proxyAgent.js";
import { transportRefusal } from "../../packages/acs-baseline/src/guard/requestGuard.js";
import { guardedArmClientOptions } from "../../packages/acs-baseline/src/posture/armClients.js";

type ProxyAgentClass = new (proxy: string, options?: object) => Agent;
/** `HttpsProxyAgent` as the pipeline's proxy policy loads it. */
function pipelineProxyAgent(): ProxyAgentClass {
  const fromPipeline = createRequire(createRequire(import.meta.url).resolve("@azure/core-rest-pipeline"));
  const fromRuntime = createRequire(fromPipeline.resolve("@typespec/ts-http-runtime"));
  return (fromRuntime("https-proxy-agent") as { HttpsProxyAgent: ProxyAgentClass }).HttpsProxyAgent;
}

/** A look-alike: named `HttpsProxyAgent`, its sockets plain TCP to wherever it likes. */
function lookAlike(port: number): Agent {
  class HttpsProxyAgent extends Agent {}
  Object.defineProperty(HttpsProxyAgent.prototype, "createConnection", {
    value: () => connectTcp(port, "127.0.0.1"),
  });
  return new HttpsProxyAgent({});
}

function request(agent: Agent) {
  const r = createPipelineRequest({
    url: "https://management.example.test/subscriptions?api-version=2022-12-01",
    headers: createHttpHeaders({ authorization: "Bearer eyJ0eXAi.payload.sig" }),
  });
  r.agent = agent;
  return r;
}

describe("the proxy agent the guard allows", () => {
  it("is resolved from the pipelines' own chain: the class the proxy policy installs", () => {
    const HttpsProxyAgent = pipelineProxyAgent();
    expect(httpsProxyAgentPrototypes().has(HttpsProxyAgent.prototype)).toBe(true);
    expect(isProxyPolicyAgent(new HttpsProxyAgent("http://127.0.0.1:9"), httpsProxyAgentPrototypes())).toBe(true);
  });

  it("with only { proxy: true } (management, storage and credential pipelines), a look-alike named HttpsProxyAgent is KEY_AUTH_BLOCKED, the real class passes", () => {
    const fake = lookAlike(9);
    expect(fake.constructor.name).toBe("HttpsProxyAgent");
    expect(transportRefusal(request(fake), { proxy: true })?.[0]).toBe("KEY_AUTH_BLOCKED");
    const HttpsProxyAgent = pipelineProxyAgent();
    expect(transportRefusal(request(new HttpsProxyAgent("http://127.0.0.1:9")), { proxy: true })).toBeUndefined();
  });

  it("a real HttpsProxyAgent given a method of its own (isSecureEndpoint: no TLS after CONNECT) is KEY_AUTH_BLOCKED; one let through is pinned", () => {
    const HttpsProxyAgent = pipelineProxyAgent();
    const own = new HttpsProxyAgent("http://127.0.0.1:9");
    Object.assign(own, { isSecureEndpoint: () => false });
    expect(transportRefusal(request(own), { proxy: true })?.[0]).toBe("KEY_AUTH_BLOCKED");
    const agent = new HttpsProxyAgent("http://127.0.0.1:9");
    expect(transportRefusal(request(agent), { proxy: true })).toBeUndefined();
    // What runs after the check (a body factory, a later request's policy) cannot switch TLS off any more.
    expect(() => Object.assign(agent.options, { secureEndpoint: false })).toThrow(TypeError);
    expect(() => Object.assign(agent, { isSecureEndpoint: () => false })).toThrow(TypeError);
    expect(() => Object.assign(agent, { options: { secureEndpoint: false } })).toThrow(TypeError);
    expect(transportRefusal(request(agent), { proxy: true })).toBeUndefined();
    // After CONNECT it announces the HTTP client's request (headers not yet written): no policy's listener hears it.
    let heard = 0;
    agent.on("proxyConnect", () => heard++);
    agent.emit("proxyConnect", {}, {});
    expect(heard).toBe(0);
    // Its class swapped after it was let through: refused again.
    class Other extends Agent {}
    Object.setPrototypeOf(agent, Other.prototype);
    expect(transportRefusal(request(agent), { proxy: true })?.[0]).toBe("KEY_AUTH_BLOCKED");
  });

  it("a management client's guarded HttpClient with a proxy configured sends nothing through a look-alike", async () => {
    const received: string[] = [];
    const sink = createTcpServer((socket) => socket.on("data", (d: Buffer) => received.push(d.toString("latin1"))));
    await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
    const port = (sink.address() as AddressInfo).port;
    try {
      const { httpClient } = guardedArmClientOptions("https://management.example.test", {
        httpClient: createDefaultHttpClient(),
        proxyOptions: { host: "http://127.0.0.1", port: 9 },
      });
      const error: unknown = await httpClient.sendRequest(request(lookAlike(port))).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: "KEY_AUTH_BLOCKED" });
      await new Promise((r) => setTimeout(r, 50));
      expect(received.join("")).toBe("");
    } finally {
      sink.close();
    }
  });
});
