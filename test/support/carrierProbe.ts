/**
 * Helpers for the tests of the guard's private https.Agent (its "carrier"): a plain TCP sink where a hijacked request
 * would land, the members of Node's Agent those tests touch, and a bounded search for an agent in an object graph.
 */
import { Agent } from "node:https";
import type { ClientRequest } from "node:http";
import type { AddressInfo, Server, Socket } from "node:net";
import { connect as connectTcp, createServer as createTcpServer } from "node:net";

/** The members of Node's Agent an attacker holding a carrier would use. */
export type Carrier = Agent & {
  freeSockets: Record<string, Socket[] | undefined>;
  sockets: Record<string, Socket[] | undefined>;
  requests: Record<string, ClientRequest[] | undefined>;
  options: Record<string, unknown>;
  maxSockets: number;
  maxTotalSockets: number;
  maxFreeSockets: number;
  getName(options: object): string;
};

/**
 * A plain TCP server that keeps what it receives and answers 500: where a redirected request would land. What it
 * received holds a token and message text when a test fails: assert on its length, never print it.
 */
export async function plainSink(): Promise<{ received: string[]; sink: Server; port: number; text: () => string }> {
  const received: string[] = [];
  const sink = createTcpServer((socket) => {
    socket.on("error", () => undefined);
    socket.on("data", (d: Buffer) => {
      received.push(d.toString("latin1"));
      socket.end("HTTP/1.1 500 x\r\ncontent-length: 0\r\n\r\n");
    });
  });
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
  return { received, sink, port: (sink.address() as AddressInfo).port, text: () => received.join("") };
}

/** A connected plain TCP socket to `port` (errors after the sink closed are expected and ignored). */
export async function foreignSocket(port: number): Promise<Socket> {
  const socket = connectTcp(port, "127.0.0.1").on("error", () => undefined);
  await new Promise<void>((r) => socket.once("connect", () => r()));
  return socket;
}

/** "sent", or the error's code (or "failed"). */
export const codeOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => "sent",
    (e: { code?: string }) => e?.code ?? "failed",
  );

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Every https.Agent reachable from `root` through own properties (string and symbol keys, data properties only, so
 * no getter runs), breadth first, at most `depth` steps and 20,000 objects; `skip` objects are not entered.
 */
export function agentsReachable(root: unknown, depth: number, skip: readonly unknown[] = []): Agent[] {
  const found = new Set<Agent>();
  const seen = new Set<unknown>(skip);
  let level: unknown[] = [root];
  for (let d = 0; d <= depth && level.length > 0 && seen.size < 20_000; d++) {
    const next: unknown[] = [];
    for (const value of level) {
      if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
      seen.add(value);
      if (value instanceof Agent) found.add(value);
      for (const key of Reflect.ownKeys(value)) {
        const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
        if (descriptor !== undefined && "value" in descriptor) next.push(descriptor.value);
      }
    }
    level = next;
  }
  return [...found];
}
