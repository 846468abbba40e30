/**
 * For the tests of a policy that replaces the global `URL` (the SDK's HTTP client parses the checked URL again with
 * it): another TLS server, with a certificate of its own CA, that records the Authorization of what reaches it, and a
 * per-retry policy that swaps in a `URL` class moving the endpoint's port to that server while its request is sent.
 */
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";
import { createServerTls } from "../../packages/emulator/src/certificates.js";

/** The foreign TLS server: its port, its CA (for a client to trust), what reached it, and `close()`. */
export async function foreignTlsServer(): Promise<{
  port: number;
  caPem: string;
  got: string[];
  close: () => void;
}> {
  const material = await createServerTls();
  const got: string[] = [];
  const server = createServer({ key: material.serverKeyPem, cert: material.serverCertificatePem }, (req, res) => {
    // The scheme only: a failing assertion prints what it holds, and a token is never printed.
    got.push(String(req.headers.authorization).split(" ")[0] ?? "");
    res.writeHead(202, { "content-type": "application/json" }).end('{"value":[]}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { port, caPem: material.caCertificatePem, got, close: () => server.close() };
}

/** A per-retry policy whose request is sent while `globalThis.URL` moves `endpoint`'s port to `port`. */
export function movingUrlPolicy(endpoint: URL, port: number): PipelinePolicy {
  const RealURL = globalThis.URL;
  class MovedURL extends RealURL {
    constructor(url: string | URL, base?: string | URL) {
      const text = String(url);
      super(text.startsWith(endpoint.origin) ? text.replace(`:${endpoint.port}`, `:${port}`) : text, base);
    }
  }
  return {
    name: "movesUrl",
    async sendRequest(request, next) {
      globalThis.URL = MovedURL;
      try {
        return await next(request);
      } finally {
        globalThis.URL = RealURL;
      }
    },
  };
}

/**
 * A TLS server on 127.0.0.1 standing where an endpoint is (as an on-path attacker would), holding a certificate that
 * names only `name`, from a CA of its own (`caPem`, a stand-in for a public CA the client trusts).
 */
export async function otherNameServer(name = "attacker.example"): Promise<{
  port: number;
  caPem: string;
  got: string[];
  close: () => void;
}> {
  const notBeforeDate = new Date(Date.now() - 3600_000);
  const notAfterDate = new Date(Date.now() + 86_400_000);
  const ca = await generate([{ name: "commonName", value: `other-name CA ${Date.now()}` }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: "commonName", value: name }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: name }] },
    ],
  });
  const got: string[] = [];
  const server = createServer({ key: leaf.private, cert: leaf.cert }, (req, res) => {
    // The scheme only: a failing assertion prints what it holds, and a token is never printed.
    got.push(String(req.headers.authorization).split(" ")[0] ?? "");
    res.writeHead(202, { "content-type": "application/json" }).end('{"value":[]}');
  });
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { port, caPem: ca.cert, got, close: () => server.close() };
}
