/**
 * Azurite (the official Azure Storage emulator, npm `azurite`) for the anchor tests: its blob service only, as a child
 * process on 127.0.0.1 with an ephemeral port, over HTTPS with a certificate the tests generate, with `--oauth basic`
 * (Bearer tokens required; it checks issuer, audience and lifetime, not the signature), in a temporary folder,
 * telemetry off, loose mode off. Azurite's own defaults would be: 127.0.0.1:10000, http, no OAuth, the current
 * directory as its database, and telemetry ON (it phones home): every one of those is overridden here.
 */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createServerTls } from "../../packages/emulator/src/certificates.js";

/** The account Azurite serves (its well-known emulator account; its key is never used here). */
export const AZURITE_ACCOUNT = "devstoreaccount1";

export interface Azurite {
  /** `https://127.0.0.1:PORT/devstoreaccount1` */
  readonly accountUrl: string;
  readonly port: number;
  /** CA that signed Azurite's server certificate. */
  readonly caCertificatePem: string;
  /** Azurite's debug log (which authenticator accepted each request), when started with `debugLog: true`. */
  readonly debugLogPath: string | undefined;
  /** True while the process runs. */
  readonly running: boolean;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s). Data stays on disk for {@link Azurite.start}. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

const requireFromHere = createRequire(import.meta.url);

function waitForListening(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within 30 s: ${out.slice(-500)}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString("utf8");
      const m = /successfully listens on https:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m !== null) {
        cleanup();
        resolve(Number(m[1]));
      }
    };
    const onExit = (code: number | null): void =>
      fail(new Error(`Azurite exited with ${String(code)}: ${out.slice(-500)}`));
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
    };
    const fail = (error: Error): void => {
      cleanup();
      reject(error);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

/** Starts Azurite's blob service. Always `close()` it (e.g. in afterAll). */
export async function startAzurite(options: { debugLog?: boolean } = {}): Promise<Azurite> {
  const dir = mkdtempSync(join(tmpdir(), "acs-azurite-"));
  const tls = await createServerTls();
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  writeFileSync(certPath, `${tls.serverCertificatePem.trimEnd()}\n${tls.caCertificatePem.trimEnd()}\n`);
  writeFileSync(keyPath, tls.serverKeyPem, { mode: 0o600 });
  const main = requireFromHere.resolve("azurite/dist/src/blob/main.js");
  const debugLogPath = options.debugLog === true ? join(dir, "debug.log") : undefined;
  let port = 0;
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const args = [
      main,
      "--blobHost",
      "127.0.0.1",
      "--blobPort",
      String(port),
      "--location",
      join(dir, "data"),
      "--oauth",
      "basic",
      "--cert",
      certPath,
      "--key",
      keyPath,
      "--disableTelemetry",
      "--skipApiVersionCheck",
      "--silent",
      ...(debugLogPath !== undefined ? ["--debug", debugLogPath] : []),
    ];
    // A clean environment: no AZURITE_ACCOUNTS / AZURITE_DB from the developer's shell changes what runs.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "" };
    const proc = spawn(process.execPath, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    const listening = await waitForListening(proc);
    port = listening;
    // Keep draining output so the child never blocks on a full pipe.
    proc.stdout.on("data", () => undefined);
    proc.stderr.on("data", () => undefined);
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => proc.kill("SIGKILL"), 5000);
      proc.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      proc.kill("SIGTERM");
    });
  };

  await launch();
  return {
    get accountUrl() {
      return `https://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
    },
    get port() {
      return port;
    },
    caCertificatePem: tls.caCertificatePem,
    debugLogPath,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    stop,
    start: launch,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** How {@link useAzurite} starts Azurite for a test file. */
export interface UseAzuriteOptions {
  /** Keep Azurite's debug log (see {@link Azurite.debugLogPath}). */
  debugLog?: boolean;
  /** Called once it listens, in `beforeAll`: sets a test file's own `let azurite`. */
  onStarted?: (azurite: Azurite) => void;
}

/**
 * Starts Azurite for the current test file in `beforeAll` (allowed 60 s) and closes it, folder and all, after the
 * file's tests. The returned object's `azurite` is set in `beforeAll`: read it inside tests.
 */
export function useAzurite(options: UseAzuriteOptions = {}): { azurite: Azurite } {
  const state = {} as { azurite: Azurite };
  beforeAll(async () => {
    state.azurite = await startAzurite({ debugLog: options.debugLog === true });
    options.onStarted?.(state.azurite);
  }, 60_000);
  afterAll(async () => {
    await (state.azurite as Azurite | undefined)?.close();
  });
  return state;
}
