/**
 * The process-wide wire backstop stops an access-key request to the factory's ACS endpoint also when it connects to
 * the endpoint's address under another name (`Host: <endpoint>` on a socket to its IP), and leaves requests to other
 * services on the same machine alone.
 */
import { Agent, request } from "node:https";
import { expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

function send(host: string, port: number, hostHeader: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      {
        host,
        port,
        method: "POST",
        path: "/sms?api-version=2021-03-07",
        ca: emu.caCertificatePem,
        headers: {
          host: hostHeader,
          authorization: "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=AAAA",
          "content-type": "application/json",
        },
      },
      (res) => {
        res.resume();
        resolve(`status ${res.statusCode}`);
      },
    );
    req.on("error", (e: Error & { code?: string }) => resolve(`error ${e.code ?? e.message}`));
    req.end("{}");
  });
}

it("an HMAC request to the endpoint's IP with Host: <endpoint host> is stopped (KEY_AUTH_BLOCKED); nothing reaches ACS", async () => {
  const port = Number(new URL(emu.endpoint).port);
  const factory = new AcsClientFactory(
    emulatorFactoryOptions(emu, app, { endpoint: `https://localhost:${port}`, allowedHosts: ["localhost"] }),
  );
  try {
    const before = emu.requests.filter((r) => r.side === "acs").length;
    expect(await send("localhost", port, `localhost:${port}`)).toBe("error KEY_AUTH_BLOCKED");
    expect(await send("127.0.0.1", port, `localhost:${port}`)).toBe("error KEY_AUTH_BLOCKED");
    expect(emu.requests.filter((r) => r.side === "acs").length).toBe(before);
  } finally {
    await factory.close();
  }
});

it("the same verdicts on repeated requests (parsed host names are cached), for spelling variants and oversized Host headers; another port is left alone", async () => {
  const port = Number(new URL(emu.endpoint).port);
  const factory = new AcsClientFactory(
    emulatorFactoryOptions(emu, app, { endpoint: `https://localhost:${port}`, allowedHosts: ["localhost"] }),
  );
  try {
    const before = emu.requests.filter((r) => r.side === "acs").length;
    for (let i = 0; i < 3; i++) {
      expect(await send("127.0.0.1", port, `LOCALHOST.:${port}`)).toBe("error KEY_AUTH_BLOCKED");
      expect(await send("127.0.0.1", port, `localhost:${port}`)).toBe("error KEY_AUTH_BLOCKED");
      expect(await send("localhost", port, `localhost:${port}`)).toBe("error KEY_AUTH_BLOCKED");
    }
    // Longer than the cache takes (300 characters): parsed every time, and no match — a Host header that is not the
    // endpoint's does not make a request to the endpoint's own name pass either.
    expect(await send("localhost", port, `${"a".repeat(400)}.example:${port}`)).toBe("error KEY_AUTH_BLOCKED");
    expect(emu.requests.filter((r) => r.side === "acs").length).toBe(before);
    // Addressed to another port of the same name through the IP address: not the endpoint, not stopped.
    expect(await send("127.0.0.1", port, "localhost:1")).toMatch(/^status /);
  } finally {
    await factory.close();
  }
});

it("an HMAC request on a kept-alive connection is stopped before Node writes it: nothing reaches ACS", async () => {
  const port = Number(new URL(emu.endpoint).port);
  const factory = new AcsClientFactory(
    emulatorFactoryOptions(emu, app, { endpoint: `https://localhost:${port}`, allowedHosts: ["localhost"] }),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: emu.caCertificatePem });
  const sendWith = (authorization: string) =>
    new Promise<string>((resolve) => {
      const req = request(
        {
          host: "localhost",
          port,
          agent,
          method: "POST",
          path: "/sms?api-version=2021-03-07",
          headers: { authorization, "content-type": "application/json" },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(`status ${res.statusCode}`));
        },
      );
      req.on("error", (e: Error & { code?: string }) => resolve(`error ${e.code ?? e.message}`));
      req.end("{}");
    });
  try {
    const before = emu.requests.filter((r) => r.side === "acs").length;
    // A Bearer request opens the connection (the emulator refuses the token; the connection stays open).
    expect(await sendWith("Bearer not-a-token")).toMatch(/^status /);
    const afterBearer = emu.requests.filter((r) => r.side === "acs").length;
    expect(afterBearer).toBe(before + 1);
    expect(await sendWith("HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=BBBB")).toBe(
      "error KEY_AUTH_BLOCKED",
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(emu.requests.filter((r) => r.side === "acs").length).toBe(afterBearer);
  } finally {
    agent.destroy();
    await factory.close();
  }
});
