// Issue 14, finding 4: a Microsoft Entra endpoint that accepts TCP and never answers. The bounded wait must abort the
// underlying fetch, `factory.close()` must release every timer and socket, and `doctor --online` must exit within
// its bound. Both run as child processes (against the built dist/) so "the process ends on its own" is observable.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import type { Server, Socket } from "node:net";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "packages", "cli", "dist", "esm", "bin.js");
const FIXTURE = join(__dirname, "fixtures", "stalledApp.mjs");
/** The child is killed after this; a process that is still alive then has failed. */
const KILL_AFTER_MS = 20_000;

let emu: Emulator;
let app: TestApplication;
const dir = tempDir("acs-stalled-");
let caFile: string;
let stall: Server;
let stallHost: string;
const sockets = new Set<Socket>();
let accepted = 0;

useEmulator({ application: { directory: dir }, onStarted: (started) => ({ emu, app } = started) });
beforeAll(async () => {
  caFile = join(dir, "ca.pem");
  writeFileSync(caFile, emu.caCertificatePem);
  // Accepts every connection and never writes a byte (not even the TLS handshake).
  stall = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => stall.listen(0, "127.0.0.1", resolve));
  stallHost = `https://localhost:${(stall.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => stall.close(() => resolve()));
});

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  ms: number;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Ended> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.resume();
    const killer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
    child.on("exit", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, ms: Date.now() - started });
    });
  });
}

const childEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  NODE_EXTRA_CA_CERTS: caFile,
  // The stalled authority is ours, not a Microsoft cloud login host: allowed explicitly (AUTHORITY_NOT_ALLOWED otherwise).
  AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: "localhost,127.0.0.1",
  ...extra,
});

describe("a stalled Microsoft Entra endpoint", () => {
  it("an app's request fails within timeoutMs and the process ends on its own after factory.close()", async () => {
    const before = accepted;
    const cfg = {
      endpoint: emu.endpoint,
      tenantId: emu.tenantId,
      clientId: app.clientId,
      certificatePath: app.certificatePath,
      authorityHost: stallHost,
      timeoutMs: 500,
    };
    const ended = await run([FIXTURE, JSON.stringify(cfg)], childEnv());
    expect(accepted).toBeGreaterThan(before); // the fetch really reached the stalled server
    expect(ended.signal).toBeNull(); // not killed: it ended by itself
    expect(ended.code).toBe(0);
    const summary = JSON.parse(ended.stdout.trim()) as { outcome: string; ms: number };
    expect(summary.outcome).not.toBe("sent");
    expect(summary.ms).toBeLessThan(5_000);
    expect(ended.ms).toBeLessThan(KILL_AFTER_MS);
  });

  it("doctor --online reports the failure and exits within its bound", async () => {
    const before = accepted;
    const ended = await run(
      [BIN, "doctor", "--online", "--timeout-ms", "500", "--allowed-host", "127.0.0.1"],
      childEnv({
        AZURE_COMMUNICATION_ENDPOINT: emu.endpoint,
        AZURE_TENANT_ID: emu.tenantId,
        AZURE_CLIENT_ID: app.clientId,
        AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath,
        AZURE_AUTHORITY_HOST: stallHost,
      }),
    );
    expect(accepted).toBeGreaterThan(before);
    expect(ended.signal).toBeNull();
    expect(ended.code).toBe(1);
    expect(ended.stdout).toMatch(/✗ IM-1 +token: no token/);
    expect(ended.ms).toBeLessThan(KILL_AFTER_MS);
  });

  it.each(["SIGTERM", "SIGINT"] as const)(
    "readiness waiting on it stops at once on %s (Ctrl-C, a CI runner's timeout)",
    async (signal) => {
      const before = accepted;
      const started = Date.now();
      const child = spawn(process.execPath, [BIN, "readiness"], {
        env: childEnv({
          AZURE_TENANT_ID: emu.tenantId,
          AZURE_CLIENT_ID: app.clientId,
          AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath,
          AZURE_AUTHORITY_HOST: stallHost,
          AZURE_COMMUNICATION_RESOURCE_ID: emu.arm.resourceId,
          AZURE_RESOURCE_MANAGER_ENDPOINT: emu.arm.endpoint,
        }),
        stdio: "ignore",
      });
      const killer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
      const ended = new Promise<{ signal: NodeJS.Signals | null; at: number }>((resolve) =>
        child.on("exit", (_code, sig) => resolve({ signal: sig, at: Date.now() })),
      );
      // The command is inside its token request once the stalled server has accepted the connection.
      while (accepted === before && Date.now() - started < KILL_AFTER_MS) await new Promise((r) => setTimeout(r, 20));
      expect(accepted).toBeGreaterThan(before);
      const sent = Date.now();
      child.kill(signal);
      const { signal: endedBy, at } = await ended;
      clearTimeout(killer);
      expect(endedBy).toBe(signal); // Node.js's default: the signal ends the process (was: ignored until SIGKILL)
      expect(at - sent).toBeLessThan(5_000);
    },
  );
});
