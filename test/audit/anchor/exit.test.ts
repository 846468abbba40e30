// close() releases every timer and socket: a child process (on the built dist) that anchors to Azurite and closes
// ends by itself, with no process.exit.
import { ContainerClient } from "@azure/storage-blob";
import type { StoragePipelineOptions } from "@azure/storage-blob";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readAnchorLines } from "../../../packages/acs-baseline/src/audit/write/anchor/readBlobAnchor.js";
import type { Emulator, TestApplication } from "../../../packages/emulator/src/index.js";
import type { Azurite } from "../../support/azurite.js";
import { useEmulator } from "../../support/useEmulator.js";
import { useAzurite } from "../../support/azurite.js";
import { certificateCredential } from "../../support/certificateCredential.js";

const FIXTURE = join(__dirname, "fixtures", "anchorExit.mjs");
let emu: Emulator;
let app: TestApplication;
let azurite: Azurite;

useEmulator({ onStarted: (started) => ({ emu, app } = started) });
useAzurite({ onStarted: (started) => (azurite = started) });

describe("close() releases everything (child process on the built dist)", () => {
  it("a process that anchored lines and closed a healthy and a failing anchor ends by itself", async () => {
    const credential = certificateCredential(emu, app);
    const containerUrl = `${azurite.accountUrl}/exit-test`;
    await new ContainerClient(containerUrl, credential, {
      tlsOptions: { ca: azurite.caCertificatePem },
    } as StoragePipelineOptions).createIfNotExists();
    const cfg = {
      tenantId: emu.tenantId,
      clientId: app.clientId,
      certificatePath: app.certificatePath,
      authorityHost: emu.authorityHost,
      entraCa: emu.caCertificatePem,
      storageCa: azurite.caCertificatePem,
      containerUrl,
      deadContainerUrl: "https://127.0.0.1:1/devstoreaccount1/exit-test",
      blobName: "exit/anchor.jsonl",
    };
    const started = Date.now();
    const ended = await new Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }>(
      (resolve) => {
        const child = spawn(process.execPath, [FIXTURE, JSON.stringify(cfg)], { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          resolve({ code: null, stdout, stderr, timedOut: true });
        }, 20_000);
        child.on("exit", (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr, timedOut: false });
        });
      },
    );
    expect(ended.stderr).toBe("");
    expect(ended.timedOut).toBe(false);
    expect(ended.code).toBe(0);
    // Well under the 60 s retry timer that was pending when close() was called.
    expect(Date.now() - started).toBeLessThan(15_000);
    const { failures } = JSON.parse(ended.stdout) as { failures: string[] };
    expect(failures.at(-1)).toBe("ANCHOR_CLOSED_UNSENT");
    const lines = await readAnchorLines(`${containerUrl}/exit/anchor.jsonl`, {
      credential,
      allowedHosts: ["127.0.0.1"],
      tlsOptions: { ca: azurite.caCertificatePem },
    });
    expect(lines).toEqual(Array.from({ length: 110 }, (_, i) => JSON.stringify({ seq: i })));
  }, 60_000);
});
