// Certificate rotation while requests run: the PEM file is replaced, later tokens are signed with the new
// certificate without a restart, the audit log shows the new thumbprint, and no request fails in between.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator } from "../../packages/emulator/src/index.js";
import { createCertificate, emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { readJsonLines } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
const dir = tempDir("acs-rotation-");
useEmulator({ emulator: { tokenLifetimeSeconds: 2 }, application: false, onStarted: (started) => ({ emu } = started) });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("certificate rotation", () => {
  it("follows a replaced PEM file without restart and without failed requests", async () => {
    const app = await emu.createTestApplication({ directory: dir });
    const next = await createCertificate();
    emu.addApplicationCertificate(app.clientId, next.certificatePem); // Entra allows both during the overlap
    const auditFile = join(dir, "audit.log");
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { audit: { destination: auditFile } }));
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
    const tokenRequests = emu.requests.filter(
      (r) => r.clientId === app.clientId && r.path.endsWith("/token") && r.status === 200,
    );
    expect(tokenRequests[0]?.certificateThumbprint).toBe(app.thumbprint);
    expect(tokenRequests.at(-1)?.certificateThumbprint).toBe(next.thumbprint);
    const records = readJsonLines<{
      event: { action: string; outcome: string };
      principal?: { certificateThumbprint?: string };
    }>(auditFile);
    const rotate = records.find((r) => r.event.action === "credential.rotate");
    expect(rotate).toMatchObject({
      event: { outcome: "success" },
      principal: { certificateThumbprint: next.thumbprint },
    });
    expect(records.filter((r) => r.event.action === "request").at(-1)?.principal?.certificateThumbprint).toBe(
      next.thumbprint,
    );
  });

  it("keeps the working certificate when the replacement is broken, and audits the failure", async () => {
    const app = await emu.createTestApplication({ directory: dir });
    const auditFile = join(dir, "audit-broken.log");
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { audit: { destination: auditFile } }));
    const sms = factory.createSmsClient();
    await sms.send({ from: "+14255550100", to: ["+14255550123"], message: "before" });
    writeFileSync(app.certificatePath, "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
    await sleep(2200); // the token expires: the next request needs a new one
    const [result] = await sms.send({ from: "+14255550100", to: ["+14255550123"], message: "after" });
    expect(result?.successful).toBe(true);
    await factory.close();
    const records = readJsonLines<{ event: { action: string; outcome: string }; error?: { code?: string } }>(auditFile);
    expect(records.find((r) => r.event.action === "credential.rotate")).toMatchObject({
      event: { outcome: "failure" },
      error: { code: "CERTIFICATE_INVALID" },
    });
  });

  it("a valid replacement that Entra does not know is proven first: refused, the old certificate stays, a failure with the Entra code (issue 14 finding 7)", async () => {
    const app = await emu.createTestApplication({ directory: dir });
    const unknown = await createCertificate(); // valid, but never registered with the application
    const auditFile = join(dir, "audit-unknown.log");
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { audit: { destination: auditFile } }));
    const sms = factory.createSmsClient();
    const send = async (message: string) =>
      (await sms.send({ from: "+14255550100", to: ["+14255550123"], message }))[0]?.successful;
    expect(await send("before")).toBe(true);
    const tmp = join(dir, "unknown.pem");
    writeFileSync(tmp, unknown.pem, { mode: 0o600 });
    renameSync(tmp, app.certificatePath);
    for (let i = 0; i < 3; i++) {
      await sleep(2200); // the token expires: the next request needs a new one
      expect(await send(`after ${i}`)).toBe(true);
    }
    await factory.close();
    const issued = emu.requests
      .filter((r) => r.clientId === app.clientId && r.path.endsWith("/token") && r.status === 200)
      .map((r) => r.certificateThumbprint);
    expect(issued.length).toBeGreaterThanOrEqual(4);
    expect(new Set(issued)).toEqual(new Set([app.thumbprint]));
    const records = readJsonLines<{
      event: { action: string; outcome: string; reason?: string };
      error?: { code?: string };
      principal?: { certificateThumbprint?: string };
    }>(auditFile);
    const rotations = records.filter((r) => r.event.action === "credential.rotate");
    expect(rotations).toHaveLength(1); // proven once per file version, not once per token
    expect(rotations[0]).toMatchObject({ event: { outcome: "failure" }, error: { code: "AADSTS700027" } });
    expect(rotations[0]?.event.reason).toContain("previous certificate stays in use");
    expect(records.filter((r) => r.event.action === "request").at(-1)?.principal?.certificateThumbprint).toBe(
      app.thumbprint,
    );
    expect(records.some((r) => r.event.action === "token.acquire" && r.event.outcome === "failure")).toBe(false);
  });

  it("encrypted keys rotate with the same password; an expired replacement is refused and the old certificate kept", async () => {
    const password = "rotation-pass-1";
    const app = await emu.createTestApplication({ directory: dir, password });
    const next = await createCertificate({ password });
    const expired = await createCertificate({
      notBefore: new Date(Date.now() - 9 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    emu.addApplicationCertificate(app.clientId, next.certificatePem);
    emu.addApplicationCertificate(app.clientId, expired.certificatePem);
    const auditFile = join(dir, "audit-encrypted.log");
    const factory = new AcsClientFactory(
      emulatorFactoryOptions(emu, app, {
        certificate: { path: app.certificatePath, password },
        audit: { destination: auditFile },
      }),
    );
    const sms = factory.createSmsClient();
    const send = async (message: string) =>
      (await sms.send({ from: "+14255550100", to: ["+14255550123"], message }))[0]?.successful;
    const replace = (pem: string) => {
      const tmp = join(dir, "replacement.pem");
      writeFileSync(tmp, pem, { mode: 0o600 });
      renameSync(tmp, app.certificatePath);
    };
    expect(await send("first")).toBe(true);
    replace(next.pem);
    await sleep(2200);
    expect(await send("rotated")).toBe(true);
    replace(expired.pem);
    await sleep(2200);
    expect(await send("kept")).toBe(true);
    await factory.close();
    const thumbprints = emu.requests
      .filter((r) => r.clientId === app.clientId && r.path.endsWith("/token") && r.status === 200)
      .map((r) => r.certificateThumbprint);
    expect(thumbprints[0]).toBe(app.thumbprint);
    expect(thumbprints).toContain(next.thumbprint);
    expect(thumbprints).not.toContain(expired.thumbprint);
    expect(thumbprints.at(-1)).toBe(next.thumbprint);
    const log = readFileSync(auditFile, "utf8");
    expect(log).not.toContain(password);
    const rotations = readJsonLines<{ event: { action: string; outcome: string }; error?: { code?: string } }>(
      auditFile,
    ).filter((r) => r.event.action === "credential.rotate");
    expect(rotations).toMatchObject([
      { event: { outcome: "success" } },
      { event: { outcome: "failure" }, error: { code: "CERTIFICATE_EXPIRED" } },
    ]);
  });
});
