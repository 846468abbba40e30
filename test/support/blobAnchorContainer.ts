/**
 * The blob-anchor tests' shared setup: the emulator with a test application, Azurite over HTTPS, the application's
 * certificate credential, and one container in Azurite created with it. Read the fields inside tests or hooks (they
 * are set in `beforeAll`).
 */
import type { ClientCertificateCredential } from "@azure/identity";
import { ContainerClient } from "@azure/storage-blob";
import type { StoragePipelineOptions } from "@azure/storage-blob";
import { beforeAll } from "vitest";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import type { Azurite } from "./azurite.js";
import { useAzurite } from "./azurite.js";
import { certificateCredential } from "./certificateCredential.js";
import { useEmulator } from "./useEmulator.js";

export interface BlobAnchorContainer {
  emu: Emulator;
  app: TestApplication;
  azurite: Azurite;
  credential: ClientCertificateCredential;
  /** `https://127.0.0.1:<port>/<account>/<container>`, created. */
  containerUrl: string;
}

/** Starts the emulator (its application's files in `directory`) and Azurite, and creates `container` in Azurite. */
export function useBlobAnchorContainer(directory: string, container: string): BlobAnchorContainer {
  const ctx = {} as BlobAnchorContainer;
  useEmulator({ application: { directory }, onStarted: ({ emu, app }) => Object.assign(ctx, { emu, app }) });
  useAzurite({ onStarted: (azurite) => (ctx.azurite = azurite) });
  beforeAll(async () => {
    ctx.credential = certificateCredential(ctx.emu, ctx.app);
    ctx.containerUrl = `${ctx.azurite.accountUrl}/${container}`;
    await new ContainerClient(ctx.containerUrl, ctx.credential, {
      tlsOptions: { ca: ctx.azurite.caCertificatePem },
    } as StoragePipelineOptions).createIfNotExists();
  });
  return ctx;
}
