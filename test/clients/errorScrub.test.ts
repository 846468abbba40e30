// IM-8 for what a service answers: a service (or a proxy or firewall in front of it) that echoes the request into
// its error must not put the Bearer token, the message text or a full phone number into the caller's logs or the
// audit log. A fake ACS over TLS answers every request with 400 and the request echoed in the body and headers.
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { inspect } from "node:util";
import { EmailClient } from "@azure/communication-email";
import { PhoneNumbersClient } from "@azure/communication-phone-numbers";
import { RoomsClient } from "@azure/communication-rooms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { createServerTls } from "../../packages/emulator/src/certificates.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
let echo: { endpoint: string; ca: string; tokens: string[]; close: () => void };
const dir = tempDir("acs-echo-");
const TEXT = "Tom & Jerry's one-time code is 839201 — keep it";
const PHONE = "+14255550199";

useEmulator({ onStarted: (started) => ({ emu, app } = started) });
beforeAll(async () => {
  const tls = await createServerTls();
  const tokens: string[] = [];
  const server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertificatePem }, (req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const auth = String(req.headers.authorization ?? "");
      tokens.push(auth.slice("Bearer ".length));
      // As it came, as .NET's System.Text.Json writes it (\uXXXX for &, ' and non-ASCII), and cut short.
      let message = "";
      try {
        const value = (JSON.parse(body) as { message?: unknown }).message;
        message = typeof value === "string" ? value : "";
      } catch {
        // not JSON: nothing to quote
      }
      const dotnet = message.replace(
        /[^\x20-\x7e]|[&'<>+]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
      );
      const said = `auth was ${auth}; url was ${req.url ?? ""}; body was ${body}; dotnet ${dotnet}; cut ${message.slice(0, 24)}`;
      res.writeHead(400, {
        "content-type": "application/json",
        "x-ms-error-code": auth,
        "x-ms-request-id": body.slice(0, 200).replace(/[^\x20-\x7e]/g, " "),
      });
      res.end(JSON.stringify({ error: { code: "BadRequest", message: said, target: body } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  echo = { endpoint: `https://127.0.0.1:${port}/`, ca: tls.caCertificatePem, tokens, close: () => server.close() };
});
afterAll(() => echo?.close());

function factoryFor(file: string): AcsClientFactory {
  return new AcsClientFactory({
    ...emulatorFactoryOptions(emu, app),
    endpoint: echo.endpoint,
    clientOptions: { tlsOptions: { ca: [emu.caCertificatePem, echo.ca] }, retryOptions: { maxRetries: 0 } },
    audit: { destination: file },
  });
}

/** Everything a caller or a log would show of `error`. */
function shownOf(error: unknown): string {
  const e = error as { details?: unknown; request?: { url?: unknown }; response?: { bodyAsText?: unknown } };
  return [
    String((error as Error).message),
    String((error as Error).stack),
    inspect(error, { depth: 8, showHidden: true }),
    JSON.stringify(error),
    JSON.stringify(e.details ?? null),
    String(e.request?.url),
    String(e.response?.bodyAsText),
    JSON.stringify((e.response as { headers?: { toJSON(): unknown } } | undefined)?.headers?.toJSON() ?? null),
  ].join("\n");
}

describe("a service that echoes the request into its error", () => {
  it("SmsClient: the thrown error and the audit record hold no token, message text or full phone number", async () => {
    const file = join(dir, "sms.log");
    const factory = factoryFor(file);
    const error: unknown = await factory
      .createSmsClient()
      .send({ from: "+14255550100", to: [PHONE], message: TEXT })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await factory.close();
    expect(error).toMatchObject({ name: "RestError", statusCode: 400 });
    const token = echo.tokens.at(-1) ?? "";
    expect(token.length).toBeGreaterThan(20);
    const shown = shownOf(error);
    for (const secret of [token, token.slice(0, 40), TEXT, PHONE, "4255550199", "839201", "Jerry"])
      expect(shown).not.toContain(secret);
    expect(shown).toContain("[REDACTED]");
    const log = readFileSync(file, "utf8");
    for (const secret of [token.slice(0, 40), TEXT, PHONE, "839201"]) expect(log).not.toContain(secret);
    const request = log
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as { event: { action: string }; http?: { correlationId?: string }; error?: { code?: string } },
      )
      .find((r) => r.event.action === "request");
    // Neither header is shaped like what it stands for: the record keeps neither.
    expect(request?.http?.correlationId).toBeUndefined();
    expect(request?.error?.code).toBe("BadRequest");
  });

  it("PhoneNumbersClient: a number in the request's path is masked in the error's URL and inspect", async () => {
    const factory = factoryFor(join(dir, "numbers.log"));
    const error: unknown = await factory
      .createClient(PhoneNumbersClient)
      .getPurchasedPhoneNumber(PHONE)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await factory.close();
    expect(error).toMatchObject({ statusCode: 400 });
    const shown = shownOf(error);
    expect(shown).not.toContain("4255550199");
    expect(String((error as { request?: { url?: string } }).request?.url)).toMatch(/phoneNumbers\/[^/?]*0199/i);
  });
  it("RoomsClient and EmailClient (details built from the parsed headers too): nothing echoed shows, response headers included", async () => {
    const factory = factoryFor(join(dir, "others.log"));
    const failures = {
      rooms: factory
        .createClient(RoomsClient)
        .createRoom({ participants: [{ id: { communicationUserId: "8:acs:1_2" }, role: "Attendee" }] }),
      email: factory
        .createClient(EmailClient)
        .beginSend({
          senderAddress: "noreply@contoso.example",
          content: { subject: TEXT, plainText: TEXT },
          recipients: { to: [{ address: "someone@contoso.example" }] },
        })
        .then((poller) => poller.pollUntilDone()),
    };
    for (const [name, pending] of Object.entries(failures)) {
      const error: unknown = await pending.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect({ name, status: (error as { statusCode?: number }).statusCode }).toEqual({ name, status: 400 });
      const token = echo.tokens.at(-1) ?? "";
      const shown = shownOf(error);
      for (const secret of [token.slice(0, 40), TEXT, "839201"])
        expect({ name, found: shown.includes(secret) }).toEqual({ name, found: false });
    }
    await factory.close();
  });
});
