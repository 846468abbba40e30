// Certificate rotation while requests run: the PEM file is replaced, later tokens are signed with the new
// certificate without a restart, the audit log shows the new thumbprint, and no request fails in between.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../src/index.js";
import type { Emulator } from "../../src/emulator/index.js";
import { createCertificate, startEmulator } from "../../src/emulator/index.js";

let emu: Emulator;
let dir: string;
beforeAll(async () => {
  emu = await startEmulator({ tokenLifetimeSeconds: 2 });
  dir = mkdtempSync(join(tmpdir(), "acs-rotation-"));
});
afterAll(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("certificate rotation", () => {
  it("follows a replaced PEM file without restart and without failed requests", async () => {
    const app = await emu.createTestApplication({ directory: dir });
    const next = await createCertificate();
    emu.addApplicationCertificate(app.clientId, next.certificatePem); // Entra allows both during the overlap
    const auditFile = join(dir, "audit.log");
    const factory = new AcsClientFactory({
      endpoint: emu.endpoint,
      tenantId: emu.tenantId,
      clientId: app.clientId,
      certificate: { path: app.certificatePath },
      authorityHost: emu.authorityHost,
      disableInstanceDiscovery: true,
      allowedHosts: ["127.0.0.1"],
      clientOptions: { tlsOptions: { ca: emu.caCertificatePem } },
      audit: { destination: auditFile },
    });
    const sms = factory.createSmsClient();
    let failures = 0;
    let sent = 0;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        await Promise.all(
          Array.from({ length: 5 }, () =>
            sms.send({ from: "+14255550100", to: ["+14255550123"], message: "rotation" }).then(
              () => sent++,
              () => failures++,
            ),
          ),
        );
        await sleep(20);
      }
    })();
    await sleep(2500);
    // Replace the file atomically, as a secret store or cert-manager does.
    const tmp = join(dir, "next.pem");
    writeFileSync(tmp, next.pem, { mode: 0o600 });
    renameSync(tmp, app.certificatePath);
    await sleep(4500);
    stop = true;
    await load;
    await factory.close();

    expect(failures).toBe(0);
    expect(sent).toBeGreaterThan(50);
    const tokenRequests = emu.requests.filter((r) => r.clientId === app.clientId && r.path.endsWith("/token") && r.status === 200);
    expect(tokenRequests[0]?.certificateThumbprint).toBe(app.thumbprint);
    expect(tokenRequests.at(-1)?.certificateThumbprint).toBe(next.thumbprint);
    const records = readFileSync(auditFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: { action: string; outcome: string }; principal?: { certificateThumbprint?: string } });
    const rotate = records.find((r) => r.event.action === "credential.rotate");
    expect(rotate).toMatchObject({ event: { outcome: "success" }, principal: { certificateThumbprint: next.thumbprint } });
    expect(records.filter((r) => r.event.action === "request").at(-1)?.principal?.certificateThumbprint).toBe(next.thumbprint);
  });

  it("keeps the working certificate when the replacement is broken, and audits the failure", async () => {
    const app = await emu.createTestApplication({ directory: dir });
    const auditFile = join(dir, "audit-broken.log");
    const factory = new AcsClientFactory({
      endpoint: emu.endpoint,
      tenantId: emu.tenantId,
      clientId: app.clientId,
      certificate: { path: app.certificatePath },
      authorityHost: emu.authorityHost,
      disableInstanceDiscovery: true,
      allowedHosts: ["127.0.0.1"],
      clientOptions: { tlsOptions: { ca: emu.caCertificatePem } },
      audit: { destination: auditFile },
    });
    const sms = factory.createSmsClient();
    await sms.send({ from: "+14255550100", to: ["+14255550123"], message: "before" });
    writeFileSync(app.certificatePath, "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
    await sleep(2200); // the token expires: the next request needs a new one
    const [result] = await sms.send({ from: "+14255550100", to: ["+14255550123"], message: "after" });
    expect(result?.successful).toBe(true);
    await factory.close();
    const records = readFileSync(auditFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { event: { action: string; outcome: string }; error?: { code?: string } });
    expect(records.find((r) => r.event.action === "credential.rotate")).toMatchObject({ event: { outcome: "failure" }, error: { code: "CERTIFICATE_INVALID" } });
  });
});
