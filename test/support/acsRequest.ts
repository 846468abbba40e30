import { createHash, createHmac } from "node:crypto";
import { request } from "node:https";
import type { Emulator } from "../../packages/emulator/src/index.js";

/** One raw HTTPS request to the emulator's ACS data plane (trusting its CA); the answer's status, error code and body. */
export function acsRequest(
  emu: Pick<Emulator, "endpoint" | "caCertificatePem">,
  method: string,
  path: string,
  options: { authorization?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; code?: string; body: unknown }> {
  const url = new URL(path, emu.endpoint);
  const text = options.body === undefined ? "" : JSON.stringify(options.body);
  const headers: Record<string, string> = { "content-type": "application/json", ...(options.headers ?? {}) };
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  headers["content-length"] = String(Buffer.byteLength(text)); // framed, so a GET or DELETE body cannot spill into the next request
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca: emu.caCertificatePem, headers }, (res) => {
      let data = "";
      res.on("data", (c: Buffer) => (data += c.toString()));
      res.on("end", () => {
        const body: unknown = data.length > 0 ? JSON.parse(data) : undefined;
        const code = (body as { error?: { code?: string } } | undefined)?.error?.code;
        resolve({ status: res.statusCode ?? 0, ...(code !== undefined ? { code } : {}), body });
      });
    });
    req.on("error", reject);
    req.end(text);
  });
}

/**
 * The headers `@azure/communication-common` signs a request with (HMAC-SHA256 over verb, path and query, date, host
 * and content hash), for a base64 access key.
 */
export function hmacHeaders(
  emu: Pick<Emulator, "endpoint">,
  method: string,
  path: string,
  body: unknown,
  key: string,
): Record<string, string> {
  const url = new URL(path, emu.endpoint);
  const date = new Date().toUTCString();
  const hash = createHash("sha256")
    .update(body === undefined ? "" : JSON.stringify(body), "utf8")
    .digest("base64");
  const toSign = `${method}\n${url.pathname}${url.search}\n${date};${url.host};${hash}`;
  const signature = createHmac("sha256", Buffer.from(key, "base64")).update(toSign, "utf8").digest("base64");
  return {
    "x-ms-date": date,
    "x-ms-content-sha256": hash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

/** The access key in one of the emulator's connection strings. */
export function accessKeyOf(connectionString: string): string {
  return /accesskey=([^;]+)/i.exec(connectionString)?.[1] ?? "";
}
