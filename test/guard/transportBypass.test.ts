// Issue 14, findings 1–3: the ways round the request guard found by the adversarial review, replayed against the
// emulator with the real SDK clients built by the factory. A second emulator on another port stands in for the
// attacker's server and counts what reaches it.
import { Agent } from "node:https";
import { join } from "node:path";
import { SmsClient } from "@azure/communication-sms";
import type { HttpClient, PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";
import { createDefaultHttpClient } from "@azure/core-rest-pipeline";
import { afterEach, describe, expect, it } from "vitest";
import type { AcsClientFactoryOptions } from "../../packages/acs-baseline/src/index.js";
import { ACS_TOKEN_SCOPE, AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { readJsonLines } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let attacker: Emulator;
let app: TestApplication;
const dir = tempDir("acs-bypass-");
let seq = 0;
const SMS = { from: "+14255550100", to: ["+14255550123"], message: "bypass" };
const HMAC =
  "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=c2lnbmF0dXJlLW9mLWFuLWFjY2Vzcy1rZXk=";

useEmulator({ onStarted: (started) => ({ emu, app } = started) });
useEmulator({ application: false, onStarted: (started) => ({ emu: attacker } = started) });
afterEach(() => {
  delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
});

interface Rec {
  level: string;
  event: { action: string; outcome: string; reason?: string };
  error?: { code?: string };
  http?: { path?: string; status?: number };
}
function records(file: string): Rec[] {
  return readJsonLines<Rec>(file);
}

function options(extra: Partial<AcsClientFactoryOptions> = {}): { options: AcsClientFactoryOptions; file: string } {
  const file = join(dir, `audit-${++seq}.log`);
  return { options: emulatorFactoryOptions(emu, app, { audit: { destination: file }, ...extra }), file };
}

const acsRequests = (e: Emulator) => e.requests.filter((r) => r.side === "acs").length;
const policy = (name: string, change: (request: PipelineRequest) => void): PipelinePolicy => ({
  name,
  sendRequest: (request, next) => {
    change(request);
    return next(request);
  },
});
const perRetry = (p: PipelinePolicy) => ({ policy: p, position: "perRetry" as const });

/** A factory (no retries) whose pipeline runs `change` on every request, as a hostile policy would; its audit file. */
function factoryWithPolicy(
  name: string,
  change: (request: PipelineRequest) => void,
): { factory: AcsClientFactory; file: string } {
  const { options: o, file } = options();
  const factory = new AcsClientFactory({
    ...o,
    clientOptions: {
      ...o.clientOptions,
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [perRetry(policy(name, change))],
    },
  });
  return { factory, file };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => "resolved",
    (e: unknown) => (e as { code?: string }).code,
  );
}

describe("finding 1: requestOverrides", () => {
  const cases: [string, (request: PipelineRequest, port: number) => void][] = [
    [
      "an HMAC Authorization header",
      (r) => (r.requestOverrides = { headers: { ...r.headers.toJSON({ preserveCase: true }), Authorization: HMAC } }),
    ],
    [
      "another host and port without TLS verification",
      (r, port) => (r.requestOverrides = { hostname: "127.0.0.1", port, rejectUnauthorized: false }),
    ],
    ["another path", (r) => (r.requestOverrides = { path: "/identities?api-version=2023-10-01" })],
    ["a socket path", (r) => (r.requestOverrides = { socketPath: "/tmp/nowhere.sock" })],
  ];
  it.each(cases)(
    "a policy that sets %s is blocked: KEY_AUTH_BLOCKED, a refuse record, nothing sent",
    async (_name, change) => {
      const port = Number(new URL(attacker.endpoint).port);
      const { factory, file } = factoryWithPolicy("override", (r) => change(r, port));
      const before = [acsRequests(emu), acsRequests(attacker)];
      expect(await codeOf(factory.createSmsClient().send(SMS))).toBe("KEY_AUTH_BLOCKED");
      expect([acsRequests(emu), acsRequests(attacker)]).toEqual(before);
      await factory.close();
      const log = records(file);
      expect(log.some((r) => r.event.action === "refuse" && r.error?.code === "KEY_AUTH_BLOCKED")).toBe(true);
      expect(log.some((r) => r.event.action === "request" && r.event.outcome === "success")).toBe(false);
    },
  );

  it("the same override set per client (createClient options) is blocked too", async () => {
    const { options: o } = options();
    const factory = new AcsClientFactory(o);
    const before = acsRequests(emu);
    const sms = factory.createClient(SmsClient, {
      additionalPolicies: [perRetry(policy("o", (r) => (r.requestOverrides = { headers: { authorization: HMAC } })))],
    });
    expect(await codeOf(sms.send(SMS))).toBe("KEY_AUTH_BLOCKED");
    expect(acsRequests(emu)).toBe(before);
    await factory.close();
  });
});

describe("finding 2: a caller's HttpClient", () => {
  const rewriting = (): HttpClient & { calls: number } => {
    const inner = createDefaultHttpClient();
    const client = {
      calls: 0,
      sendRequest(request: PipelineRequest) {
        client.calls++;
        request.headers.set("authorization", HMAC);
        return inner.sendRequest(request);
      },
    };
    return client;
  };

  it("clientOptions.httpClient is refused by default with CUSTOM_TRANSPORT_REFUSED (and a refuse record)", () => {
    const { options: o, file } = options();
    expect(
      () => new AcsClientFactory({ ...o, clientOptions: { ...o.clientOptions, httpClient: rewriting() } }),
    ).toThrow(expect.objectContaining({ code: "CUSTOM_TRANSPORT_REFUSED", control: "IM-1" }));
    expect(records(file).some((r) => r.event.action === "refuse" && r.error?.code === "CUSTOM_TRANSPORT_REFUSED")).toBe(
      true,
    );
  });

  it("a per-client httpClient is refused by default, nothing is sent", async () => {
    const { options: o } = options();
    const factory = new AcsClientFactory(o);
    const http = rewriting();
    expect(() => factory.createClient(SmsClient, { httpClient: http })).toThrow(
      expect.objectContaining({ code: "CUSTOM_TRANSPORT_REFUSED" }),
    );
    expect(http.calls).toBe(0);
    await factory.close();
  });

  it("allowCustomHttpClient lets one through with a warn record (and the guard still runs before it)", async () => {
    const { options: o, file } = options();
    const passthrough = createDefaultHttpClient();
    const factory = new AcsClientFactory({
      ...o,
      allowCustomHttpClient: true,
      clientOptions: { ...o.clientOptions, httpClient: passthrough },
    });
    const [sent] = await factory.createSmsClient().send(SMS);
    expect(sent?.successful).toBe(true);
    await factory.close();
    const warn = records(file).find(
      (r) =>
        r.event.action === "config.warning" &&
        r.level === "warn" &&
        /clientOptions\.httpClient/.test(r.event.reason ?? ""),
    );
    expect(warn).toBeDefined();
  });
});

describe("finding 3: TLS verification", () => {
  it.each([
    [
      "clientOptions.tlsOptions.rejectUnauthorized = false",
      (o: AcsClientFactoryOptions) => ({
        ...o,
        clientOptions: { tlsOptions: { ca: emu.caCertificatePem, rejectUnauthorized: false } as never },
      }),
    ],
    [
      "clientOptions.agent with rejectUnauthorized: false",
      (o: AcsClientFactoryOptions) => ({
        ...o,
        clientOptions: { ...o.clientOptions, agent: new Agent({ rejectUnauthorized: false }) },
      }),
    ],
    [
      "tlsOptions.checkServerIdentity",
      (o: AcsClientFactoryOptions) => ({
        ...o,
        clientOptions: { tlsOptions: { ca: emu.caCertificatePem, checkServerIdentity: () => undefined } as never },
      }),
    ],
  ])("%s is refused at construction with TLS_VERIFICATION_DISABLED (DP-3)", (_name, change) => {
    const { options: o, file } = options();
    const before = emu.requests.length;
    expect(() => new AcsClientFactory(change(o))).toThrow(
      expect.objectContaining({ code: "TLS_VERIFICATION_DISABLED", control: "DP-3" }),
    );
    expect(emu.requests.length).toBe(before);
    expect(
      records(file).some((r) => r.event.action === "refuse" && r.error?.code === "TLS_VERIFICATION_DISABLED"),
    ).toBe(true);
  });

  it("NODE_TLS_REJECT_UNAUTHORIZED=0 is refused at construction", () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    const { options: o } = options();
    expect(() => new AcsClientFactory(o)).toThrow(expect.objectContaining({ code: "TLS_VERIFICATION_DISABLED" }));
  });

  it("NODE_TLS_REJECT_UNAUTHORIZED=0 set later: token requests and SMS are refused at the wire, nothing sent", async () => {
    const { options: o, file } = options();
    const factory = new AcsClientFactory(o);
    const sms = factory.createSmsClient();
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    const before = emu.requests.length;
    await expect(factory.credential.getToken(ACS_TOKEN_SCOPE)).rejects.toBeDefined();
    expect(await codeOf(sms.send(SMS))).not.toBe("resolved");
    expect(emu.requests.length).toBe(before);
    delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    await factory.close();
    const refusals = records(file).filter(
      (r) => r.event.action === "refuse" && r.error?.code === "TLS_VERIFICATION_DISABLED",
    );
    expect(refusals.length).toBeGreaterThan(0);
  });

  it("a per-client tlsOptions or agent without verification is refused at createClient", async () => {
    const { options: o } = options();
    const factory = new AcsClientFactory(o);
    expect(() => factory.createClient(SmsClient, { tlsOptions: { rejectUnauthorized: false } as never })).toThrow(
      expect.objectContaining({ code: "TLS_VERIFICATION_DISABLED" }),
    );
    expect(() => factory.createClient(SmsClient, { agent: new Agent({ rejectUnauthorized: false }) })).toThrow(
      expect.objectContaining({ code: "TLS_VERIFICATION_DISABLED" }),
    );
    await factory.close();
  });

  it("a policy that switches verification off on the request (tlsSettings, agent) is blocked at the wire", async () => {
    const port = Number(new URL(attacker.endpoint).port);
    for (const change of [
      (r: PipelineRequest) => (r.tlsSettings = { rejectUnauthorized: false } as never),
      (r: PipelineRequest) => (r.agent = new Agent({ rejectUnauthorized: false })),
      (r: PipelineRequest) => {
        r.url = r.url.replace(/:\d+\//, `:${port}/`);
        r.tlsSettings = { rejectUnauthorized: false } as never;
      },
    ]) {
      const { factory } = factoryWithPolicy("tls", change);
      const before = [acsRequests(emu), acsRequests(attacker)];
      expect(["TLS_VERIFICATION_DISABLED", "KEY_AUTH_BLOCKED"]).toContain(
        await codeOf(factory.createSmsClient().send(SMS)),
      );
      expect([acsRequests(emu), acsRequests(attacker)]).toEqual(before);
      await factory.close();
    }
  });

  it("a policy that installs its own agent (a socket to another port, without TLS) is blocked: only the configured agent may carry requests", async () => {
    const { createServer } = await import("node:net");
    let received = "";
    const sink = createServer((socket) => socket.on("data", (d: Buffer) => (received += d.toString("latin1"))));
    await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
    const sinkPort = (sink.address() as { port: number }).port;
    const { connect } = await import("node:net");
    class Redirecting extends Agent {
      override createConnection() {
        return connect(sinkPort, "127.0.0.1");
      }
    }
    const { factory, file } = factoryWithPolicy("agent", (r) => (r.agent = new Redirecting()));
    expect(await codeOf(factory.createSmsClient().send(SMS))).toBe("KEY_AUTH_BLOCKED");
    await new Promise((r) => setTimeout(r, 100));
    expect(received).not.toContain("Bearer");
    expect(received).toBe("");
    await factory.close();
    await new Promise<void>((resolve) => sink.close(() => resolve()));
    expect(records(file).some((r) => r.event.action === "refuse" && r.error?.code === "KEY_AUTH_BLOCKED")).toBe(true);
  });

  it("the agent configured in clientOptions is used (and a caller's agent subclass is refused unless allowCustomHttpClient)", async () => {
    const { options: o } = options();
    const agent = new Agent({ ca: emu.caCertificatePem, keepAlive: true });
    const factory = new AcsClientFactory({ ...o, clientOptions: { ...o.clientOptions, agent } });
    const [sent] = await factory.createSmsClient().send(SMS);
    expect(sent?.successful).toBe(true);
    await factory.close();
    agent.destroy();
    class Custom extends Agent {}
    expect(() => new AcsClientFactory({ ...o, clientOptions: { ...o.clientOptions, agent: new Custom() } })).toThrow(
      expect.objectContaining({ code: "CUSTOM_TRANSPORT_REFUSED" }),
    );
  });

  it("custom CAs stay allowed: tlsOptions.ca (every emulator test) and NODE_EXTRA_CA_CERTS", async () => {
    const { options: o } = options();
    const factory = new AcsClientFactory(o);
    const [sent] = await factory.createSmsClient().send(SMS);
    expect(sent?.successful).toBe(true);
    await factory.close();
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, "ca.pem") };
    expect(() => AcsClientFactory.fromEnvironment({ ...o }, env).close()).not.toThrow();
  });
});
