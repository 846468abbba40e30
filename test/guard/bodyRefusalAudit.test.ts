// Bodies the guard refuses only inside the HTTP client, replayed with the real SMS client against the emulator: a
// body factory whose result the guard cannot send, and a web stream whose chunk is neither text nor bytes. Each is
// refused with KEY_AUTH_BLOCKED, reported through the guard's refusal handler (a `refuse` record in the audit log,
// as for a direct body), and never takes the process down.
import { join } from "node:path";
import type { PipelineRequest } from "@azure/core-rest-pipeline";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { readRecords } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });
const dir = tempDir("acs-body-refusal-");
let seq = 0;
const SMS = { from: "+14255550100", to: ["+14255550123"], message: "body" };
const json = (): Buffer =>
  Buffer.from(JSON.stringify({ from: SMS.from, smsRecipients: [{ to: SMS.to[0] }], message: "x" }));

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
});

/** Sends one SMS with `body` set by a perRetry policy; the caller's outcome and the audit log's records. */
async function sendWithBody(body: () => unknown): Promise<{ code: unknown; actions: string[] }> {
  const file = join(dir, `audit-${++seq}.log`);
  const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { audit: { destination: file } }));
  const policy = {
    name: "body",
    sendRequest: (request: PipelineRequest, next: (r: PipelineRequest) => Promise<never>) => {
      request.body = body() as PipelineRequest["body"];
      return next(request);
    },
  };
  const sms = factory.createSmsClient({
    retryOptions: { maxRetries: 0 },
    additionalPolicies: [{ policy, position: "perRetry" }],
  });
  const code = await sms.send(SMS).then(
    () => "sent",
    (e: unknown) => (e as { code?: unknown }).code,
  );
  await new Promise((resolve) => setTimeout(resolve, 50)); // a late rejection would show by now
  await factory.close();
  const actions = readRecords(file)
    .filter((r) => r.event?.action === "refuse" || r.event?.action === "request")
    .map((r) => `${r.event.action}/${r.event.outcome}/${r.error?.code ?? ""}`);
  return { code, actions };
}

describe("a body refused inside the HTTP client is reported like one refused before it", () => {
  const detached = (): Uint8Array => {
    const buffer = new ArrayBuffer(8);
    const bytes = new Uint8Array(buffer);
    structuredClone(buffer, { transfer: [buffer] });
    return bytes;
  };
  it.each([
    ["a Promise", () => Promise.resolve(json())],
    ["a detached Uint8Array", detached],
    ["a plain object with pipe", () => ({ pipe: () => undefined })],
  ])("a body factory returning %s: KEY_AUTH_BLOCKED, with its refuse record", async (_name, produce) => {
    const before = emu.requests.filter((r) => r.side === "acs").length;
    const { code, actions } = await sendWithBody(() => produce);
    expect(code).toBe("KEY_AUTH_BLOCKED");
    expect(actions).toContain("refuse/failure/KEY_AUTH_BLOCKED");
    expect(actions).toContain("request/failure/KEY_AUTH_BLOCKED");
    expect(emu.requests.filter((r) => r.side === "acs").length).toBe(before);
    expect(unhandled).toEqual([]);
  });

  it("a web stream enqueuing a Proxy of a Buffer: the call rejects (KEY_AUTH_BLOCKED), no unhandled rejection", async () => {
    const chunk = new Proxy(json(), { getPrototypeOf: (): object => Buffer.prototype as object });
    const { code, actions } = await sendWithBody(
      () =>
        new ReadableStream({
          pull(controller) {
            controller.enqueue(chunk);
            controller.close();
          },
        }),
    );
    expect(unhandled).toEqual([]);
    expect(code).toBe("KEY_AUTH_BLOCKED");
    expect(actions).toContain("refuse/failure/KEY_AUTH_BLOCKED");
  }, 10_000);

  it("a web stream of text and bytes (a Uint8Array, a DataView) is still sent", async () => {
    const text = json().toString();
    const { code } = await sendWithBody(
      () =>
        new ReadableStream<unknown>({
          start(controller) {
            controller.enqueue(text.slice(0, 10));
            controller.enqueue(new TextEncoder().encode(text.slice(10, 20)));
            // any ArrayBuffer view, as Readable.fromWeb takes it: only its own stretch of the buffer
            const rest = Buffer.from(`xxx${text.slice(20)}yy`);
            controller.enqueue(new DataView(rest.buffer, rest.byteOffset + 3, rest.length - 5));
            controller.close();
          },
        }),
    );
    expect(code).toBe("sent");
    expect(unhandled).toEqual([]);
  });
});
