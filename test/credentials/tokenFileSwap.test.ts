// The federated token file swapped after the factory was built (a writable token directory, a link an attacker
// plants): upstream's WorkloadIdentityCredential read the path with a plain readFile at each refresh, so a FIFO held a
// thread-pool thread (and the token request) until a writer came, a link to /dev/zero read until the process ran out
// of memory, and a large file went to Entra as the assertion. The factory reads it with its own checks at every token
// request: each is refused at once (CREDENTIAL_NOT_CONFIGURED, a token.acquire failure), and the same factory works
// again once the real token is back.
import { execFileSync } from "node:child_process";
import { openSync, closeSync, constants, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestWorkloadIdentity } from "../../packages/emulator/src/index.js";
import { ACS_SCOPE } from "../../packages/emulator/src/index.js";
import { readJsonLines } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let wi: TestWorkloadIdentity;
const dir = tempDir("acs-token-swap-");
useEmulator({ application: false, onStarted: (started) => ({ emu } = started) });
beforeAll(async () => {
  wi = await emu.createTestWorkloadIdentity({ directory: dir });
});

/** A workload-identity factory over a copy of the token file at `path`; token requests bounded by 5 s. */
function factoryOver(path: string, audit: string): AcsClientFactory {
  writeFileSync(path, readFileSync(wi.tokenFilePath));
  return AcsClientFactory.fromEnvironment(
    {
      allowedHosts: ["127.0.0.1"],
      timeoutMs: 5_000,
      clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
      audit: { destination: audit },
    },
    {
      AZURE_COMMUNICATION_ENDPOINT: emu.endpoint,
      AZURE_TENANT_ID: emu.tenantId,
      AZURE_CLIENT_ID: wi.clientId,
      AZURE_FEDERATED_TOKEN_FILE: path,
      AZURE_AUTHORITY_HOST: emu.authorityHost,
      AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: "localhost",
    },
  );
}

const swaps: [string, (path: string) => void][] = [
  ["a FIFO", (path) => execFileSync("mkfifo", [path])],
  ["a link to /dev/zero", (path) => symlinkSync("/dev/zero", path)],
  ["a 1 MiB file", (path) => writeFileSync(path, "a".repeat(1 << 20))],
  ["an empty file", (path) => writeFileSync(path, "")],
];

describe("the federated token file swapped after construction", () => {
  it.each(swaps)(
    "%s: the token request is refused at once, nothing reaches Entra; restored, it works",
    async (name, swap) => {
      const path = join(dir, `token-${name.replace(/\W/g, "")}`);
      const audit = join(dir, `${name.replace(/\W/g, "")}.log`);
      const factory = factoryOver(path, audit);
      const saved = `${path}.saved`;
      renameSync(path, saved);
      swap(path);
      const before = emu.requests.filter((r) => r.side === "entra").length;
      const started = performance.now();
      let error: unknown;
      try {
        await factory.credential.getToken(ACS_SCOPE);
      } catch (e) {
        error = e;
      } finally {
        // a FIFO a reader still waits on would keep a thread: give it a writer, so a failing run ends cleanly
        if (name === "a FIFO") {
          try {
            closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
          } catch {
            // no reader waiting
          }
        }
      }
      expect(error, name).toMatchObject({ code: "CREDENTIAL_NOT_CONFIGURED" });
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(emu.requests.filter((r) => r.side === "entra").length).toBe(before);
      rmSync(path);
      renameSync(saved, path);
      const token = await factory.credential.getToken(ACS_SCOPE);
      expect(token?.token.length).toBeGreaterThan(0);
      await factory.close();
      const acquires = readJsonLines<{ event: { action: string; outcome: string } }>(audit).filter(
        (r) => r.event.action === "token.acquire",
      );
      expect(acquires.map((r) => r.event.outcome)).toEqual(["failure", "success"]);
    },
  );
});
