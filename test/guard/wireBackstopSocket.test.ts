/**
 * The wire backstop judges a request by where its socket goes, and by the headers as they go on the wire: a `Host`
 * header naming the endpoint's host with another port, a `Host` header given as an array, a raw header list and an
 * Authorization header given twice do not get an access-key request to the endpoint. A raw TLS server stands in for
 * the endpoint and records every request head it receives (decrypted); requests to another port are left alone.
 */
import { createServer as createHttpServer } from "node:http";
import type { OutgoingHttpHeaders } from "node:http";
import { Agent, request } from "node:https";
import { createRequire } from "node:module";
import { connect as connectTcp } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { connect as connectTls, createServer as createTlsServer } from "node:tls";
import type { Server as TlsServer } from "node:tls";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BaselineViolationError } from "../../packages/acs-baseline/src/errors.js";
import { registerWireBackstop } from "../../packages/acs-baseline/src/guard/wireBackstop.js";
import { createServerTls } from "../../packages/emulator/src/certificates.js";

const HMAC = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=AAAA";
let ca = "";
/** The endpoint (guarded) and another service on the same host name (not guarded), each with what it received. */
let endpoint: { server: TlsServer; port: number; received: string[] };
let other: { server: TlsServer; port: number; received: string[] };

/** A TLS server that records each request head and answers 200 on a kept-alive connection. */
async function rawServer(key: string, cert: string): Promise<{ server: TlsServer; port: number; received: string[] }> {
  const received: string[] = [];
  const server = createTlsServer({ key, cert }, (socket) => {
    let buffered = "";
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1");
      let end = buffered.indexOf("\r\n\r\n");
      while (end !== -1) {
        const head = buffered.slice(0, end);
        // A chunked body's last chunk ends in an empty line too: only request heads are recorded, by method.
        if (/^POST /.test(head)) {
          const lines = head.split("\r\n").filter((line) => /^(host|authorization):/i.test(line));
          received.push(
            lines
              .map((line) => line.replace(/^[^:]+/, (name) => name.toLowerCase()))
              .sort()
              .join(" | "),
          );
        }
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        buffered = buffered.slice(end + 4 + (length === null ? 0 : Number(length[1])));
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        end = buffered.indexOf("\r\n\r\n");
      }
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, received };
}

beforeAll(async () => {
  const tls = await createServerTls();
  ca = tls.caCertificatePem;
  endpoint = await rawServer(tls.serverKeyPem, tls.serverCertificatePem);
  other = await rawServer(tls.serverKeyPem, tls.serverCertificatePem);
});
afterAll(() => {
  endpoint.server.close();
  other.server.close();
});

let release: () => void;
let blocked: BaselineViolationError[];
beforeEach(() => {
  blocked = [];
  release = registerWireBackstop({ hostname: "localhost", port: endpoint.port }, (error) => blocked.push(error));
});
afterEach(() => release());

interface SendOptions {
  host?: string;
  port?: number;
  /** Values as arrays too (Node sends each), or a raw list (`['Host', 'h', …]`). */
  headers: Record<string, string | string[]> | string[];
  agent?: Agent;
  createConnection?: () => Socket;
}

/** Sends a POST; resolves with `status N` or `error CODE`, once the servers had time to record what they got. */
function send(options: SendOptions): Promise<string> {
  return new Promise((resolve) => {
    const settle = (outcome: string) => setTimeout(() => resolve(outcome), 50);
    const req = request(
      {
        host: options.host ?? "localhost",
        port: options.port ?? endpoint.port,
        servername: "localhost",
        ca,
        method: "POST",
        path: "/sms?api-version=2021-03-07",
        headers: options.headers as OutgoingHttpHeaders | string[],
        ...(options.agent === undefined ? {} : { agent: options.agent }),
        ...(options.createConnection === undefined ? {} : { agent: false, createConnection: options.createConnection }),
      },
      (res) => {
        res.resume();
        res.on("end", () => settle(`status ${res.statusCode}`));
      },
    );
    req.on("error", (e: Error & { code?: string }) => settle(`error ${e.code ?? e.message}`));
    req.end("{}");
  });
}

describe("a Host header naming the endpoint's host with another port", () => {
  it("on a fresh connection to the endpoint's host and port is KEY_AUTH_BLOCKED; the endpoint receives nothing", async () => {
    const before = endpoint.received.length;
    for (const host of ["localhost:8443", "localhost:0", "localhost", `localhost.:${endpoint.port + 1}`]) {
      expect(await send({ headers: { host, authorization: HMAC } }), host).toBe("error KEY_AUTH_BLOCKED");
    }
    expect(endpoint.received.slice(before)).toEqual([]);
    expect(blocked.map((e) => e.code)).toEqual(Array(4).fill("KEY_AUTH_BLOCKED"));
  });

  it("on a kept-alive connection to the endpoint is KEY_AUTH_BLOCKED; only the Bearer request before it arrives", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
    try {
      const before = endpoint.received.length;
      expect(await send({ agent, headers: { authorization: "Bearer t" } })).toBe("status 200");
      expect(await send({ agent, headers: { host: "localhost:8443", authorization: HMAC } })).toBe(
        "error KEY_AUTH_BLOCKED",
      );
      expect(endpoint.received.slice(before)).toEqual([`authorization: Bearer t | host: localhost:${endpoint.port}`]);
    } finally {
      agent.destroy();
    }
  });

  it("on a connected socket handed in by createConnection is KEY_AUTH_BLOCKED", async () => {
    const socket = connectTls({ host: "localhost", port: endpoint.port, ca, servername: "localhost" });
    await new Promise((resolve) => socket.once("secureConnect", resolve));
    const before = endpoint.received.length;
    expect(
      await send({ createConnection: () => socket, headers: { host: "localhost:8443", authorization: HMAC } }),
    ).toBe("error KEY_AUTH_BLOCKED");
    expect(endpoint.received.length).toBe(before);
  });
});

describe("headers as they go on the wire", () => {
  it("a Host header given as an array, on a socket to the endpoint's IP address, is KEY_AUTH_BLOCKED", async () => {
    const before = endpoint.received.length;
    for (const host of [[`localhost:${endpoint.port}`], ["example.org", `LOCALHOST:${endpoint.port}`]]) {
      expect(await send({ host: "127.0.0.1", headers: { host, authorization: HMAC } })).toBe("error KEY_AUTH_BLOCKED");
    }
    expect(endpoint.received.slice(before)).toEqual([]);
  });

  it("a raw header list naming the endpoint is KEY_AUTH_BLOCKED, also with a Bearer value before the HMAC one", async () => {
    const before = endpoint.received.length;
    const host = `localhost:${endpoint.port}`;
    const lists = [
      ["Host", host, "Authorization", HMAC, "Content-Length", "2"],
      ["Host", host, "Authorization", "Bearer t", "Authorization", HMAC, "Content-Length", "2"],
      ["Authorization", HMAC, "Content-Length", "2"],
    ];
    expect(await send({ host: "127.0.0.1", headers: lists[0] ?? [] })).toBe("error KEY_AUTH_BLOCKED");
    expect(await send({ host: "127.0.0.1", headers: lists[1] ?? [] })).toBe("error KEY_AUTH_BLOCKED");
    // No Host header at all, on a socket to the endpoint's host and port.
    expect(await send({ headers: lists[2] ?? [] })).toBe("error KEY_AUTH_BLOCKED");
    expect(endpoint.received.slice(before)).toEqual([]);
  });

  it("an Authorization header given as an array (Bearer first, HMAC second) is KEY_AUTH_BLOCKED", async () => {
    const before = endpoint.received.length;
    expect(await send({ headers: { authorization: ["Bearer t", HMAC] } })).toBe("error KEY_AUTH_BLOCKED");
    expect(await send({ headers: { host: "localhost:8443", authorization: ["Bearer t", HMAC] } })).toBe(
      "error KEY_AUTH_BLOCKED",
    );
    expect(endpoint.received.slice(before)).toEqual([]);
  });
});

describe("no false positives", () => {
  it("Bearer requests to the endpoint pass, whatever the Host header and however the headers are given", async () => {
    const before = endpoint.received.length;
    expect(await send({ headers: { authorization: "Bearer t" } })).toBe("status 200");
    expect(await send({ headers: { host: "localhost:8443", authorization: "Bearer t" } })).toBe("status 200");
    expect(await send({ host: "127.0.0.1", headers: ["Host", "localhost", "Authorization", "Bearer t"] })).toBe(
      "status 200",
    );
    expect(endpoint.received.length).toBe(before + 3);
    expect(blocked).toEqual([]);
  });

  it("requests to another port of the endpoint's host pass, with no Authorization or any, whatever their Host header", async () => {
    const before = other.received.length;
    const port = other.port;
    expect(await send({ port, headers: {} })).toBe("status 200");
    expect(await send({ port, headers: { authorization: HMAC } })).toBe("status 200");
    expect(await send({ port, headers: { host: "localhost:8443", authorization: HMAC } })).toBe("status 200");
    expect(await send({ port, headers: { host: ["localhost:1"], authorization: HMAC } })).toBe("status 200");
    expect(await send({ port, headers: ["Host", "localhost", "Authorization", HMAC] })).toBe("status 200");
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
    try {
      expect(await send({ port, agent, headers: {} })).toBe("status 200");
      expect(await send({ port, agent, headers: { host: "localhost:8443" } })).toBe("status 200");
    } finally {
      agent.destroy();
    }
    expect(other.received.length).toBe(before + 7);
    expect(blocked).toEqual([]);
  });
});

describe("through a CONNECT proxy (the socket's peer is the proxy)", () => {
  type ProxyAgentClass = new (proxy: string, options?: object) => Agent;
  const fromPipeline = createRequire(createRequire(import.meta.url).resolve("@azure/core-rest-pipeline"));
  const fromRuntime = createRequire(fromPipeline.resolve("@typespec/ts-http-runtime"));
  const { HttpsProxyAgent } = fromRuntime("https-proxy-agent") as { HttpsProxyAgent: ProxyAgentClass };

  it("the tunnel's destination decides: the endpoint's port is KEY_AUTH_BLOCKED, another port passes", async () => {
    const proxy = createHttpServer();
    proxy.on("connect", (req: { url?: string }, client: Socket) => {
      const [host, port] = (req.url ?? "").split(":");
      const upstream = connectTcp(Number(port), host === "localhost" ? "127.0.0.1" : (host ?? ""), () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const agent = new HttpsProxyAgent(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, { ca });
    try {
      const before = { endpoint: endpoint.received.length, other: other.received.length };
      expect(await send({ agent, headers: { host: "localhost:8443", authorization: HMAC } })).toBe(
        "error KEY_AUTH_BLOCKED",
      );
      expect(await send({ agent, port: other.port, headers: {} })).toBe("status 200");
      expect(await send({ agent, port: other.port, headers: { host: "localhost:8443" } })).toBe("status 200");
      expect(endpoint.received.length).toBe(before.endpoint);
      expect(other.received.length).toBe(before.other + 2);
    } finally {
      agent.destroy();
      proxy.close();
    }
  });
});
