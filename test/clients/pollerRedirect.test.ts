// A hostile (or compromised) ACS answers a long-running operation with an `operation-location` on another host, port
// or scheme, hoping the SDK's poller sends the Entra Bearer token there: Email `beginSend` and Phone Numbers
// `beginPurchasePhoneNumbers`, both polled by @azure/core-lro from the URL the service returns. The poll goes through
// the same guarded pipeline, so it is refused (KEY_AUTH_BLOCKED, a `refuse` record) and the other server sees nothing;
// the control: a poll URL on the endpoint itself is followed to completion.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { EmailClient } from "@azure/communication-email";
import { PhoneNumbersClient } from "@azure/communication-phone-numbers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { createServerTls } from "../../packages/emulator/src/certificates.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

const env = useEmulator();
const dir = tempDir("acs-poller-redirect-");
type Seen = { method: string; url: string; authorization: string }[];
/** The hostile ACS (answers every LRO start with `pollTarget`, PORT its own port) and the server the poll is sent to. */
let acs: { port: number; seen: Seen; close: () => void };
let elsewhere: { port: number; seen: Seen; close: () => void };
let ca: string;

async function listen(
  tls: Awaited<ReturnType<typeof createServerTls>>,
  answer: (
    method: string,
    path: string,
    port: number,
  ) => { status: number; headers?: Record<string, string>; body?: unknown },
): Promise<{ port: number; seen: Seen; close: () => void }> {
  const seen: Seen = [];
  let port = 0;
  const server: Server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertificatePem }, (req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        authorization: String(req.headers.authorization ?? ""),
      });
      const a = answer(req.method ?? "", (req.url ?? "").split("?")[0] ?? "", port);
      res.writeHead(a.status, { "content-type": "application/json", "retry-after": "0", ...a.headers });
      res.end(a.body === undefined ? "" : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
  return { port, seen, close: () => server.close() };
}

let pollTarget = "";
beforeAll(async () => {
  const tls = await createServerTls();
  ca = tls.caCertificatePem;
  const done = { status: 200, body: { id: "op", status: "Succeeded" } };
  elsewhere = await listen(tls, () => done);
  const started = await listen(tls, (method, path, port) => {
    if (method === "POST") {
      const location = pollTarget.replace("PORT", String(port));
      return {
        status: 202,
        headers: { "operation-location": location, "operation-id": "op" },
        body: { id: "op", status: "Running" },
      };
    }
    return path.startsWith("/phoneNumbers/operations")
      ? {
          status: 200,
          body: { id: "op", status: "succeeded", operationType: "purchase", createdDateTime: new Date().toISOString() },
        }
      : done;
  });
  acs = started;
});
afterAll(() => {
  acs?.close();
  elsewhere?.close();
});

function factoryFor(auditFile: string): AcsClientFactory {
  const base = emulatorFactoryOptions(env.emu, env.app, { audit: { destination: auditFile } });
  return new AcsClientFactory({
    ...base,
    endpoint: `https://127.0.0.1:${acs.port}`,
    clientOptions: { tlsOptions: { ca: [env.emu.caCertificatePem, ca] } },
  });
}

const EMAIL = {
  senderAddress: "noreply@contoso.example",
  content: { subject: "s", plainText: "p" },
  recipients: { to: [{ address: "a@contoso.example" }] },
};
const operations: [string, (f: AcsClientFactory) => Promise<unknown>][] = [
  ["Email beginSend", async (f) => (await f.createClient(EmailClient).beginSend(EMAIL)).pollUntilDone()],
  [
    "Phone Numbers beginPurchasePhoneNumbers",
    async (f) => (await f.createClient(PhoneNumbersClient).beginPurchasePhoneNumbers("search-1")).pollUntilDone(),
  ],
];

describe("a poll URL the service returns", () => {
  it.each(operations)(
    "%s: another port, another host name or http is never polled with the token",
    async (name, run) => {
      const targets = [
        `https://127.0.0.1:${elsewhere.port}/emails/operations/op?api-version=2025-09-01`,
        `https://localhost:PORT/emails/operations/op?api-version=2025-09-01`,
        `http://127.0.0.1:PORT/emails/operations/op?api-version=2025-09-01`,
      ];
      for (const [i, target] of targets.entries()) {
        const auditFile = join(dir, `${name.replace(/\W/g, "")}-${i}.log`);
        const factory = factoryFor(auditFile);
        pollTarget = target;
        const before = acs.seen.length;
        const error: unknown = await run(factory).then(
          () => undefined,
          (e: unknown) => e,
        );
        await factory.close();
        // http: upstream's Bearer policy refuses first (no token over plain http); otherwise the guard
        if (target.startsWith("http:")) expect(String(error)).toMatch(/not permitted for non-TLS/);
        else expect(error, target).toMatchObject({ code: "KEY_AUTH_BLOCKED" });
        // the start was sent to the endpoint with a Bearer token; nothing else reached any server
        expect(acs.seen.slice(before).map((s) => s.method)).toEqual(["POST"]);
        expect(acs.seen.at(-1)?.authorization).toMatch(/^Bearer /);
        expect(elsewhere.seen).toEqual([]);
        const refused = readFileSync(auditFile, "utf8")
          .split("\n")
          .filter((l) => l.includes('"action":"refuse"'));
        if (!target.startsWith("http:")) expect(refused.length, target).toBeGreaterThan(0);
      }
    },
  );

  it.each(operations)("control: %s polled on the endpoint itself completes", async (name, run) => {
    const factory = factoryFor(join(dir, `${name.replace(/\W/g, "")}-control.log`));
    pollTarget = name.startsWith("Email")
      ? "https://127.0.0.1:PORT/emails/operations/op?api-version=2025-09-01"
      : "https://127.0.0.1:PORT/phoneNumbers/operations/op?api-version=2025-02-11";
    const before = acs.seen.length;
    await run(factory);
    await factory.close();
    expect(acs.seen.slice(before).filter((s) => s.method === "GET").length).toBeGreaterThan(0);
    expect(acs.seen.slice(before).every((s) => s.authorization.startsWith("Bearer "))).toBe(true);
  });
});
