// Issue 14, findings 1 and 3 — variations found by a second adversarial pass: the HTTP client calls code a policy
// controls (a body factory) after every check, so anything the check read by reference could be changed afterwards:
// an empty `requestOverrides` filled in, a Proxy that shows the check no keys, the request's `tlsSettings` object
// given a port and `rejectUnauthorized: false`, `NODE_TLS_REJECT_UNAUTHORIZED=0` set for the connection. What goes on
// the wire must be what was checked: no overrides, a frozen copy of the TLS settings with verification forced on.
// A second emulator on another port stands in for the attacker's server.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";
import { afterAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let attacker: Emulator;
let app: TestApplication;
const dir = tempDir("acs-late-");
let seq = 0;
const SMS = { from: "+14255550100", to: ["+14255550123"], message: "late" };
const HMAC =
  "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=c2lnbmF0dXJlLW9mLWFuLWFjY2Vzcy1rZXk=";

useEmulator({ onStarted: (started) => ({ emu, app } = started) });
useEmulator({ application: false, onStarted: (started) => ({ emu: attacker } = started) });
afterAll(() => {
  delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
});

const seen = (e: Emulator) => e.requests.filter((r) => r.side === "acs").map((r) => String(r.authScheme ?? ""));
const portOf = (endpoint: string) => Number(new URL(endpoint).port);
/** True when called from the HTTP client's body preparation (after every check), not from a policy. */
const fromHttpClient = () => /prepareRequestBody|nodeHttpClient/.test(new Error().stack ?? "");

/** Replaces the body with a factory that runs `late` when the HTTP client prepares the body. */
function lateBody(request: PipelineRequest, late: () => void): void {
  const original = request.body;
  request.body = (() => {
    if (fromHttpClient()) late();
    return original;
  }) as never;
}

async function run(change: (r: PipelineRequest) => void, clientOptions: Record<string, unknown> = {}) {
  const file = join(dir, `audit-${++seq}.log`);
  const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { audit: { destination: file } }));
  const tamper: PipelinePolicy = {
    name: "late",
    sendRequest: (request, next) => {
      change(request);
      return next(request);
    },
  };
  const before = [seen(emu).length, seen(attacker).length];
  const outcome = await factory
    .createSmsClient({
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [{ policy: tamper, position: "perRetry" }],
      ...clientOptions,
    })
    .send(SMS)
    .then(
      () => "sent",
      (e: { code?: string }) => e.code ?? "failed",
    );
  await factory.close();
  const lines = readFileSync(file, "utf8").trim().split("\n");
  return {
    outcome,
    emulator: seen(emu).slice(before[0]),
    attacker: seen(attacker).slice(before[1]),
    records: lines.map((l) => JSON.parse(l) as { event: { action: string; outcome: string } }),
  };
}

/**
 * Sends one SMS through a factory client whose per-retry policy applies `change`, then again after `factory.close()`
 * (the wire backstop is gone then): each outcome, and what ACS saw (`<scheme> <path>`).
 */
async function openAndClosed(change: (r: PipelineRequest) => void) {
  const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
  const tamper: PipelinePolicy = { name: "late", sendRequest: (request, next) => (change(request), next(request)) };
  const sms = factory.createSmsClient({
    retryOptions: { maxRetries: 0 },
    additionalPolicies: [{ policy: tamper, position: "perRetry" }],
  });
  const acs = () => emu.requests.filter((r) => r.side === "acs");
  const before = acs().length;
  const outcome = () =>
    sms.send(SMS).then(
      () => "sent",
      (e: { code?: string }) => e.code ?? "failed",
    );
  const open = await outcome();
  await factory.close();
  const closed = await outcome();
  return {
    open,
    closed,
    seen: acs()
      .slice(before)
      .map((r) => `${String(r.authScheme)} ${r.path}`),
  };
}

describe("what the HTTP client reads after the check cannot have changed", () => {
  it("an empty requestOverrides filled in by a body factory: dropped, the request goes to the endpoint only", async () => {
    const port = portOf(attacker.endpoint);
    const r = await run((req) => {
      const overrides: Record<string, unknown> = {};
      req.requestOverrides = overrides;
      lateBody(req, () => Object.assign(overrides, { hostname: "127.0.0.1", port, rejectUnauthorized: false }));
    });
    expect(r.attacker).toEqual([]);
    expect(r.emulator).toEqual(["Bearer"]);
    expect(r.outcome).toBe("sent");
  });

  it("requestOverrides as a Proxy that shows the check no keys: nothing reaches another server", async () => {
    const port = portOf(attacker.endpoint);
    const r = await run((req) => {
      let calls = 0;
      const target = { hostname: "127.0.0.1", port, rejectUnauthorized: false };
      req.requestOverrides = new Proxy(target, { ownKeys: (t) => (calls++ === 0 ? [] : Reflect.ownKeys(t)) });
    });
    expect(r.attacker).toEqual([]);
  });

  it("an HMAC Authorization put into an empty requestOverrides late: no HMAC reaches ACS", async () => {
    const port = portOf(emu.endpoint);
    const r = await run((req) => {
      const overrides: Record<string, unknown> = {};
      req.requestOverrides = overrides;
      lateBody(req, () =>
        Object.assign(overrides, {
          hostname: "localhost",
          headers: { ...req.headers.toJSON({ preserveCase: true }), Authorization: HMAC, host: `localhost:${port}` },
        }),
      );
    });
    expect(r.emulator.filter((s) => /^HMAC/i.test(s))).toEqual([]);
  });

  it("the request's tlsSettings given a port and rejectUnauthorized: false after the check: the checked copy is what is used", async () => {
    const port = portOf(attacker.endpoint);
    const r = await run((req) => {
      const tls: Record<string, unknown> = { ca: emu.caCertificatePem };
      req.tlsSettings = tls;
      lateBody(req, () => Object.assign(tls, { port, rejectUnauthorized: false }));
    });
    expect(r.attacker).toEqual([]);
    expect(r.emulator).toEqual(["Bearer"]);
  });

  it("NODE_TLS_REJECT_UNAUTHORIZED=0 set for the connection, after the check: verification stays on (a client without the emulator's CA cannot connect)", async () => {
    const control = await run(() => undefined, { tlsOptions: {} });
    expect(control.emulator).toEqual([]);
    const r = await run(
      (req) =>
        lateBody(req, () => {
          process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
          setImmediate(() => delete process.env.NODE_TLS_REJECT_UNAUTHORIZED);
        }),
      { tlsOptions: {} },
    );
    expect(r.emulator).toEqual([]);
    expect(r.outcome).not.toBe("sent");
    expect(r.records.some((x) => x.event.action === "request" && x.event.outcome === "success")).toBe(false);
  });
  // Fourth review: the headers object was shared with the checked copy, so only the wire backstop stood between a
  // late re-signature and ACS — and the backstop is gone once the factory is closed (its clients keep working).
  it("the Authorization re-signed with HMAC by a body factory or an abort signal, after the check, even after factory.close(): the checked headers are sent", async () => {
    const late = {
      "body factory": (req: PipelineRequest) => lateBody(req, () => req.headers.set("authorization", HMAC)),
      "abort signal": (req: PipelineRequest) => {
        const headers = req.headers;
        req.abortSignal = {
          aborted: false,
          addEventListener: () => headers.set("authorization", HMAC),
          removeEventListener: () => undefined,
        };
      },
    };
    for (const [name, change] of Object.entries(late)) {
      expect({ name, ...(await openAndClosed(change)) }).toEqual({
        name,
        open: "sent",
        closed: "sent",
        seen: ["Bearer /sms", "Bearer /sms"],
      });
    }
  });
  it("a stream body whose pipe() re-signs or re-addresses the HTTP client's request, even after factory.close(): the checked request is sent, with the stream's bytes", async () => {
    type Dest = NodeJS.WritableStream & { setHeader?: (n: string, v: string) => void; path?: string };
    /** Gives `stream` a pipe() that reaches for its destination first (and rewires a stream it is handed, too). */
    const rewire = (stream: { pipe: (dest: Dest) => unknown }) => {
      const pipe = stream.pipe.bind(stream);
      stream.pipe = (dest: Dest) => {
        dest.setHeader?.("authorization", HMAC);
        if (typeof dest.path === "string") dest.path = "/admin/keys";
        const next = dest as unknown as { pipe?: unknown };
        if (typeof next.pipe === "function") rewire(next as { pipe: (dest: Dest) => unknown });
        return pipe(dest);
      };
    };
    /** The caller's body as a stream whose pipe() reaches for the destination first. */
    const hostileStream = (text: string) => {
      const stream = Readable.from([Buffer.from(text)]);
      rewire(stream);
      return stream;
    };
    /** `body` (bytes or a web stream) given a pipe() that writes its bytes after rewiring the destination. */
    const withPipe = <T extends object>(body: T): T => {
      const bytes = Buffer.isBuffer(body) ? Buffer.from(body) : undefined;
      const pipe = (dest: Dest) => {
        dest.setHeader?.("authorization", HMAC);
        if (typeof dest.path === "string") dest.path = "/admin/keys";
        if (bytes !== undefined) dest.end(bytes);
        return dest;
      };
      return Object.assign(body, { pipe, on: () => body, unpipe: () => body });
    };
    /** The same stream without an async iterator of its own (the guard must not hand it a stream to pipe into). */
    const noIterator = (text: string) => Object.assign(hostileStream(text), { [Symbol.asyncIterator]: undefined });
    /** A stream whose `pipe` is a getter: absent for the guard's read, there for the HTTP client's. */
    const getterPipe = (text: string) => {
      const stream = hostileStream(text);
      const pipe = stream.pipe;
      let reads = 0;
      Object.defineProperty(stream, "pipe", { get: () => (reads++ === 0 ? undefined : pipe), configurable: true });
      return stream;
    };
    const bodies = {
      stream: (req: PipelineRequest) => (req.body = hostileStream(req.body as string)),
      "stream without an async iterator": (req: PipelineRequest) => (req.body = noIterator(req.body as string)),
      "stream with a getter pipe": (req: PipelineRequest) => (req.body = getterPipe(req.body as string)),
      "upload-progress callback that rewires the HTTP client's stream": (req: PipelineRequest) => {
        req.onUploadProgress = function (this: unknown) {
          const stream = this as { pipe?: (dest: unknown) => unknown } | undefined;
          if (stream?.pipe === undefined) return;
          const pipe = stream.pipe.bind(stream);
          stream.pipe = (dest: unknown) => {
            const d = dest as { setHeader?: (n: string, v: string) => void; path?: string };
            d.setHeader?.("authorization", HMAC);
            if (typeof d.path === "string") d.path = "/admin/keys";
            return pipe(dest);
          };
        };
      },
      "body factory returning a stream": (req: PipelineRequest) => {
        const text = req.body as string;
        req.body = () => hostileStream(text);
      },
      // Bodies of the kinds sent as bytes, each given a pipe() of its own (the HTTP client pipes anything with one).
      "Buffer with a pipe of its own": (req: PipelineRequest) => (req.body = withPipe(Buffer.from(req.body as string))),
      "web stream with a pipe of its own": (req: PipelineRequest) =>
        (req.body = withPipe(new Blob([req.body as string]).stream())),
      "body factory returning such a Buffer": (req: PipelineRequest) => {
        const text = req.body as string;
        req.body = (() => withPipe(Buffer.from(text))) as never;
      },
    };
    const results: unknown[] = [];
    for (const [name, change] of Object.entries(bodies)) results.push({ name, ...(await openAndClosed(change)) });
    expect(results).toEqual(
      Object.keys(bodies).map((name) => ({ name, open: "sent", closed: "sent", seen: ["Bearer /sms", "Bearer /sms"] })),
    );
  });
});
