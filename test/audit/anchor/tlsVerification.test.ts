/**
 * The blob anchor sends the factory's Entra (storage) token: its options must not switch TLS verification off,
 * neither at construction (tlsOptions, as the factory's clientOptions: TLS_VERIFICATION_DISABLED) nor at the wire
 * (NODE_TLS_REJECT_UNAUTHORIZED=0 set after start: the request guard refuses the request, nothing reaches storage).
 * Real Azurite, a real @azure/identity credential from the emulator's Entra side, the real @azure/storage-blob.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClientCertificateCredential } from "@azure/identity";
import { ContainerClient } from "@azure/storage-blob";
import type { StoragePipelineOptions } from "@azure/storage-blob";
import { beforeAll, describe, expect, it } from "vitest";
import type { AnchorEvents } from "../../../packages/acs-baseline/src/audit/write/anchor/anchorSink.js";
import { createBlobAnchor } from "../../../packages/acs-baseline/src/audit/write/anchor/blobAnchor.js";
import { checkBlobAnchorOptions } from "../../../packages/acs-baseline/src/audit/write/anchor/blobAnchorOptions.js";
import { readAnchorLines } from "../../../packages/acs-baseline/src/audit/write/anchor/readBlobAnchor.js";
import { AcsClientFactory } from "../../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../../packages/emulator/src/index.js";
import type { Azurite } from "../../support/azurite.js";
import { useEmulator } from "../../support/useEmulator.js";
import { useAzurite } from "../../support/azurite.js";
import { certificateCredential } from "../../support/certificateCredential.js";

let emu: Emulator;
let app: TestApplication;
let azurite: Azurite;
let credential: ClientCertificateCredential;
let containerUrl: string;
const OFF = [
  { rejectUnauthorized: false },
  { ca: "x", checkServerIdentity: () => undefined },
  { servername: "evil.example" },
] as never[];

useEmulator({ onStarted: (started) => ({ emu, app } = started) });
useAzurite({ onStarted: (started) => (azurite = started) });
beforeAll(async () => {
  credential = certificateCredential(emu, app);
  containerUrl = `${azurite.accountUrl}/tls-anchor`;
  await new ContainerClient(containerUrl, credential, {
    tlsOptions: { ca: azurite.caCertificatePem },
  } as StoragePipelineOptions).createIfNotExists();
});

describe("blob anchor TLS verification", () => {
  it("refuses tlsOptions that switch verification off: checkBlobAnchorOptions, createBlobAnchor, readAnchorLines, the factory", async () => {
    for (const tlsOptions of OFF) {
      const options = { containerUrl, blobName: "off.jsonl", allowedHosts: ["127.0.0.1"], tlsOptions };
      expect(() => checkBlobAnchorOptions(options)).toThrow(
        expect.objectContaining({ code: "TLS_VERIFICATION_DISABLED" }),
      );
      await expect(
        createBlobAnchor(options, credential, { onFailure: () => undefined, onRecovered: () => undefined }),
      ).rejects.toMatchObject({ code: "TLS_VERIFICATION_DISABLED" });
      await expect(
        readAnchorLines(`${containerUrl}/off.jsonl`, { credential, allowedHosts: ["127.0.0.1"], tlsOptions }),
      ).rejects.toMatchObject({ code: "TLS_VERIFICATION_DISABLED" });
      const dir = mkdtempSync(join(tmpdir(), "acs-anchor-tls-"));
      expect(
        () =>
          new AcsClientFactory(
            emulatorFactoryOptions(emu, app, {
              audit: {
                destination: join(dir, "audit.log"),
                anchor: { blob: { containerUrl, allowedHosts: ["127.0.0.1"], tlsOptions } },
              },
            }),
          ),
      ).toThrow(expect.objectContaining({ code: "TLS_VERIFICATION_DISABLED" }));
    }
  });

  it("at the wire: NODE_TLS_REJECT_UNAUTHORIZED=0 set after start: the storage request is refused (TLS_VERIFICATION_DISABLED) and reported", async () => {
    const failures: Parameters<AnchorEvents["onFailure"]>[0][] = [];
    const options = {
      containerUrl,
      blobName: `wire/${process.pid}.jsonl`,
      allowedHosts: ["127.0.0.1"],
      tlsOptions: { ca: azurite.caCertificatePem },
      retry: { initialDelayMs: 10, maxDelayMs: 20 },
      flushTimeoutMs: 500,
    };
    const anchor = await createBlobAnchor(options, credential, {
      onFailure: (f) => failures.push(f),
      onRecovered: () => undefined,
    });
    await credential.getToken("https://storage.azure.com/.default"); // cached: only the storage request can be stopped
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    try {
      anchor.append('{"seq":1}');
      await anchor.flush().catch(() => undefined);
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    }
    await anchor.close().catch(() => undefined);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]?.code).toBe("TLS_VERIFICATION_DISABLED");
  });
});
