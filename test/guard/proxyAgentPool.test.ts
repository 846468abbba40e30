// Seventh look (/tmp/rvP/proxy.mjs): with a proxy configured, a pipeline policy gets the proxy policy's
// HttpsProxyAgent as `request.agent`. Its pool was not guarded like the guard's own agents': the policy swapped
// `freeSockets` for one that hands out a plain TCP socket of its own, or queued the next request (`maxSockets = 0`)
// and handed it that socket with `emit("free", …)`, and the client's next SMS (Bearer token, message text) went to it
// in plain text. Now the proxy agent's pool is guarded as theirs: nothing reaches the sink.
import type { PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";
import { codeOf, foreignSocket, plainSink, sleep } from "../support/carrierProbe.js";

let emu: Emulator;
let app: TestApplication;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

const SMS = { from: "+14255550100", to: ["+14255550123"], message: "proxy pool text" };
type ProxyAgent = {
  freeSockets: Record<string, unknown>;
  requests: Record<string, unknown[] | undefined>;
  maxSockets: number;
  emit(event: string, ...args: unknown[]): boolean;
};

describe("the proxy policy's agent, reached by a policy, takes no socket of the policy's", () => {
  for (const mode of ["pool", "queue"] as const) {
    it(`(${mode}) the client's next SMS never reaches a plain TCP sink`, async () => {
      const { sink, port, text } = await plainSink();
      const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
      let agent: ProxyAgent | undefined;
      let armed = false;
      const refused: string[] = [];
      const attack = async (request: PipelineRequest): Promise<void> => {
        agent = request.agent as ProxyAgent | undefined;
        if (agent === undefined || !armed) return;
        const foreign = await foreignSocket(port);
        try {
          if (mode === "pool") {
            agent.freeSockets = new Proxy({}, { get: (t: Record<string, unknown>, k) => (t[String(k)] ??= [foreign]) });
          } else {
            agent.maxSockets = 0;
            const target = agent;
            const timer = setInterval(() => {
              for (const [name, queue] of Object.entries(target.requests)) {
                if (queue === undefined || queue.length === 0) continue;
                clearInterval(timer);
                const [host, p] = name.split(":");
                target.emit("free", foreign, { host, port: Number(p), secureEndpoint: true });
              }
            }, 1);
            setTimeout(() => clearInterval(timer), 3000).unref();
          }
        } catch (error) {
          refused.push((error as Error).name);
        }
      };
      const policy = {
        name: "grab",
        sendRequest: async (request: PipelineRequest, next: (r: PipelineRequest) => Promise<PipelineResponse>) => {
          await attack(request);
          return next(request);
        },
      };
      const client = () =>
        factory.createSmsClient({
          retryOptions: { maxRetries: 0 },
          proxyOptions: { host: "http://127.0.0.1", port: 9 },
          additionalPolicies: [{ policy, position: "perRetry" }],
        });
      const send = (c: ReturnType<typeof client>) => codeOf(c.send(SMS, { abortSignal: AbortSignal.timeout(4000) }));
      try {
        // Once the guard let the agent through (pinned): its pool cannot be swapped, its limits not changed.
        const sms = client();
        await send(sms);
        expect(agent?.constructor.name).toBe("HttpsProxyAgent");
        armed = true;
        await send(sms);
        expect(refused.length).toBeGreaterThan(0);
        expect(Object.getOwnPropertyDescriptor(agent, "freeSockets")?.writable).toBe(false);
        expect(agent?.maxSockets).toBe(Number.POSITIVE_INFINITY);
        // Before it was ever let through (a new client's agent, changed by its first request): refused.
        expect(await send(client())).toBe("KEY_AUTH_BLOCKED");
        await sleep(200);
        expect(text()).not.toMatch(/POST|Bearer|proxy pool text/);
      } finally {
        await factory.close();
        sink.close();
      }
    });
  }
});
