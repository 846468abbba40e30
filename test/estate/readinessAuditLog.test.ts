/**
 * `readiness --audit-log FILE…`: this app's own evidence. Audit logs written by a real AcsClientFactory (key
 * refusals it recorded while a real SmsClient talked to the emulator), verified by the runtime's verifier; key
 * refusals grouped by code and client; a tampered log reported (never trusted past its first problem); a missing file
 * exits 2 before ARM is asked; nothing changes the Activity Log verdict or its exit code; no secret is printed.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, linkSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AzureKeyCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import pino from "pino";
import { beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory, createAuditRecorder } from "../../packages/acs-baseline/src/index.js";
import { createReadinessCommand } from "../../packages/cli/src/commands/readiness.js";
import type { ReadinessOptions } from "../../packages/cli/src/estate/readiness.js";
import { checkReadiness } from "../../packages/cli/src/estate/readiness.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { estateSessionOptions, runEstateCommand } from "../support/estateSession.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
const dir = tempDir("acs-readiness-audit-");
/** Planted in every key the app offers: must never be printed. */
const SECRET = `CANARY${randomBytes(18).toString("base64url")}`;
const CONNECTION_STRING = `endpoint=https://contoso.communication.azure.com/;accesskey=${SECRET}`;
/** One app's log (a file) and another's (a directory of rotated files). */
const orders = join(dir, "orders.log");
const billingDir = join(dir, "billing");

useEmulator({ application: { directory: dir }, onStarted: (started) => ({ emu, app } = started) });

const options = (auditLogs?: string[]): ReadinessOptions => ({
  resourceId: emu.arm.resourceId,
  ...estateSessionOptions(emu, app),
  ...(auditLogs !== undefined ? { auditLogs } : {}),
});

async function run(args: string[]) {
  const result = await runEstateCommand(
    createReadinessCommand,
    { emu, app, cwd: dir, resourceId: emu.arm.resourceId },
    args,
  );
  for (const text of [result.out, result.err]) expect(text).not.toContain(SECRET.slice(6, 20));
  return result;
}

/** The careless app: a connection string for its SmsClient, and a policy that signs requests with the key. */
async function writeOrdersLog(): Promise<void> {
  const audit = { destination: orders };
  expect(
    () => new AcsClientFactory(emulatorFactoryOptions(emu, app, { endpoint: "http://contoso.example", audit })),
  ).toThrow(expect.objectContaining({ code: "INSECURE_ENDPOINT" })); // refused, but not a key refusal
  const hmac: PipelinePolicy = {
    name: "hmac-from-an-old-sample",
    sendRequest: (request, next) => {
      request.headers.set("authorization", `HMAC-SHA256 SignedHeaders=host&Signature=${SECRET}`);
      return next(request);
    },
  };
  const factory = new AcsClientFactory(
    emulatorFactoryOptions(emu, app, {
      clientOptions: {
        tlsOptions: { ca: emu.caCertificatePem },
        retryOptions: { maxRetries: 0 },
        additionalPolicies: [{ policy: hmac, position: "perRetry" }],
      },
      audit,
    }),
  );
  expect(() => factory.createSmsClient({ connectionString: CONNECTION_STRING } as never)).toThrow(
    expect.objectContaining({ code: "CONNECTION_STRING_REFUSED" }),
  );
  const sms = factory.createSmsClient();
  const acsBefore = emu.stats.acsRequests;
  for (let i = 0; i < 2; i++)
    await expect(sms.send({ from: "+14255550100", to: ["+14255550123"], message: "never sent" })).rejects.toThrow(
      expect.objectContaining({ code: "KEY_AUTH_BLOCKED" }),
    );
  expect(emu.stats.acsRequests).toBe(acsBefore); // the key never reached ACS
  await factory.close();
}

/** Another app, rotated once (renamed, then reopened): a key credential before, a connection string after. */
async function writeBillingLogs(): Promise<void> {
  mkdirSync(billingDir);
  const destination = join(billingDir, "billing.log");
  const recorder = createAuditRecorder({ destination }); // the app's own recorder: factories share its chain
  recorder.write({ action: "client.create", outcome: "success", controls: ["IM-1"], client: "EmailClient" });
  expect(
    () =>
      new AcsClientFactory({
        ...emulatorFactoryOptions(emu, app, { audit: { destination } }),
        certificate: undefined,
        credential: new AzureKeyCredential(SECRET) as never,
      }),
  ).toThrow(expect.objectContaining({ code: "KEY_CREDENTIAL_REFUSED" }));
  renameSync(destination, `${destination}.1`);
  await recorder.reopen();
  expect(
    () =>
      new AcsClientFactory(emulatorFactoryOptions(emu, app, { endpoint: CONNECTION_STRING, audit: { destination } })),
  ).toThrow(expect.objectContaining({ code: "CONNECTION_STRING_REFUSED" }));
  await recorder.close();
}

beforeAll(async () => {
  emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "subscription" });
  await writeOrdersLog();
  await writeBillingLogs();
  for (const f of [orders, join(billingDir, "billing.log"), join(billingDir, "billing.log.1")])
    expect(readFileSync(f, "utf8")).not.toContain(SECRET.slice(6, 20));
});

/**
 * A copy of the orders log with the line of the last KEY_AUTH_BLOCKED refusal (the `refuse` record, not the failed
 * `request` record after it) changed by `edit`, or removed.
 */
function tamperedCopy(name: string, edit: (line: string) => string | undefined): string {
  const lines = readFileSync(orders, "utf8").split("\n");
  const refusals = lines.flatMap((l, i) =>
    l.includes('"action":"refuse"') && l.includes('"KEY_AUTH_BLOCKED"') ? [i] : [],
  );
  const at = refusals.at(-1) ?? -1;
  expect(at).toBeGreaterThan(0);
  const edited = edit(lines[at]);
  if (edited === undefined) lines.splice(at, 1);
  else lines[at] = edited;
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n"));
  return path;
}

describe("checkReadiness with auditLogs", () => {
  it("groups the key refusals of several logs by code and client; the verdict stays the Activity Log's", async () => {
    const result = await checkReadiness(options([orders, billingDir]));
    expect(result.verdict).toBe("ready"); // nobody listed keys: the refused keys never reached ACS
    expect(result.appEvidence?.logs).toEqual([
      { file: orders, verdict: "intact", records: 11, reasons: [], warnings: [] },
      { file: billingDir, verdict: "intact", records: expect.any(Number) as number, reasons: [], warnings: [] },
    ]);
    const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as string;
    expect(result.appEvidence?.keyRefusals).toEqual([
      { code: "KEY_AUTH_BLOCKED", client: "SmsClient", count: 2, first: ISO, last: ISO },
      { code: "CONNECTION_STRING_REFUSED", count: 1, first: ISO, last: ISO },
      { code: "CONNECTION_STRING_REFUSED", client: "SmsClient", count: 1, first: ISO, last: ISO },
      { code: "KEY_CREDENTIAL_REFUSED", count: 1, first: ISO, last: ISO },
    ]);
    for (const r of result.appEvidence?.keyRefusals ?? []) {
      expect(r.first <= r.last).toBe(true);
      expect(r.first >= result.window.from && r.last <= result.window.to).toBe(true);
    }
    // Without audit logs, the document has no appEvidence member at all.
    expect(Object.keys(await checkReadiness(options()))).not.toContain("appEvidence");
  });

  it("counts only refusals inside the window", async () => {
    const result = await checkReadiness({ ...options([orders]), now: new Date(Date.now() - 86_400_000) });
    expect(result.appEvidence).toEqual({
      logs: [{ file: orders, verdict: "intact", records: 11, reasons: [], warnings: [] }],
      keyRefusals: [],
    });
  });

  it("an edited log is reported tampered, and nothing from its first problem on is counted", async () => {
    const edited = tamperedCopy("edited.log", (l) => l.replace('"SmsClient"', '"EmailClient"'));
    const result = await checkReadiness(options([edited]));
    const log = result.appEvidence?.logs[0];
    expect(log).toMatchObject({ file: edited, verdict: "tampered" });
    expect(log?.reasons.join(" ")).toMatch(/edited/);
    expect(
      log?.reasons.filter((r) => r.includes("edited")),
      "the first problem is reported once",
    ).toHaveLength(1);
    expect(result.appEvidence?.keyRefusals.map((r) => [r.code, r.client, r.count])).toEqual([
      ["CONNECTION_STRING_REFUSED", "SmsClient", 1],
      ["KEY_AUTH_BLOCKED", "SmsClient", 1],
    ]);
    expect(result.verdict).toBe("ready");
  });

  it("deleting a refusal to quieten the report shows as a tampered log", async () => {
    const removed = tamperedCopy("removed.log", () => undefined);
    const result = await checkReadiness(options([removed]));
    expect(result.appEvidence?.logs[0]).toMatchObject({ verdict: "tampered" });
    expect(result.appEvidence?.logs[0].reasons.join(" ")).toMatch(/removed/);
  });

  it("the evidence is kept when the Activity Log cannot be read (verdict unknown)", async () => {
    const stranger = await emu.createTestApplication();
    emu.arm.assignRole({ principalId: stranger.objectId, role: "Reader" }); // the resource only
    const result = await checkReadiness({
      ...options([orders]),
      clientId: stranger.clientId,
      certificate: { path: stranger.certificatePath },
    });
    expect(result.verdict).toBe("unknown");
    expect(result.appEvidence?.keyRefusals.length).toBeGreaterThan(0);
  });

  it("a missing file is an error naming it, before anything is asked of ARM", async () => {
    const before = emu.requests.length;
    await expect(checkReadiness(options([orders, join(dir, "missing.log")]))).rejects.toMatchObject({
      name: "AuditLogUnreadableError",
      code: "ENOENT",
    });
    expect(emu.requests.length).toBe(before);
  });
});

describe("acs-baseline readiness --audit-log", () => {
  it("text: a short section with the warning; the exit code stays the verdict's", async () => {
    const { code, out, err } = await run(["--audit-log", "orders.log", "--audit-log", "billing"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(/^READY: /);
    expect(out).toContain("orders.log: intact");
    expect(out).toContain("billing: intact");
    expect(out).toContain("warning: code in this app still tries key auth");
    expect(out).toMatch(/KEY_AUTH_BLOCKED \(SmsClient\): 2 refusals, \S+ \.\. \S+/);
    expect(out).toContain("KEY_CREDENTIAL_REFUSED: 1 refusal,");
  });

  it("json: appEvidence in acs-baseline/readiness/v1, files as given", async () => {
    const { code, out } = await run(["--format", "json", "--audit-log", "orders.log"]);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as Record<string, unknown>;
    expect(doc).toMatchObject({
      schema: "acs-baseline/readiness/v1",
      verdict: "ready",
      appEvidence: { logs: [{ file: "orders.log", verdict: "intact" }] },
    });
    const noLogs = JSON.parse((await run(["--format", "json"])).out) as Record<string, unknown>;
    expect(noLogs).not.toHaveProperty("appEvidence");
  });

  it("a tampered log is a clear warning, not a change of exit code", async () => {
    tamperedCopy("edited-cli.log", (l) => l.replace("KEY_AUTH_BLOCKED", "KEY_AUTH_ALLOWED"));
    const { code, out } = await run(["--audit-log", "edited-cli.log"]);
    expect(code).toBe(0);
    expect(out).toMatch(/warning: edited-cli\.log: TAMPERED, not vouched for beyond its first 8 records/);
    expect(out).toContain("    line 9 (seq 9): edited: the record's content does not match its hash");
  });

  it("a log whose tail was cut (no log.close) says so; the refusals before the cut still count", async () => {
    const lines = readFileSync(orders, "utf8").trimEnd().split("\n");
    writeFileSync(join(dir, "cut.log"), `${lines.slice(0, -3).join("\n")}\n`); // the last refusal, its request, log.close
    const { code, out } = await run(["--audit-log", "cut.log"]);
    expect(code).toBe(0);
    expect(out).toContain("cut.log: intact (8 records)");
    expect(out).toContain("    note: the log does not end with log.close");
    expect(out).toMatch(/KEY_AUTH_BLOCKED \(SmsClient\): 1 refusal,/);
  });

  it("the same log given twice is bad usage (it would count twice)", async () => {
    const twice = await run(["--audit-log", "orders.log", "--audit-log", "./orders.log"]);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain("is given twice");
    // Another name for the same file (a hard link) counts twice just the same.
    linkSync(orders, join(dir, "orders-link.log"));
    const linked = await run(["--audit-log", "orders.log", "--audit-log", "orders-link.log"]);
    expect(linked.code).toBe(2);
    expect(linked.err).toContain("orders-link.log is given twice");
  });

  it("--audit-log-logger: the app's pino output, its own lines skipped, its refusals counted", async () => {
    const path = join(dir, "app-pino.log");
    const dest = pino.destination({ dest: path, sync: true });
    const logger = pino({ base: { service: "orders" } }, dest);
    logger.info("app starting");
    expect(
      () => new AcsClientFactory(emulatorFactoryOptions(emu, app, { endpoint: CONNECTION_STRING, audit: { logger } })),
    ).toThrow(expect.objectContaining({ code: "CONNECTION_STRING_REFUSED" }));
    logger.info({ order: 42 }, "app line after the refusal");
    dest.flushSync();
    const strict = await run(["--format", "json", "--audit-log", "app-pino.log"]);
    expect(strict.code).toBe(0);
    expect(JSON.parse(strict.out)).toMatchObject({ appEvidence: { logs: [{ verdict: "tampered" }], keyRefusals: [] } });
    const lenient = await run(["--format", "json", "--audit-log", "app-pino.log", "--audit-log-logger"]);
    expect(lenient.code).toBe(0);
    expect(JSON.parse(lenient.out)).toMatchObject({
      appEvidence: {
        logs: [{ file: "app-pino.log", verdict: "intact" }],
        keyRefusals: [{ code: "CONNECTION_STRING_REFUSED", count: 1 }],
      },
    });
    expect((await run(["--audit-log-logger"])).code).toBe(2); // without --audit-log: bad usage
  });

  it("a missing file, an empty directory: exit 2 naming the file", async () => {
    const missing = await run(["--audit-log", "orders.log", "--audit-log", "nope.log"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("cannot read the audit log nope.log (ENOENT)");
    expect(missing.out).toBe("");
    mkdirSync(join(dir, "empty"));
    const empty = await run(["--audit-log", "empty"]);
    expect(empty.code).toBe(2);
    expect(empty.err).toContain("cannot read the audit log empty (ENOFILES)");
  });

  it("escapes control characters in a file name", async () => {
    copyFileSync(orders, join(dir, "evil\u001b[2J\u0007.log"));
    const { code, out } = await run(["--audit-log", "evil\u001b[2J\u0007.log"]);
    expect(code).toBe(0);
    // eslint-disable-next-line no-control-regex -- the point is to find raw control characters
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(out).toContain("evil");
    const missing = await run(["--audit-log", "gone\u001b[31m.log"]);
    expect(missing.code).toBe(2);
    expect(missing.err).not.toContain("\u001b");
  });
});
