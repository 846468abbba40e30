/**
 * A small, independent HTTPS fake of Azure Resource Manager (and a plain-http managed-identity endpoint), written from
 * Microsoft's public REST shapes and not from our emulator: each test answers each request itself with
 * {@link SpecReply}s, so it can use what the specs allow and the emulator never does (casing, absent optional
 * properties, extra members, `nextLink`/`$skipToken` paging, empty pages, throttling, error bodies of every shape).
 * It checks only that a Bearer token came; tokens come from the emulator's Entra.
 */
import { createServer as createHttpServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";

/** One request the fake received (no headers but the ones named: the Authorization header stays out). */
export interface SpecRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** The parsed query. */
  query: URLSearchParams;
  /** The path, lower-cased (ARM paths are case-insensitive). */
  path: string;
  /** The JSON body, when one was sent. */
  body: unknown;
  /** Whether an `Authorization: Bearer …` header came. */
  bearer: boolean;
  /** Selected request headers (lower-case names). */
  headers: Record<string, string | undefined>;
}

/** What the fake answers: a status, headers, and a JSON value or raw text. */
export interface SpecReply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  /** Never answer (the request stays open until the fake closes): a stalled server. */
  hold?: boolean;
}

/** Answers a request; undefined means 404 with ARM's `{error:{code,message}}`. */
export type SpecHandler = (request: SpecRequest) => SpecReply | undefined;

/** A started fake. */
export interface SpecFake {
  /** `https://127.0.0.1:{port}` (ARM) or `http://127.0.0.1:{port}` (a managed-identity endpoint). */
  endpoint: string;
  /** The CA that signed the server certificate (ARM only; empty for http). */
  caCertificatePem: string;
  /** Every request received, in order. */
  requests: SpecRequest[];
  /** Replaces the handler. */
  handle(handler: SpecHandler): void;
  close(): Promise<void>;
}

/** A CA and a server certificate it signed (for 127.0.0.1 and localhost), fresh for each fake. */
export async function serverTls(): Promise<{ ca: string; cert: string; key: string }> {
  const notBeforeDate = new Date(Date.now() - 3600_000);
  const notAfterDate = new Date(Date.now() + 24 * 3600_000);
  const ca = await generate([{ name: "commonName", value: `spec fake CA ${process.pid}-${Date.now()}` }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: "commonName", value: "127.0.0.1" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      // localhost too: a test of a link to another host name must fail at our pinning, not at TLS.
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  });
  return { ca: ca.cert, cert: server.cert, key: server.private };
}

const KEPT_HEADERS = ["host", "metadata", "x-identity-header", "content-type", "x-ms-client-request-id", "user-agent"];

function readRequest(req: IncomingMessage, text: string): SpecRequest {
  const url = new URL(req.url ?? "/", "https://fake.invalid");
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  const headers: Record<string, string | undefined> = {};
  for (const name of KEPT_HEADERS) {
    const value = req.headers[name];
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  return {
    method: req.method ?? "GET",
    url: req.url ?? "/",
    query: url.searchParams,
    path: url.pathname.toLowerCase(),
    body,
    bearer: /^Bearer \S+$/.test(req.headers.authorization ?? ""),
    headers,
  };
}

function send(res: ServerResponse, reply: SpecReply): void {
  const text = reply.text ?? (reply.json !== undefined ? JSON.stringify(reply.json) : "");
  const type = reply.text !== undefined ? "text/plain" : "application/json; charset=utf-8";
  res.writeHead(reply.status ?? 200, { "content-type": type, ...reply.headers });
  res.end(text);
}

/** Starts the fake: `https` (ARM, needs a Bearer token) or `http` (a managed-identity endpoint on loopback). */
export async function startSpecFake(kind: "arm" | "identity" = "arm"): Promise<SpecFake> {
  const requests: SpecRequest[] = [];
  let handler: SpecHandler = () => undefined;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request = readRequest(req, Buffer.concat(chunks).toString("utf8"));
      requests.push(request);
      if (kind === "arm" && !request.bearer) {
        send(res, { status: 401, json: { error: { code: "AuthenticationFailed", message: "No token." } } });
        return;
      }
      let reply: SpecReply | undefined;
      try {
        reply = handler(request);
      } catch (error) {
        reply = { status: 500, json: { error: { code: "FakeHandlerFailed", message: String(error) } } };
      }
      if (reply?.hold === true) return;
      send(res, reply ?? { status: 404, json: { error: { code: "NotFound", message: "Not in the fake." } } });
    });
  };
  const tls = kind === "arm" ? await serverTls() : undefined;
  const server =
    tls !== undefined ? createHttpsServer({ cert: tls.cert, key: tls.key }, listener) : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `${tls !== undefined ? "https" : "http"}://127.0.0.1:${port}`,
    caCertificatePem: tls?.ca ?? "",
    requests,
    handle(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** ARM's error body (`{error:{code,message}}`), as the common-types ErrorResponse defines it. */
export const armError = (status: number, code: string, message = "An error.", headers?: Record<string, string>) => ({
  status,
  json: { error: { code, message } },
  ...(headers !== undefined ? { headers } : {}),
});

/** A page of an ARM list (`{value, nextLink?}`). */
export const armPage = (value: unknown[], nextLink?: string): SpecReply => ({
  json: nextLink !== undefined ? { value, nextLink } : { value },
});

/** A Resource Graph answer (`QueryResponse` of 2024-04-01): object-array rows, with `$skipToken` when more follow. */
export const graphPage = (rows: Record<string, unknown>[], skipToken?: string, extra: object = {}): SpecReply => ({
  json: {
    totalRecords: rows.length,
    count: rows.length,
    resultTruncated: "false",
    data: rows,
    facets: [],
    ...(skipToken !== undefined ? { $skipToken: skipToken } : {}),
    ...extra,
  },
});
