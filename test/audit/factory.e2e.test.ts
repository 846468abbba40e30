/* eslint-disable @typescript-eslint/no-unsafe-return -- tests read parsed JSON records */

// End to end: the real AcsClientFactory (built dist, child process) against the emulator over TLS, with audit to a
// file. Asserts the exact records written: actions in order, principal, endpoint, clients, requests, controls,
// outcomes, chain, and that no secret, token, SMS text or full phone number reaches the file.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLog } from "../../packages/acs-baseline/src/audit/index.js";
import type { Rec } from "../support/auditRecords.js";
import { readRecords } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";

// The factory and the emulator are built in parallel with this file: the suite runs once both exist.
const emulatorModule = (await import("../../packages/emulator/src/index.js")) as Record<string, unknown>;
const built = existsSync(join(__dirname, "../../packages/acs-baseline/dist/esm/clients/index.js"))
  ? ((await import("../../packages/acs-baseline/dist/esm/index.js")) as Record<string, unknown>)
  : {};
const ready = typeof emulatorModule.startEmulator === "function" && typeof built.AcsClientFactory === "function";

interface TestApp {
  clientId: string;
  certificatePath: string;
  thumbprint: string;
}
interface Emulator {
  endpoint: string;
  authorityHost: string;
  tenantId: string;
  caCertificatePem: string;
  createTestApplication(o?: { roles?: string[] }): Promise<TestApp>;
  registerApplication(o: { clientId: string; secret?: string }): void;
  injectFault(spec: { side: "entra" | "acs"; path?: string | RegExp; status?: number; count?: number }): {
    remove(): void;
  };
  close(): Promise<void>;
}

const run = promisify(execFile);
const FIXTURE = join(__dirname, "fixtures", "factoryWriter.mjs");
const SMS_TEXT = "canary sms text 7f3a9c";
const dir = tempDir("acs-e2e-");
let emu: Emulator;
let app: TestApp;
let caFile: string;

async function drive(
  scenario: string,
  extra: Record<string, unknown> = {},
): Promise<{ out: Record<string, unknown>; records: Rec[]; path: string; raw: string }> {
  const auditPath = join(dir, `${scenario}.log`);
  const cfg = {
    scenario,
    endpoint: emu.endpoint,
    tenantId: emu.tenantId,
    authorityHost: emu.authorityHost,
    clientId: app.clientId,
    certificatePath: app.certificatePath,
    auditPath,
    smsText: SMS_TEXT,
    ...extra,
  };
  const { stdout } = await run(process.execPath, [FIXTURE, JSON.stringify(cfg)], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
    timeout: 60_000,
  });
  return {
    out: JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>,
    records: readRecords(auditPath),
    path: auditPath,
    raw: readFileSync(auditPath, "utf8"),
  };
}

const CONTROL = /^[A-Z]{2}-\d{1,2}$/;

describe.skipIf(!ready)("factory → audit log, end to end against the emulator", () => {
  beforeAll(async () => {
    emu = await (emulatorModule.startEmulator as (o?: object) => Promise<Emulator>)({});
    app = await emu.createTestApplication();
    caFile = join(dir, "ca.pem");
    writeFileSync(caFile, emu.caCertificatePem);
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("certificate flow: credential.resolve, client.create, token.acquire, request …, log.close — chained and secret-free", async () => {
    const { out, records, path, raw } = await drive("happy");
    expect(out.error).toBeUndefined();
    expect(out.sms).toBe(true);
    const host = new URL(emu.endpoint).host;
    const principal = {
      tenantId: emu.tenantId,
      clientId: app.clientId,
      credentialType: "certificate",
      certificateThumbprint: app.thumbprint,
    };
    for (const r of records) {
      expect(r.schema).toBe("acs-baseline.audit/1");
      expect(r.principal).toEqual(principal);
      expect(r.acs.endpoint).toBe(host);
      expect(r.baseline.controls.length).toBeGreaterThan(0);
      for (const c of r.baseline.controls) expect(c).toMatch(CONTROL);
    }
    // the exact records, in order (values that vary per run are matched by shape)
    const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const HEX = expect.stringMatching(/^[0-9a-f]{64}$/);
    const GUID = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const common = (seq: number) => ({
      schema: "acs-baseline.audit/1",
      seq,
      time: ISO,
      hash: HEX,
      prevHash: seq === 1 ? "0".repeat(64) : HEX,
      principal,
      level: "info",
    });
    const acs = (client?: string) => (client === undefined ? { endpoint: host } : { client, endpoint: host });
    const request = (seq: number, client: string, path: string, status: number) => ({
      ...common(seq),
      acs: acs(client),
      baseline: { controls: ["IM-1", "LT-4"] },
      event: { action: "request", category: "web", outcome: "success" },
      // The emulator answers with an MS-CV correlation vector, as ACS does.
      http: {
        method: "POST",
        path,
        status,
        requestId: GUID,
        correlationId: expect.stringMatching(/^[A-Za-z0-9+/]{22}\.0$/),
        durationMs: expect.any(Number),
      },
    });
    expect(records).toEqual([
      {
        ...common(1),
        acs: acs(),
        baseline: { controls: ["IM-1", "IM-3"] },
        certificate: { notAfter: ISO, daysRemaining: expect.any(Number) },
        // The emulator's authority is allow-listed, not Microsoft's: the record says so (issue 14 finding 9).
        event: {
          action: "credential.resolve",
          category: "authentication",
          outcome: "success",
          reason:
            "Authority localhost is not a Microsoft cloud login host; it is allowed by allowedAuthorityHosts and instance discovery is off.",
        },
      },
      {
        ...common(2),
        acs: acs("SmsClient"),
        baseline: { controls: ["IM-1", "DP-3"] },
        event: { action: "client.create", category: "configuration", outcome: "success" },
      },
      {
        ...common(3),
        acs: acs(),
        baseline: { controls: ["IM-1", "IM-3"] },
        event: { action: "token.acquire", category: "authentication", outcome: "success" },
        token: { expiresOn: ISO, scope: "https://communication.azure.com//.default" },
      },
      request(4, "SmsClient", "/sms", 202),
      {
        ...common(5),
        acs: acs("CommunicationIdentityClient"),
        baseline: { controls: ["IM-1", "DP-3"] },
        event: { action: "client.create", category: "configuration", outcome: "success" },
      },
      request(6, "CommunicationIdentityClient", "/identities", 201),
      {
        ...common(7),
        acs: acs(),
        baseline: { controls: ["LT-4"] },
        event: { action: "log.close", category: "audit", outcome: "success" },
        log: { firstSeq: 1, records: 6 },
      },
    ]);
    for (let i = 1; i < records.length; i++) expect(records[i].prevHash).toBe(records[i - 1].hash);
    // one token for both clients (the factory shares it), valid for about an hour
    const expires = Date.parse(records[2].token.expiresOn as string) - Date.parse(records[2].time as string);
    expect(expires).toBeGreaterThan(50 * 60_000);
    expect(await verifyLog(path)).toMatchObject({ intact: true, records: 7, closed: true, warnings: [] });
    // nothing secret in the file: no SMS text, no phone number, no ACS user token, no private key
    expect(raw).not.toContain(SMS_TEXT);
    expect(raw).not.toContain("4255550123");
    expect(raw).not.toContain("4255550100");
    expect(raw).not.toContain(String(out.userToken).slice(0, 40));
    expect(raw).not.toMatch(/PRIVATE KEY|eyJ[\w-]+\.eyJ/);
  });

  it("client-secret fallback is a warn record with credentialType secret, and the secret never appears", async () => {
    const secret = `Zq8Q~${"k9".repeat(17)}`;
    const clientId = randomUUID();
    emu.registerApplication({ clientId, secret });
    const { out, records, raw } = await drive("secret", { secret, clientId });
    expect(out.error).toBeUndefined();
    const resolve = records.find((r) => r.event.action === "credential.resolve")!;
    expect(resolve).toMatchObject({ level: "warn", principal: { credentialType: "secret", clientId } });
    expect(resolve.event.reason).toEqual(expect.any(String));
    expect(raw).not.toContain(secret);
    expect(raw).not.toContain("k9k9k9k9");
  });

  it("ACS 503 twice, then success: one record per attempt (two failures, then the success)", async () => {
    const fault = emu.injectFault({ side: "acs", path: "/sms", status: 503, count: 2 });
    try {
      const { out, records, path } = await drive("retry");
      expect(out).toEqual({ sms: true });
      const attempts = records.filter((r) => r.event.action === "request");
      expect(attempts.map((r) => [r.http.status, r.event.outcome, r.level, r.event.reason ?? null])).toEqual([
        [503, "failure", "error", "HTTP 503"],
        [503, "failure", "error", "HTTP 503"],
        [202, "success", "info", null],
      ]);
      // each attempt is its own request (a retry keeps the client request id)
      expect(new Set(attempts.map((r) => r.http.requestId)).size).toBeGreaterThanOrEqual(1);
      expect(await verifyLog(path)).toMatchObject({ intact: true, closed: true });
    } finally {
      fault.remove();
    }
  });

  it("Entra down: failed token.acquire records with a secret-free error (and no request reaches ACS)", async () => {
    const fault = emu.injectFault({ side: "entra", path: /token$/, status: 500 });
    try {
      const { out, records, raw } = await drive("entraDown");
      expect(out.failed).toEqual(expect.any(String));
      const tokens = records.filter((r) => r.event.action === "token.acquire");
      expect(tokens.length).toBeGreaterThanOrEqual(1);
      for (const t of tokens) {
        expect(t).toMatchObject({
          level: "error",
          event: { outcome: "failure", category: "authentication" },
          baseline: { controls: ["IM-1", "IM-3"] },
        });
        expect(t.error).toEqual(expect.objectContaining({ code: expect.any(String) }));
      }
      // the SDKs sign before their retry loop: without a token no HTTP attempt reaches ACS, so there is no request record
      expect(records.filter((r) => r.event.action === "request")).toEqual([]);
      expect(records.map((r) => r.event.action)).toEqual([
        "credential.resolve",
        "client.create",
        ...tokens.map(() => "token.acquire"),
        "log.close",
      ]);
      expect(raw).not.toMatch(/PRIVATE KEY|eyJ[\w-]+\.eyJ/);
    } finally {
      fault.remove();
    }
  });

  it("a 403 from ACS is a failure request record", async () => {
    const denied = await emu.createTestApplication({ roles: [] });
    const saved = app;
    app = denied;
    try {
      const { out, records } = await drive("forbidden");
      expect(out.status).toBe(403);
      const failed = records.filter((r) => r.event.action === "request");
      expect(failed[0]).toMatchObject({ level: "error", event: { outcome: "failure" }, http: { status: 403 } });
    } finally {
      app = saved;
    }
  });

  it("a refused connection string is a refuse record on disk, even without close(), and the key is not in it", async () => {
    const key = Buffer.alloc(64, 7).toString("base64");
    const { out, records, path, raw } = await drive("refuse", {
      connectionString: `endpoint=https://contoso.communication.azure.com/;accesskey=${key}`,
    });
    expect(out.code).toBe("CONNECTION_STRING_REFUSED");
    const refuse = records.find((r) => r.event.action === "refuse")!;
    expect(refuse).toMatchObject({
      level: "error",
      event: { outcome: "failure", category: "configuration" },
      error: { code: "CONNECTION_STRING_REFUSED" },
    });
    expect(refuse.baseline.controls).toContain("IM-1");
    expect(raw).not.toContain(key);
    expect(raw).not.toContain(key.slice(0, 16));
    const v = await verifyLog(path);
    expect(v.intact).toBe(true);
  });
});
