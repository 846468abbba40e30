// IM-8 for long-running operations a client runs side by side. A hostile ACS over TLS answers each Email send with
// 202 and a poll URL, then fails one operation echoing its own subject and text: (1) two sends whose poll URLs differ
// only in the query, or are the same, must not share (and lose) each other's echoes; (2) an early operation's result
// GET that fails after many other operations ended must still be scrubbed with that operation's content. Real
// EmailClients from the factory, Entra from the emulator.
import { inspect } from "node:util";
import { EmailClient } from "@azure/communication-email";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import type { TlsFake } from "../support/tlsFake.js";
import { startTlsFake } from "../support/tlsFake.js";
import { useEmulator } from "../support/useEmulator.js";

const env = useEmulator();
const subject = (i: number) => `Subject ${i} of the merger memo for Jerry`;
const text = (i: number) => `Plain text ${i}: your reset code is 8392${String(i).padStart(2, "0")}`;
const email = (i: number) => ({
  senderAddress: "noreply@contoso.example",
  content: { subject: subject(i), plainText: text(i) },
  recipients: { to: [{ address: "someone@contoso.example" }] },
});

/** How the hostile ACS names poll URLs: by query (`?id=N`), all the same, or by path (with a result GET). */
let mode: "query" | "same" | "results" = "query";
/** Operation 0's failure is answered once this resolves (every other operation has ended by then). */
let othersEnded: Promise<void> = Promise.resolve();
/** How many times each operation was polled. */
const polls = new Map<string, number>();
let acs: TlsFake;

/**
 * Answers a poll: Running at first (each send polls once); then operation 0 (or, on the shared URL, anyone polling
 * it) fails echoing operation 0's content, the others succeed (with a result URL in "results" mode).
 */
function answerPoll(id: string, port: number): unknown {
  const seen = (polls.get(id) ?? 0) + 1;
  polls.set(id, seen);
  if (seen <= (id === "same" ? 2 : 1)) return { id, status: "Running" };
  if (mode === "results")
    return { id, status: "Succeeded", resourceLocation: `https://127.0.0.1:${port}/emails/results/${id}` };
  if (id !== "0" && id !== "same") return { id, status: "Succeeded" };
  const message = `Rejected email '${subject(0)}' with text '${text(0)}'`;
  return { id, status: "Failed", error: { code: "Denied", message } };
}

beforeAll(async () => {
  acs = await startTlsFake((req, body, res) => {
    const port = acs.port;
    const url = new URL(req.url ?? "/", `https://127.0.0.1:${port}`);
    const send = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", "retry-after": "0", ...headers });
      res.end(JSON.stringify(value));
    };
    if (req.method === "POST") {
      const id = /Subject (\d+)/.exec(body)?.[1] ?? "x";
      const poll = mode === "results" ? `operations/${id}` : mode === "same" ? "operations/same" : `status?id=${id}`;
      const location = `https://127.0.0.1:${port}/emails/${poll}`;
      send(202, { id, status: "Running" }, { "operation-location": location });
      return;
    }
    const result = /^\/emails\/results\/(\d+)$/.exec(url.pathname)?.[1];
    if (result === undefined) {
      const id = url.searchParams.get("id") ?? /\/operations\/(\d+|same)$/.exec(url.pathname)?.[1] ?? "";
      send(200, answerPoll(id, port));
      return;
    }
    if (result !== "0") return send(200, { id: result, status: "Succeeded" });
    const message = `Cannot build the result of email '${subject(0)}' with text '${text(0)}'`;
    void othersEnded.then(() => send(400, { error: { code: "ResultUnavailable", message } }));
  });
});
afterAll(() => acs?.close());

function hostileFactory(): AcsClientFactory {
  polls.clear();
  return new AcsClientFactory({
    ...emulatorFactoryOptions(env.emu, env.app),
    endpoint: `https://127.0.0.1:${acs.port}`,
    clientOptions: { tlsOptions: { ca: [env.emu.caCertificatePem, acs.ca] }, retryOptions: { maxRetries: 0 } },
  });
}

type Poller = Awaited<ReturnType<EmailClient["beginSend"]>>;
/** Everything a caller would show of a rejection and of the poller's state. */
const shown = (error: unknown, poller: Poller): string =>
  [
    String((error as Error).stack),
    inspect(error, { depth: 8 }),
    inspect(poller.getOperationState(), { depth: 8 }),
  ].join("\n");
/** Which of operation 0's subject, text and code `all` shows. */
const leaks = (all: string): string[] => [subject(0), text(0), "839200", "merger memo"].filter((s) => all.includes(s));

describe("long-running operations side by side, one failing with its own content echoed", () => {
  it.each(["query", "same"] as const)(
    "two Email sends whose poll URLs are %s: the failed one's rejection and state hold none of its content",
    async (m) => {
      mode = m;
      const factory = hostileFactory();
      try {
        const client = factory.createClient(EmailClient);
        const first = await client.beginSend(email(0), { updateIntervalInMs: 1 });
        const second = await client.beginSend(email(1), { updateIntervalInMs: 1 });
        const error = await first.pollUntilDone().then(
          () => new Error("pollUntilDone resolved"),
          (e: unknown) => e,
        );
        expect((error as Error).message).toMatch(/^The long-running operation has failed\. Denied\. Rejected email/);
        expect(leaks(shown(error, first))).toEqual([]);
        second.stopPolling();
      } finally {
        await factory.close();
      }
    },
  );

  it("12 concurrent Email sends: the first one's result GET, failing after the others ended, is scrubbed", async () => {
    mode = "results";
    let release = (): void => undefined;
    othersEnded = new Promise((resolve) => (release = resolve));
    const factory = hostileFactory();
    try {
      const client = factory.createClient(EmailClient);
      const pollers: Poller[] = [];
      for (let i = 0; i < 12; i++) pollers.push(await client.beginSend(email(i), { updateIntervalInMs: 1 }));
      const [first] = pollers as [Poller];
      const failed = first.pollUntilDone().then(
        () => new Error("pollUntilDone resolved"),
        (e: unknown) => e,
      );
      await Promise.all(pollers.slice(1).map((poller) => poller.pollUntilDone()));
      release();
      const error = await failed;
      expect((error as Error).message).toMatch(/^Cannot build the result of email '\[REDACTED\]/);
      expect(leaks(shown(error, first))).toEqual([]);
    } finally {
      othersEnded = Promise.resolve();
      await factory.close();
    }
  });
});
