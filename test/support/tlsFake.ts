// A small HTTPS fake of a service for one test file: it reads each request's whole body, then hands the request,
// its body text and the response to the test's handler. Its certificate comes from a CA of its own (`ca`), which a
// client must trust explicitly.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createServerTls } from "../../packages/emulator/src/certificates.js";

/** A running fake: its port, `https://127.0.0.1:<port>`, the PEM of its CA, and `close()`. */
export interface TlsFake {
  port: number;
  endpoint: string;
  ca: string;
  close(): void;
}

/** Starts a fake on 127.0.0.1 that answers every request with `handle(req, body, res)`. */
export async function startTlsFake(
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<TlsFake> {
  const tls = await createServerTls();
  const server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertificatePem }, (req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => handle(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { port, endpoint: `https://127.0.0.1:${port}`, ca: tls.caCertificatePem, close: () => server.close() };
}
