// Review U, finding 1, end to end: a hostile ACS puts the message into a URL path it makes the client request next.
// (a) Email `beginSend` answered with an `operation-location` whose path is the subject, URL-encoded: the poll's
// `request` record held `/emails/operations/Quarterly%20layoffs…`. (b) SMS answered with a 307 to `/sms/<message>`:
// the SDK follows it without Authorization, the guard refuses it, and the refusal's record held the message in its
// path, and its own text came out as "…Microsoft Entra Bearer [REDACTED] are sent". Real SDK clients, a TLS fake.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { EmailClient } from "@azure/communication-email";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { scrubText } from "../../packages/acs-baseline/src/text/scrub.js";
import { createServerTls } from "../../packages/emulator/src/certificates.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { readRecords } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

const env = useEmulator();
const dir = tempDir("acs-service-paths-");
const SUBJECT = "Quarterly layoffs list for Jerry";
const MESSAGE = "Your bank PIN is 4829 call me";
let fake: { port: number; ca: string; seen: string[]; close: () => void };

beforeAll(async () => {
  const tls = await createServerTls();
  const seen: string[] = [];
  let port = 0;
  const server: Server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertificatePem }, (req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      seen.push(`${req.method} ${path}`);
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", "retry-after": "0", ...headers });
        res.end(JSON.stringify(value));
      };
      const base = `https://127.0.0.1:${port}`;
      if (req.method === "POST" && path === "/emails:send") {
        const subject = (JSON.parse(body) as { content: { subject: string } }).content.subject;
        const location = `${base}/emails/operations/${encodeURIComponent(subject)}?api-version=2025-09-01`;
        return json(202, { id: "op1", status: "Running" }, { "operation-location": location });
      }
      if (path.startsWith("/emails/operations/")) return json(200, { id: "op1", status: "Succeeded" });
      if (req.method === "POST" && path === "/sms") {
        const message = (JSON.parse(body) as { message: string }).message;
        res.writeHead(307, { location: `${base}/sms/${encodeURIComponent(message)}?api-version=2021-03-07` });
        return res.end();
      }
      json(404, {});
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
  fake = { port, ca: tls.caCertificatePem, seen, close: () => server.close() };
});
afterAll(() => fake?.close());

function factoryFor(auditFile: string): AcsClientFactory {
  const base = emulatorFactoryOptions(env.emu, env.app, { audit: { destination: auditFile } });
  return new AcsClientFactory({
    ...base,
    endpoint: `https://127.0.0.1:${fake.port}`,
    clientOptions: { tlsOptions: { ca: [env.emu.caCertificatePem, fake.ca] }, retryOptions: { maxRetries: 0 } },
  });
}

describe("a path the service chose", () => {
  it("an Email poll URL naming the subject: the poll is recorded, the subject is not", async () => {
    const file = join(dir, "email.log");
    const factory = factoryFor(file);
    const poller = await factory.createClient(EmailClient).beginSend(
      {
        senderAddress: "noreply@contoso.example",
        content: { subject: SUBJECT, plainText: "x" },
        recipients: { to: [{ address: "a@contoso.example" }] },
      },
      { updateIntervalInMs: 1 },
    );
    await poller.pollUntilDone();
    await factory.close();
    expect(fake.seen).toContain(`GET /emails/operations/${encodeURIComponent(SUBJECT)}`);
    const text = readFileSync(file, "utf8");
    expect(text).not.toMatch(/layoffs|Jerry/);
    const paths = readRecords(file)
      .filter((r) => r.event.action === "request")
      .map((r) => String(r.http?.path));
    expect(paths).toEqual(["/emails:send", "/emails/operations/[segment]"]);
  });

  it("an SMS redirected to a path holding the message: refused, and the refusal's record holds neither", async () => {
    const file = join(dir, "sms.log");
    const factory = factoryFor(file);
    const error: unknown = await factory
      .createSmsClient()
      .send({ from: "+18005550100", to: ["+14255550199"], message: MESSAGE })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await factory.close();
    expect(error).toMatchObject({ code: "KEY_AUTH_BLOCKED" });
    const text = readFileSync(file, "utf8");
    expect(text).not.toMatch(/bank|PIN|4829/);
    const failed = readRecords(file).filter((r) => r.event.action === "request" && r.event.outcome === "failure");
    expect(failed.map((r) => String(r.http?.path))).toContain("/sms/[segment]");
    const refusal = failed.find((r) => r.http?.path === "/sms/[segment]");
    expect(refusal?.error?.message).toContain("with a Microsoft Entra token (scheme Bearer) are sent");
    expect(refusal?.error?.message).not.toContain("[REDACTED]");
  });

  it.each([
    ["no Authorization header", () => undefined],
    ["an access-key signature", () => "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=c2ln"],
    ["another scheme", () => "Basic dXNlcjpwYXNz"],
  ])("the guard's refusal (%s) is recorded as it was written, not cut by the scrubber", async (name, header) => {
    const file = join(dir, `${name.replace(/\W/g, "")}.log`);
    const signWithKey: PipelinePolicy = {
      name: "signWithKey",
      sendRequest: (request, next) => {
        const value = header();
        if (value === undefined) request.headers.delete("authorization");
        else request.headers.set("authorization", value);
        return next(request);
      },
    };
    const factory = new AcsClientFactory(emulatorFactoryOptions(env.emu, env.app, { audit: { destination: file } }));
    const error = await factory
      .createSmsClient({ additionalPolicies: [{ policy: signWithKey, position: "perRetry" }] })
      .send({ from: "+14255550100", to: ["+14255550199"], message: "hi" })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    await factory.close();
    expect(error).toMatchObject({ code: "KEY_AUTH_BLOCKED" });
    const message = (error as Error).message;
    expect(scrubText(message)).toBe(message);
    const messages = readRecords(file)
      .map((r) => r.error?.message as unknown)
      .filter((m) => typeof m === "string");
    expect(messages).toContain(message);
  });
});
