// IM-8 for long-running operations, however the service spells its poll URL. A hostile ACS answers an operation's
// start with 202 and an `operation-location` that @azure/core-client will send differently (upper-case scheme, dot
// segments, a space, IPv4 shorthand, a relative path core-client appends to the endpoint rather than resolving it
// against the start URL), then answers the poll with Failed and an error that echoes the Bearer token, a full phone
// number and the email's subject and text. The scrub policy must still recognise the poll as its operation's. And a
// poller resumed from another client's operation (`resumeFrom`), whose poll this client never saw start, is scrubbed
// while this client follows an operation of its own. Real SDK clients from the factory, Entra from the emulator.
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { EmailClient } from "@azure/communication-email";
import { PhoneNumbersClient } from "@azure/communication-phone-numbers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { createServerTls } from "../../packages/emulator/src/certificates.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";
import { EMAIL, PHONE, SUBJECT, TEXT } from "../support/lroEchoes.js";

const env = useEmulator();

/** What the hostile ACS answers an operation's start with (PORT: its own port), and the poll paths it saw. */
let operationLocation = "";
let succeed = false;
/** Whether the operation at `/resumed` is still under way. */
let resumedRunning = false;
const polled: string[] = [];
/** "resource": the poll says Succeeded with a resourceLocation whose GET fails echoing; "html": Failed, HTML-escaped. */
let mode: "plain" | "resource" | "html" | "htmlText" | "htmlDecimal" = "plain";
/** HTML-escaped as common escapers write it: all five, text only (`&<>`, Python's quote=False), or decimal. */
const ESCAPERS: Record<string, (text: string) => string> = {
  html: (text) => text.replace(/&/g, "&amp;").replace(/'/g, "&#39;").replace(/"/g, "&quot;"),
  htmlText: (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;"),
  htmlDecimal: (text) => text.replace(/[&'"]/g, (c) => `&#${c.charCodeAt(0)};`),
};
let acs: { port: number; ca: string; close: () => void };

beforeAll(async () => {
  const tls = await createServerTls();
  let lastAuthorization = "";
  const server: Server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertificatePem }, (req, res) => {
    req.resume();
    req.on("end", () => {
      const port = (server.address() as AddressInfo).port;
      const headers = { "content-type": "application/json", "retry-after": "0" };
      if (req.method !== "GET") {
        lastAuthorization = String(req.headers.authorization);
        const location = operationLocation.replaceAll("PORT", String(port));
        res.writeHead(202, { ...headers, "operation-location": location, "operation-id": "op" });
        res.end(JSON.stringify({ id: "op", status: "Running" }));
        return;
      }
      polled.push(req.url ?? "");
      const path = (req.url ?? "").split("?")[0] ?? "";
      const said = `${lastAuthorization} for ${PHONE}; subject "${SUBJECT}"; text ${TEXT}`;
      if (mode === "resource") {
        const result = path.startsWith("/emails/result/");
        res.writeHead(result ? 404 : 200, headers);
        const location = `https://127.0.0.1:${port}/emails/result/op`;
        res.end(
          JSON.stringify(
            result
              ? { error: { code: "NotFound", message: said } }
              : { id: "op", status: "Succeeded", resourceLocation: location },
          ),
        );
        return;
      }
      const escape = ESCAPERS[mode];
      if (escape !== undefined) {
        res.writeHead(200, headers);
        const message = `text ${escape(TEXT)}; subject ${escape(SUBJECT)}; ${lastAuthorization}`;
        res.end(JSON.stringify({ id: "op", status: "Failed", error: { code: "Denied", message } }));
        return;
      }
      const running = path.endsWith("/running") || (path.endsWith("/resumed") && resumedRunning);
      const status = running ? "Running" : succeed ? "Succeeded" : "Failed";
      const error = status === "Failed" ? { code: "Denied", message: said } : undefined;
      const body = { id: "op", status, operationType: "releasePhoneNumber", error, createdDateTime: "2025-01-01" };
      res.writeHead(200, headers);
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  acs = { port: (server.address() as AddressInfo).port, ca: tls.caCertificatePem, close: () => server.close() };
});
afterAll(() => acs?.close());

function hostileFactory(): AcsClientFactory {
  return new AcsClientFactory({
    ...emulatorFactoryOptions(env.emu, env.app),
    endpoint: `https://127.0.0.1:${acs.port}`,
    clientOptions: { tlsOptions: { ca: [env.emu.caCertificatePem, acs.ca] } },
  });
}

type Poller = {
  pollUntilDone(): Promise<unknown>;
  getOperationState(): { error?: unknown };
  toString(): string;
};
const begin = {
  email: (f: AcsClientFactory): Promise<Poller> => f.createClient(EmailClient).beginSend(EMAIL),
  phone: (f: AcsClientFactory): Promise<Poller> => f.createClient(PhoneNumbersClient).beginReleasePhoneNumber(PHONE),
};

/** Everything a caller would show of the rejection (of the start, which Email polls once, or of `pollUntilDone`). */
async function outcome(start: Promise<Poller>): Promise<{ error: unknown; all: string }> {
  let poller: Poller | undefined;
  const error = await start
    .then((started) => (poller = started).pollUntilDone())
    .then(
      () => new Error("pollUntilDone resolved"),
      (e: unknown) => e,
    );
  const state = poller?.getOperationState();
  const all = [String((error as Error).stack), inspect(error, { depth: 8 }), inspect(state, { depth: 8 })];
  return { error, all: all.join("\n") };
}

/** Which of the token, the phone number and the email's content `text` shows (each by its first 12 characters). */
const found = (text: string, token: string, content: boolean): string[] =>
  [token.slice(0, 40), token.slice(-40), PHONE, "4255550199", ...(content ? [SUBJECT, TEXT, "839201", "Jerry"] : [])]
    .filter((secret) => text.includes(secret))
    .map((secret) => secret.slice(0, 12));

const spellings: [keyof typeof begin, string, string][] = [
  ["email", "https://127.0.0.1:PORT/emails/operations/op?api-version=2025-09-01", "/emails/operations/op"],
  ["email", "HTTPS://127.0.0.1:PORT/emails/operations/op", "/emails/operations/op"],
  ["email", "https://127.0.0.1:PORT/emails/x/../operations/op", "/emails/operations/op"],
  ["email", "https://127.0.0.1:PORT/emails/operations/o p", "/emails/operations/o%20p"],
  ["email", "https://127.1:PORT/emails/operations/op", "/emails/operations/op"],
  ["email", "emails/./operations/op", "/emails/operations/op"],
  ["phone", "operations/op", "/operations/op"],
  ["phone", "/phoneNumbers/operations/op", "/phoneNumbers/operations/op"],
];

describe("a failed operation's poll URL spelled otherwise than core-client sends it", () => {
  it.each(spellings)(
    "%s, operation-location %j: the rejection and the state hold none of it",
    async (kind, v, path) => {
      operationLocation = v;
      succeed = false;
      polled.length = 0;
      const factory = hostileFactory();
      try {
        const token = (await factory.credential.getToken("https://communication.azure.com//.default"))?.token ?? "";
        const { error, all } = await outcome(begin[kind](factory));
        // the poll went where core-client sends it, and failed with the service's (scrubbed) words
        expect(polled.map((url) => url.split("?")[0])).toEqual([path]);
        expect((error as Error).message).toMatch(
          /^The long-running operation has failed\. Denied\. Bearer \[REDACTED\]/,
        );
        expect(found(all, token, kind === "email")).toEqual([]);
      } finally {
        await factory.close();
      }
    },
  );

  it("control: the same spellings, answered Succeeded, give the result", async () => {
    succeed = true;
    try {
      for (const [kind, v] of spellings) {
        operationLocation = v;
        const factory = hostileFactory();
        const poller = await begin[kind](factory);
        await expect(poller.pollUntilDone(), v).resolves.toMatchObject(kind === "email" ? { status: "Succeeded" } : {});
        // Email's state says "succeeded"; Phone Numbers' (a poller of its own) says it is completed
        const state = poller.getOperationState() as { status?: string; isCompleted?: boolean; error?: unknown };
        expect(state.status === "succeeded" || state.isCompleted === true, v).toBe(true);
        expect(state.error, v).toBeUndefined();
        await factory.close();
      }
    } finally {
      succeed = false;
    }
  });

  it("a poller resumed from another client's operation is scrubbed while this client follows one", async () => {
    succeed = false;
    operationLocation = "https://127.0.0.1:PORT/emails/operations/resumed";
    const other = hostileFactory();
    resumedRunning = true;
    const state = (await begin.email(other)).toString();
    resumedRunning = false;
    await other.close();
    const factory = hostileFactory();
    try {
      const token = (await factory.credential.getToken("https://communication.azure.com//.default"))?.token ?? "";
      const client = factory.createClient(EmailClient);
      operationLocation = "https://127.0.0.1:PORT/emails/operations/running";
      const own = await client.beginSend(EMAIL);
      await own.poll();
      expect(own.getOperationState()).toMatchObject({ status: "running" });
      const { error, all } = await outcome(client.beginSend(EMAIL, { resumeFrom: state }));
      expect((error as Error).message).toMatch(/^The long-running operation has failed\. Denied\. Bearer \[REDACTED\]/);
      expect(found(all, token, true)).toEqual([]);
    } finally {
      await factory.close();
    }
  });
});

describe("echoes core-lro reads after the operation, or HTML-escaped (eighth look)", () => {
  it.each(["resource", "html", "htmlText", "htmlDecimal"] as const)(
    "%s: the rejection and the state hold no token or content",
    async (m) => {
      mode = m;
      operationLocation = "https://127.0.0.1:PORT/emails/operations/op";
      const factory = hostileFactory();
      try {
        const token = (await factory.credential.getToken("https://communication.azure.com//.default"))?.token ?? "";
        const { all } = await outcome(begin.email(factory));
        expect(found(all, token, true)).toEqual([]);
      } finally {
        mode = "plain";
        await factory.close();
      }
    },
  );
});
