// Fourth review (/tmp/rv1), continued: the guard's private https.Agent (its "carrier") must not be reachable from a
// pipeline policy (not as `response.request.agent`, not through a streamed body's `req` or `socket`, not as the
// `this` of `onDownloadProgress`), and a carrier obtained some other way must refuse the attacks anyway: a "free"
// event with a socket it did not open, changed socket limits, and its own socket moved under another pool name.
import { Agent, request as httpsRequest } from "node:https";
import type { ClientRequest } from "node:http";
import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { defaultCarrier } from "../../packages/acs-baseline/src/guard/agentOptions.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";
import type { Carrier } from "../support/carrierProbe.js";
import { agentsReachable, foreignSocket, plainSink, sleep } from "../support/carrierProbe.js";
import { withPolicy } from "../support/hostilePolicy.js";

let emu: Emulator;
let app: TestApplication;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

const SMS = { from: "+14255550100", to: ["+14255550123"], message: "carrier" };
type Body = NodeJS.ReadableStream & { req?: unknown; socket?: unknown; _readableState?: { pipes?: unknown[] } };

/**
 * One SMS whose per-retry policy asks for a streamed body (with an onDownloadProgress callback if `progress`), looks
 * at what the body leads to, reads it and passes its text on for the SDK to deserialize.
 */
async function sendStreamed(factory: AcsClientFactory, progress: boolean) {
  const looks: Record<string, unknown>[] = [];
  const thisValues: unknown[] = [];
  const sms = withPolicy(factory, async (request, next) => {
    request.streamResponseStatusCodes = new Set([Number.POSITIVE_INFINITY]);
    if (progress)
      request.onDownloadProgress = function (this: unknown) {
        thisValues.push(this);
      };
    const response = await next(request);
    const body = response.readableStreamBody as Body;
    const pipes = body._readableState?.pipes ?? [];
    looks.push({
      req: body.req,
      socket: body.socket,
      nodeObject: body instanceof IncomingMessage || body instanceof Socket,
      nodePipes: pipes.filter((p) => p instanceof IncomingMessage || p instanceof Socket || p instanceof Agent),
      agents: agentsReachable(body, 5).length,
    });
    let text = "";
    for await (const chunk of body) text += Buffer.from(chunk as Uint8Array).toString("utf8");
    response.readableStreamBody = undefined;
    response.bodyAsText = text;
    return response;
  });
  const [result] = await sms.send(SMS);
  return { result, looks, thisValues };
}

describe("the carrier is not reachable from a pipeline policy", () => {
  it("response.request is the caller's own request: for a request without an agent, its agent is undefined", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    const seen: { same: boolean; agent: unknown; agents: number }[] = [];
    try {
      const sms = withPolicy(factory, async (request, next) => {
        const response = await next(request);
        seen.push({
          same: response.request === request,
          agent: response.request.agent,
          agents: agentsReachable(response, 4).length,
        });
        return response;
      });
      const [result] = await sms.send(SMS);
      expect(result?.successful).toBe(true);
      expect(seen).toEqual([{ same: true, agent: undefined, agents: 0 }]);
    } finally {
      await factory.close();
    }
  });

  const NOTHING_BEHIND = { req: undefined, socket: undefined, nodeObject: false, nodePipes: [], agents: 0 };

  it("a streamed body is the guard's own stream (no req, socket or Node stream behind it), its content intact", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    try {
      const { result, looks } = await sendStreamed(factory, false);
      // The SDK reads the answer the policy passed on: the streamed content arrived whole.
      expect(result).toMatchObject({ to: SMS.to[0], successful: true });
      expect(looks).toEqual([NOTHING_BEHIND]);
    } finally {
      await factory.close();
    }
  });

  it("onDownloadProgress is called with no this (and the streamed body still leads nowhere)", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    try {
      const { result, looks, thisValues } = await sendStreamed(factory, true);
      expect(result).toMatchObject({ to: SMS.to[0], successful: true });
      expect(looks).toEqual([NOTHING_BEHIND]);
      expect(thisValues.length).toBeGreaterThan(0);
      expect(thisValues.every((value) => value === undefined)).toBe(true);
    } finally {
      await factory.close();
    }
  });
});

/** `run`'s settled value, or the code of what it throws at once (a refusal when Node places the request). */
async function attempt(run: () => Promise<number | string>): Promise<number | string> {
  try {
    return await run();
  } catch (error) {
    return (error as { code?: string }).code ?? "failed";
  }
}

/** A request with the carrier to a side of the emulator; settles with its status or its error's code. */
function send(
  carrier: Agent,
  url: string,
  init: { method?: string; authorization?: string; hold?: boolean } = {},
): { request: ClientRequest; done: Promise<number | string>; finish: () => void } {
  const { hostname, port, pathname } = new URL(url);
  const body = init.method === "POST" ? "{}" : "";
  const request = httpsRequest({
    agent: carrier,
    host: hostname,
    port: Number(port),
    path: pathname,
    method: init.method ?? "GET",
    headers: { authorization: init.authorization ?? "Bearer none", "content-length": String(body.length) },
  });
  const done = new Promise<number | string>((resolve) => {
    request.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    request.on("error", (e: { code?: string }) => resolve(e.code ?? "failed"));
    request.setTimeout(5000, () => request.destroy());
  });
  if (init.hold === true) request.flushHeaders();
  else request.end(body);
  return { request, done, finish: () => request.end(body) };
}

const carrierFor = (extra: object = {}) =>
  defaultCarrier({ ca: emu.caCertificatePem, rejectUnauthorized: true, ...extra }, false) as unknown as Carrier;

describe("a carrier obtained some other way refuses the attacks", () => {
  it("its socket limits (maxSockets, maxTotalSockets, maxFreeSockets) cannot be changed", () => {
    const carrier = carrierFor();
    for (const key of ["maxSockets", "maxTotalSockets", "maxFreeSockets"] as const) {
      const before = carrier[key];
      try {
        carrier[key] = 0;
      } catch {
        // refused
      }
      try {
        Object.defineProperty(carrier, key, { value: 0 });
      } catch {
        // refused
      }
      expect([key, carrier[key]]).toEqual([key, before]);
    }
    carrier.destroy();
  });

  it('a "free" event with a socket it did not open is ignored: the queued request gets no foreign socket', async () => {
    const { sink, port: sinkPort, text } = await plainSink();
    // One socket per pool name: the second request waits in `requests` for the first one's socket.
    const carrier = carrierFor({ maxSockets: 1 });
    const url = `${emu.endpoint}/carrier-free`;
    try {
      expect(carrier.maxSockets).toBe(1);
      const first = send(carrier, url, { method: "POST", hold: true });
      const second = send(carrier, url, { method: "POST", authorization: "Bearer victim" });
      const name = Object.keys(carrier.requests).find((n) => (carrier.requests[n]?.length ?? 0) > 0);
      expect(name).toBeDefined();
      const [host = "", port = ""] = (name ?? "").split(":");
      const foreign = await foreignSocket(sinkPort);
      const options = { ...carrier.options, host, port: Number(port), servername: "" };
      expect(carrier.getName(options)).toBe(name);
      try {
        carrier.emit("free", foreign, options);
      } catch {
        // refused
      }
      await sleep(50);
      first.finish();
      // Whatever the queued request ends with, it never wrote to the foreign socket.
      await Promise.all([first.done, second.done]);
      await sleep(50);
      expect(text().length).toBe(0);
      foreign.destroy();
    } finally {
      carrier.destroy();
      sink.close();
    }
  });

  it("its own socket moved under another pool name is not reused there: ACS requests never reach Entra, nor the reverse", async () => {
    const carrier = carrierFor();
    const acsUrl = `${emu.endpoint}/carrier-moved`;
    const entraUrl = `${emu.authorityHost}/${emu.tenantId}/v2.0/.well-known/openid-configuration`;
    const acsName = `127.0.0.1:${new URL(emu.endpoint).port}:`;
    const entraName = `localhost:${new URL(emu.authorityHost).port}:`;
    /** Both sides answered once, so each pool holds an idle socket; then the one of `from` moved to `to`. */
    const prepare = async (from: string, to: string) => {
      await Promise.all([send(carrier, acsUrl).done, send(carrier, entraUrl).done]);
      await sleep(20);
      const names = Object.keys(carrier.freeSockets);
      const source = names.find((n) => n.startsWith(from)) ?? "";
      const target = names.find((n) => n.startsWith(to)) ?? "";
      const socket = carrier.freeSockets[source]?.[0];
      expect(socket).toBeDefined();
      carrier.freeSockets[target] = [socket as Socket];
      delete carrier.freeSockets[source];
    };
    try {
      await prepare(entraName, acsName);
      let mark = emu.requests.length;
      // Refused when Node reuses the moved socket (https.request throws KEY_AUTH_BLOCKED); nothing reaches Entra.
      expect(await attempt(() => send(carrier, acsUrl, { method: "POST", authorization: "Bearer victim" }).done)).toBe(
        "KEY_AUTH_BLOCKED",
      );
      await sleep(20);
      expect(emu.requests.slice(mark).filter((r) => r.side !== "acs")).toEqual([]);
      await prepare(acsName, entraName);
      mark = emu.requests.length;
      expect(await attempt(() => send(carrier, entraUrl).done)).toBe("KEY_AUTH_BLOCKED");
      await sleep(20);
      expect(emu.requests.slice(mark).filter((r) => r.side !== "entra")).toEqual([]);
    } finally {
      carrier.destroy();
    }
  });
});
