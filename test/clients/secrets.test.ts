// Secret canaries in the objects the factory hands out: after real calls (tokens cached), neither the factory, its
// credential nor any client shows the client secret, the certificate password, the private key or an access token
// in util.inspect (all depths, hidden properties) or JSON.stringify; the audit log holds none of them either.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { CallAutomationClient } from "@azure/communication-call-automation";
import { EmailClient } from "@azure/communication-email";
import { PhoneNumbersClient } from "@azure/communication-phone-numbers";
import { RoomsClient } from "@azure/communication-rooms";
import { describe, expect, it } from "vitest";
import type { AcsClientFactoryOptions } from "../../packages/acs-baseline/src/index.js";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator } from "../../packages/emulator/src/index.js";
import { createCertificate, emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import type { ChatClient } from "@azure/communication-chat";
import { readJsonLines } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";
import { secretFactoryOptions } from "../support/secretFactoryOptions.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
const dir = tempDir("acs-secrets-");
useEmulator({ application: false, onStarted: (started) => ({ emu } = started) });

const canary = () => `CANARY${randomBytes(18).toString("base64url")}`;

function safeStringify(value: unknown): string {
  const seen = new WeakSet();
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === "object" && v !== null) {
      if (seen.has(v)) return "[circular]";
      seen.add(v);
    }
    return typeof v === "bigint" ? v.toString() : v;
  });
}

async function exercise(
  options: AcsClientFactoryOptions,
  auditFile: string,
): Promise<{ texts: string[]; log: string; token: string }> {
  const factory = new AcsClientFactory({ ...options, audit: { destination: auditFile } });
  const sms = factory.createSmsClient();
  const identity = factory.createIdentityClient();
  const others = [EmailClient, RoomsClient, PhoneNumbersClient, CallAutomationClient].map((C) =>
    factory.createClient<unknown, object>(C as never),
  );
  await sms.send({ from: "+14255550100", to: ["+14255550123"], message: "canary test" });
  await identity.createUser();
  const token = (await factory.credential.getToken(emu.tokenScope))?.token ?? "";
  const objects: unknown[] = [factory, factory.credential, sms, identity, ...others];
  const texts = objects.flatMap((o) => [inspect(o, { depth: 12, showHidden: true, getters: false }), safeStringify(o)]);
  await factory.close();
  // The inspection reaches into the clients (their endpoint shows), so an exposed secret would show too.
  expect(texts.filter((t) => t.includes(new URL(emu.endpoint).host)).length).toBeGreaterThan(objects.length);
  return { texts, log: readFileSync(auditFile, "utf8"), token };
}

describe("no secret in handed-out objects or the audit log", () => {
  it("secret fallback: client secret and access token never shown", async () => {
    const secret = canary();
    const app = await emu.createTestApplication({ directory: dir });
    emu.registerApplication({ clientId: app.clientId, secret });
    const { texts, log, token } = await exercise(secretFactoryOptions(emu, app, secret), join(dir, "secret.log"));
    expect(token.length).toBeGreaterThan(20);
    for (const text of [...texts, log]) {
      expect(text).not.toContain(secret.slice(6, 20));
      expect(text).not.toContain(token.split(".")[2]);
    }
  });

  it("certificate with password: password, private key and access token never shown", async () => {
    const password = canary();
    const app = await emu.createTestApplication({ directory: dir, password });
    const { texts, log, token } = await exercise(
      emulatorFactoryOptions(emu, app, { certificate: { path: app.certificatePath, password } }),
      join(dir, "cert.log"),
    );
    const keyBody = app.privateKeyPem.split("\n")[1] ?? "unreachable";
    for (const text of [...texts, log]) {
      expect(text).not.toContain(password.slice(6, 20));
      expect(text).not.toContain("PRIVATE KEY");
      expect(text).not.toContain(keyBody);
      expect(text).not.toContain(token.split(".")[2]);
    }
  });

  it("a client TLS certificate in tlsOptions: its private key and passphrase never shown (clients keep their options)", async () => {
    const passphrase = canary();
    const tlsClient = await createCertificate({ commonName: "client-tls", password: passphrase });
    const app = await emu.createTestApplication({ directory: dir });
    const tlsOptions = {
      ca: emu.caCertificatePem,
      cert: tlsClient.certificatePem,
      key: tlsClient.privateKeyPem,
      passphrase,
    };
    const options = emulatorFactoryOptions(emu, app, { clientOptions: { tlsOptions } });
    const { texts, log } = await exercise(options, join(dir, "tls.log"));
    const factory = new AcsClientFactory(options);
    const user = await factory.createIdentityClient().createUser();
    const chat = factory.createChatClient<ChatClient>(user);
    await chat.createChatThread({ topic: "tls" });
    const chatTexts = [inspect(chat, { depth: 12, showHidden: true, getters: false }), safeStringify(chat)];
    await factory.close();
    expect(chatTexts.join()).toContain("[REDACTED]");
    const keyBody = tlsClient.privateKeyPem.split("\n")[1] ?? "unreachable";
    for (const text of [...texts, ...chatTexts, log]) {
      expect(text).not.toContain(passphrase.slice(6, 20));
      expect(text).not.toContain("PRIVATE KEY");
      expect(text).not.toContain(keyBody);
    }
  });

  it("a proxy's password in the client options is never shown (clients, and their credential objects, keep their options)", async () => {
    const password = canary();
    const app = await emu.createTestApplication({ directory: dir });
    const proxyOptions = { host: "http://127.0.0.1", port: 9, username: "proxy-user", password };
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { clientOptions: { proxyOptions } }));
    const clients = [EmailClient, RoomsClient, PhoneNumbersClient, CallAutomationClient].map((C) =>
      factory.createClient<unknown, object>(C as never),
    );
    const objects: unknown[] = [factory.createSmsClient(), factory.createIdentityClient(), ...clients];
    const texts = objects.flatMap((o) => [
      inspect(o, { depth: 12, showHidden: true, getters: false }),
      safeStringify(o),
    ]);
    await factory.close();
    expect(texts.join()).toContain("proxy-user");
    for (const text of texts) expect(text).not.toContain(password.slice(6, 20));
    expect(proxyOptions.password).toBe(password);
  });

  it("a rejected secret: the caller's error and the token.acquire failure record carry a code, never the secret", async () => {
    const secret = canary();
    const app = await emu.createTestApplication({ directory: dir });
    emu.registerApplication({ clientId: app.clientId, secret: canary() });
    const auditFile = join(dir, "rejected.log");
    const factory = new AcsClientFactory(
      secretFactoryOptions(emu, app, secret, {
        clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
        audit: { destination: auditFile },
      }),
    );
    const error = await factory
      .createSmsClient()
      .send({ from: "+14255550100", to: ["+14255550123"], message: "rejected" })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    await factory.close();
    const log = readFileSync(auditFile, "utf8");
    for (const text of [inspect(error, { depth: 8, showHidden: true }), (error as Error).stack ?? "", log])
      expect(text).not.toContain(secret.slice(6, 20));
    const failure = readJsonLines<{
      level: string;
      event: { action: string; outcome: string };
      error?: { code?: string; message?: string };
    }>(auditFile).find((r) => r.event.action === "token.acquire" && r.event.outcome === "failure");
    expect(failure?.error?.code).toMatch(/\w+/);
    expect(failure?.error?.message).toMatch(/^Token request failed/);
    expect(emu.requests.filter((r) => r.clientId === app.clientId && r.side === "acs")).toEqual([]);
  });
});
