// Fourth review (/tmp/rv1 queue.mjs, token.mjs, crossdest.mjs): a pipeline policy of a factory client reached the
// guard's private https.Agent for requests without an agent of their own (the "carrier"): as `response.request.agent`
// (the sent copy), or through a streamed body's `req.agent` / `socket`. Holding it, the policy could (a) queue the next
// request (maxSockets = 0) and hand it a plain TCP socket of its own with `emit("free", …)`, so another client's Bearer
// token or the credential's client assertion went to it, (b) take Node's queued request out of `requests` and give it
// that socket, (c) move the carrier's own socket to Entra under the ACS pool name (an SMS lands on Entra) or the
// reverse (the token request lands on ACS). None of that may reach the sink or the wrong side of the emulator, and
// the carrier may not be reachable from a policy at all.
import { Agent } from "node:https";
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";
import type { Carrier } from "../support/carrierProbe.js";
import { agentsReachable, codeOf, foreignSocket, plainSink, sleep } from "../support/carrierProbe.js";

let emu: Emulator;
let app: TestApplication;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

const SMS = { from: "+14255550100", to: ["+14255550123"], message: "carrier" };
type Body = NodeJS.ReadableStream & {
  req?: { agent?: unknown };
  socket?: { _httpMessage?: { agent?: unknown } };
  _readableState?: { pipes?: unknown[] };
};

/** Any https.Agent a policy can reach from a response that is not the caller's own (the request's agent). */
function carriersIn(request: PipelineRequest, response: PipelineResponse): Carrier[] {
  const body: Body | undefined = response.readableStreamBody;
  const candidates = [
    response.request.agent,
    body?.req?.agent,
    body?.socket?._httpMessage?.agent,
    ...agentsReachable(response, 4, [request]),
  ];
  return [...new Set(candidates)].filter((a) => a instanceof Agent && a !== request.agent) as Carrier[];
}

/** A per-retry policy that asks for a streamed body, reads it to the end, and keeps every carrier it reached. */
function reaching(found: Carrier[]): { policy: PipelinePolicy; position: "perRetry" } {
  return {
    position: "perRetry",
    policy: {
      name: "reach",
      sendRequest: async (request, next) => {
        request.streamResponseStatusCodes = new Set([Number.POSITIVE_INFINITY]);
        const response = await next(request);
        for (const agent of carriersIn(request, response)) if (!found.includes(agent)) found.push(agent);
        const body = response.readableStreamBody;
        // Read to the end: the socket goes back to the carrier's pool of idle sockets.
        if (body !== undefined) for await (const chunk of body) void chunk;
        response.readableStreamBody = undefined;
        return response;
      },
    },
  };
}

/** The carriers a policy of a client of `factory` reaches while one SMS is sent (whatever that send ends with). */
async function reachFrom(factory: AcsClientFactory): Promise<Carrier[]> {
  const found: Carrier[] = [];
  const sms = factory.createSmsClient({ retryOptions: { maxRetries: 0 }, additionalPolicies: [reaching(found)] });
  await codeOf(sms.send(SMS));
  await sleep(20);
  return found;
}

/** Tries to change a member of the carrier (the hardened one refuses: either way the attack goes on). */
function attempt(change: () => void): void {
  try {
    change();
  } catch {
    // refused
  }
}

/**
 * Attacks (a) and (b) on every reached carrier: idle sockets dropped from the pool, maxSockets = 0, and the first
 * request queued under a name `wanted` accepts is handed a plain socket to the sink, with `emit("free")` (a) or by
 * taking Node's queued request out of `requests` (b). Returns a stop function.
 */
function queueAttack(carriers: Carrier[], sinkPort: number, mode: "free" | "take", wanted = (_: string) => true) {
  for (const carrier of carriers) {
    for (const name of Object.keys(carrier.freeSockets)) attempt(() => delete carrier.freeSockets[name]);
    attempt(() => (carrier.maxSockets = 0));
  }
  let busy = false;
  const timer = setInterval(() => {
    for (const carrier of carriers) {
      const name = Object.keys(carrier.requests).find((n) => wanted(n) && (carrier.requests[n]?.length ?? 0) > 0);
      if (name === undefined || busy) continue;
      busy = true;
      clearInterval(timer);
      void foreignSocket(sinkPort).then((foreign) => {
        attempt(() => (carrier.maxSockets = Number.POSITIVE_INFINITY));
        const [host = "", port = ""] = name.split(":");
        const options = { ...carrier.options, host, port: Number(port), servername: host === "127.0.0.1" ? "" : host };
        if (mode === "free") carrier.emit("free", foreign, options);
        else {
          const queued = carrier.requests[name] ?? [];
          const held = queued.shift();
          if (queued.length === 0) delete carrier.requests[name];
          held?.onSocket(foreign);
        }
      });
    }
  }, 1);
  return () => {
    clearInterval(timer);
    for (const carrier of carriers) attempt(() => (carrier.maxSockets = Number.POSITIVE_INFINITY));
  };
}

/** An SMS sent by a client without policies, given up after 5 s (a queued request that never gets a socket). */
const victimSend = (factory: AcsClientFactory) =>
  codeOf(
    factory.createSmsClient({ retryOptions: { maxRetries: 0 } }).send(SMS, { abortSignal: AbortSignal.timeout(5000) }),
  );

const SECRETS = /Bearer|client_assertion|POST/;

describe("a policy cannot hand a request of another client (or the credential) a socket of its own", () => {
  for (const mode of ["free", "take"] as const) {
    it(`(${mode === "free" ? "a" : "b"}) another client's SMS, queued on the carrier, never reaches a plain TCP sink (${mode === "free" ? 'emit("free")' : "requests[name].shift()"})`, async () => {
      const { sink, port, text } = await plainSink();
      const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
      let stop = () => undefined as void;
      try {
        const carriers = await reachFrom(factory);
        stop = queueAttack(carriers, port, mode);
        await victimSend(factory);
        await sleep(100);
        expect(text()).not.toMatch(SECRETS);
        expect(text().length).toBe(0);
      } finally {
        stop();
        await factory.close();
        sink.close();
      }
    });
  }

  it("(a) the credential's next token request (client assertion) never reaches a plain TCP sink", async () => {
    const { sink, port, text } = await plainSink();
    // Tokens that expire in a second: the next send asks for a new one (the metadata is cached, so that is the POST).
    emu.setTokenLifetime(1);
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    let stop = () => undefined as void;
    try {
      const carriers = await reachFrom(factory);
      await sleep(1500);
      stop = queueAttack(carriers, port, "free", (name) => name.startsWith("localhost:"));
      await victimSend(factory);
      await sleep(100);
      expect(text()).not.toMatch(SECRETS);
      expect(text().length).toBe(0);
    } finally {
      emu.setTokenLifetime(3600);
      stop();
      await factory.close();
      sink.close();
    }
  });
});

describe("a policy cannot send a request to the other side of the emulator with the carrier's own sockets", () => {
  /** Moves the first idle socket under a name starting with `from` to the pool of the name starting with `to`. */
  const move = (carriers: Carrier[], from: string, to: string) => {
    for (const carrier of carriers) {
      const names = Object.keys(carrier.freeSockets);
      const source = names.find((n) => n.startsWith(from));
      const target = names.find((n) => n.startsWith(to));
      const socket = source === undefined ? undefined : carrier.freeSockets[source]?.[0];
      if (socket === undefined || target === undefined || source === undefined) continue;
      attempt(() => (carrier.freeSockets[target] = [socket]));
      attempt(() => delete carrier.freeSockets[source]);
    }
  };
  const ports = () => ({
    acs: `127.0.0.1:${new URL(emu.endpoint).port}:`,
    entra: `localhost:${new URL(emu.authorityHost).port}:`,
  });

  it("(c) an Entra socket moved under the ACS pool name: the next SMS never lands on the Entra server", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    try {
      const carriers = await reachFrom(factory);
      move(carriers, ports().entra, ports().acs);
      const mark = emu.requests.length;
      await victimSend(factory);
      await sleep(50);
      const after = emu.requests.slice(mark);
      expect(after.filter((r) => r.side === "entra" && r.method === "POST" && !/token/.test(r.path))).toEqual([]);
      expect(after.filter((r) => r.side === "entra" && /sms/i.test(r.path))).toEqual([]);
    } finally {
      await factory.close();
    }
  });

  it("(c) an ACS socket moved under the Entra pool name: a new factory's token request never lands on the ACS server", async () => {
    const options = emulatorFactoryOptions(emu, app);
    const attacker = new AcsClientFactory(options);
    const victim = new AcsClientFactory(options);
    try {
      const carriers = await reachFrom(attacker);
      move(carriers, ports().acs, ports().entra);
      const mark = emu.requests.length;
      await victimSend(victim);
      await sleep(50);
      const after = emu.requests.slice(mark);
      expect(
        after.filter((r) => r.side === "acs" && (/token|oauth2/i.test(r.path) || r.grantType !== undefined)),
      ).toEqual([]);
      expect(after.filter((r) => r.side === "acs" && r.authScheme !== "Bearer")).toEqual([]);
    } finally {
      await attacker.close();
      await victim.close();
    }
  });
});
