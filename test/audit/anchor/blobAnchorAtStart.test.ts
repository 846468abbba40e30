/* eslint-disable @typescript-eslint/no-unsafe-return -- tests read parsed JSON records */
/**
 * Issue 23 item 3 for the blob anchor, written as the attack: the attacker cuts the file's tail back to a checkpoint and
 * lets the app restart with the same append blob (Azurite, HTTPS, the app's own certificate through the real
 * AcsClientFactory). The restarted writer must read the blob's end, start a new segment whose signed `log.open` names
 * the break, and verify-log must report the missing stretch. Controls: an honest restart verifies intact. And the
 * blob that cannot be read at start (Azurite stopped, a 403, a storage that never answers, a hostile one that streams
 * without end): the documented behaviour, within the documented bound and timeout.
 */
import type { ClientCertificateCredential } from "@azure/identity";
import { execFile, execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { Server } from "node:net";
import { createServer as createTcpServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../../packages/acs-baseline/src/index.js";
import type { AuditOptions } from "../../../packages/acs-baseline/src/audit/write/recorder.js";
import { openAuditRecorder } from "../../../packages/acs-baseline/src/audit/write/recorder.js";
import { verifyLog } from "../../../packages/acs-baseline/src/audit/verify/verifyLog.js";
import { readAnchorLines } from "../../../packages/acs-baseline/src/audit/write/anchor/readBlobAnchor.js";
import { defaultAnchorBlobName } from "../../../packages/acs-baseline/src/audit/write/anchor/blobClient.js";
import { ANCHOR_START_TIMEOUT_MS } from "../../../packages/acs-baseline/src/audit/write/anchorAtStart.js";
import { MAX_WAITING_AT_START } from "../../../packages/acs-baseline/src/audit/write/sharedLog.js";
import type { Emulator, TestApplication } from "../../../packages/emulator/src/index.js";
import { ACS_SCOPE, emulatorFactoryOptions } from "../../../packages/emulator/src/index.js";
import { createServerTls } from "../../../packages/emulator/src/certificates.js";
import type { Rec } from "../../support/auditRecords.js";
import { parse, readRecords, REQUEST } from "../../support/auditRecords.js";
import type { Azurite } from "../../support/azurite.js";
import { tempDir } from "../../support/tempDir.js";
import { useBlobAnchorContainer } from "../../support/blobAnchorContainer.js";

const dir = tempDir("acs-anchor-start-");
const keyDir = tempDir("acs-anchor-start-key-");
const BIN = join(__dirname, "../../../packages/cli/dist/esm/bin.js");
const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const PRIVATE_PEM = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const PUBLIC_PEM = publicKey.export({ type: "spki", format: "pem" }).toString();
const SMS = { from: "+14255550100", to: ["+14255550123"], message: "anchored at start" };
const CONTAINER = "audit-anchor-start";
const pubPath = join(keyDir, "audit.pub.pem");
writeFileSync(pubPath, PUBLIC_PEM);

let emu: Emulator;
let app: TestApplication;
let azurite: Azurite;
let credential: ClientCertificateCredential;
let containerUrl: string;

const anchorSetup = useBlobAnchorContainer(dir, CONTAINER);
beforeAll(() => ({ emu, app, azurite, credential, containerUrl } = anchorSetup));

/** Signed audit to `log`, anchored to `blobName` in Azurite (or to `container` elsewhere), a checkpoint every 4. */
const audit = (
  log: string,
  blobName: string,
  container: { url: string; ca: string } = { url: containerUrl, ca: azurite.caCertificatePem },
): AuditOptions => ({
  destination: log,
  signing: { privateKey: PRIVATE_PEM, keyId: "start" },
  checkpoint: { everyRecords: 4, everyMs: 60_000 },
  anchor: {
    blob: { containerUrl: container.url, blobName, allowedHosts: ["127.0.0.1"], tlsOptions: { ca: container.ca } },
  },
});

/** The same options, with a blob anchor whose close() waits 500 ms for storage that fails (not 10 s). */
function quickClose(options: AuditOptions): AuditOptions {
  Object.assign(options.anchor?.blob ?? {}, { flushTimeoutMs: 500 }); // a member of the blob anchor's own options
  return options;
}

/** A factory (the app) writing `audit`; sends `count` SMS and closes. */
async function appRun(options: AuditOptions, count: number): Promise<void> {
  const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { audit: options }));
  const sms = factory.createSmsClient();
  for (let i = 0; i < count; i++) await sms.send(SMS);
  await factory.close();
}

const readBlob = (blobName: string): Promise<string[]> =>
  readAnchorLines(`${containerUrl}/${blobName}`, {
    credential,
    allowedHosts: ["127.0.0.1"],
    tlsOptions: { ca: azurite.caCertificatePem },
  });
const fileLines = (log: string): string[] => readFileSync(log, "utf8").trimEnd().split("\n");
const text = (lines: string[]): string => lines.map((l) => `${l}\n`).join("");
const opens = (log: string): Rec[] => readRecords(log).filter((r) => r.event?.action === "log.open");

/** The built CLI, `verify-log LOG --public-key --anchor <blob URL>`, with the app's certificate in the environment. */
async function verifyCli(log: string, blobName: string): Promise<{ code: number; out: string }> {
  const caFile = join(keyDir, "cas.pem");
  writeFileSync(caFile, `${emu.caCertificatePem.trimEnd()}\n${azurite.caCertificatePem.trimEnd()}\n`);
  const env = {
    PATH: process.env.PATH ?? "",
    AZURE_TENANT_ID: emu.tenantId,
    AZURE_CLIENT_ID: app.clientId,
    AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath,
    AZURE_AUTHORITY_HOST: emu.authorityHost,
    AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: new URL(emu.authorityHost).hostname,
    NODE_EXTRA_CA_CERTS: caFile,
  };
  const args = [BIN, "verify-log", log, "--public-key", pubPath, "--anchor", `${containerUrl}/${blobName}`];
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [...args, "--anchor-allowed-host", "127.0.0.1"], {
      env,
      timeout: 60_000,
    });
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

/** Cuts `log` back to its first checkpoint (what is left is sealed: the key alone sees nothing wrong). */
function cutToFirstCheckpoint(log: string): Rec {
  const lines = fileLines(log);
  const cutAt = lines.findIndex((l) => parse(l).event?.action === "log.checkpoint") + 1;
  writeFileSync(log, text(lines.slice(0, cutAt)));
  return parse(lines[cutAt - 1]);
}

describe("the blob anchor is read at start (issue 23 item 3), against Azurite with the app's own certificate", () => {
  it("cut the tail back to a checkpoint, let the app restart and append: the writer names the break, the verifier the missing stretch", async () => {
    const log = join(dir, "cut-restart.log");
    const blobName = "start/cut-restart.jsonl";
    await appRun(audit(log, blobName), 10);
    expect((await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: await readBlob(blobName) })).status).toBe(
      "intact",
    );
    const fileEnd = cutToFirstCheckpoint(log);
    expect((await verifyLog(log, { publicKey: PUBLIC_PEM })).status).toBe("intact");
    const anchorHead = parse((await readBlob(blobName)).at(-1)!);
    expect(anchorHead.seq).toBeGreaterThan(fileEnd.seq);
    // the app restarts with its own certificate, key and blob, and writes honestly
    await appRun(audit(log, blobName), 5);
    const open = opens(log).find((r) => r.log.reason === "anchor-ahead");
    expect(open?.level).toBe("warn");
    expect(open?.log).toMatchObject({
      anchor: { seq: anchorHead.seq, hash: anchorHead.hash },
      fileEnd: { seq: fileEnd.seq, hash: fileEnd.hash },
    });
    expect(open?.seq).toBe((anchorHead.seq as number) + 1);
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: await readBlob(blobName) });
    expect(v.status, v.reasons.join()).toBe("incomplete");
    expect(v.reasons.join()).toMatch(
      new RegExp(
        `records ${(fileEnd.seq as number) + 1}–${anchorHead.seq as number} are missing from the file: when the writer started again`,
      ),
    );
    // no later line rewrites the anchor's history: the restarted writer's seqs come after the anchor's head
    expect(v.reasons.join()).not.toMatch(/rewritten by a later append/);
    const cli = await verifyCli(log, blobName); // as an operator runs it, reading the blob with its own credential
    expect(cli.code, cli.out).toBe(1);
    expect(cli.out).toMatch(/^INCOMPLETE: /);
    expect(cli.out).toMatch(/records \d+–\d+ are missing from the file/);
  }, 90_000);

  it("delete the log and let the app start again against the same blob: incomplete, the erased log named (was intact)", async () => {
    const log = join(dir, "erased.log");
    const blobName = "start/erased.jsonl";
    await appRun(audit(log, blobName), 8);
    const erased = opens(log)[0].log.id as string;
    rmSync(log);
    await appRun(audit(log, blobName), 3); // a new log id, honestly signed and anchored
    expect(opens(log)[0].log.id).not.toBe(erased);
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: await readBlob(blobName) });
    expect(v.status, v.reasons.join()).toBe("incomplete");
    expect(v.reasons.join()).toContain(`the anchor also holds 1 other log besides this one: log id ${erased}`);
    const cli = await verifyCli(log, blobName);
    expect(cli.code, cli.out).toBe(1);
    expect(cli.out).toMatch(/^INCOMPLETE: /);
  }, 90_000);

  it("two logs of one host with the default blob name get a blob each, named after the file, and each verifies intact", async () => {
    const logs = ["orders.log", "billing.log"].map((name) => join(dir, name));
    for (const log of logs) {
      const options = audit(log, "unused");
      delete options.anchor?.blob?.blobName; // the default: acs-audit/<host>/<audit file>.jsonl
      await appRun(options, 5);
    }
    for (const log of logs) {
      const blobName = defaultAnchorBlobName(log);
      expect(blobName).toMatch(/^acs-audit\/[^/]+\/(orders|billing)\.jsonl$/);
      const v = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: await readBlob(blobName) });
      expect(v.status, `${blobName}: ${v.reasons.join()}`).toBe("intact");
    }
  }, 90_000);

  it("control: an honest restart against the same blob is a plain restart, and verifies intact", async () => {
    const log = join(dir, "honest.log");
    const blobName = "start/honest.jsonl";
    await appRun(audit(log, blobName), 6);
    await appRun(audit(log, blobName), 6);
    expect(opens(log).map((r) => r.log.reason)).toEqual(["start", "restart"]);
    expect(opens(log)[1].log.anchorUnread).toBeUndefined();
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: await readBlob(blobName) });
    expect(v.status, v.reasons.join()).toBe("intact");
  }, 90_000);
});

describe("the blob cannot be read at start: the writer continues from the file and says why in log.open", () => {
  it("Azurite stopped: log.anchorUnread names the error, requests go on; a cut hidden that way is still caught when the blob is back (rewritten by a later append)", async () => {
    const log = join(dir, "down.log");
    const blobName = "start/down.jsonl";
    await appRun(audit(log, blobName), 10);
    const fileEnd = cutToFirstCheckpoint(log);
    await azurite.stop();
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { audit: audit(log, blobName) }));
    try {
      const sms = factory.createSmsClient();
      for (let i = 0; i < 5; i++) await sms.send(SMS); // the outage blocks no request
    } finally {
      await azurite.start();
    }
    await factory.close();
    const restart = opens(log)[1];
    expect(restart.log.reason).toBe("restart");
    expect(restart.log.anchorUnread).toMatch(/^(ECONNREFUSED|ECONNRESET|REQUEST_SEND_ERROR)$/);
    expect(restart.seq).toBe((fileEnd.seq as number) + 1); // the chain continued from the file
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: await readBlob(blobName) });
    expect(v.status).toBe("tampered");
    expect(v.reasons.join("\n")).toMatch(/anchor seq \d+ rewritten by a later append/);
  }, 120_000);

  it("a 403 (a token for another audience): log.anchorUnread is AuthenticationFailed, nothing secret in the log", async () => {
    const log = join(dir, "forbidden.log");
    const blobName = "start/forbidden.jsonl";
    await appRun(audit(log, blobName), 6);
    const acsOnly = { getToken: () => credential.getToken(ACS_SCOPE) };
    const recorder = openAuditRecorder(quickClose(audit(log, blobName)), { credential: () => acsOnly });
    recorder.write(REQUEST(1));
    await recorder.close();
    const restart = opens(log)[1];
    expect(restart.log).toMatchObject({ reason: "restart", anchorUnread: "AuthenticationFailed" });
    expect(readFileSync(log, "utf8")).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}|BEGIN|PRIVATE/);
  }, 60_000);
});

/** A local server in place of storage; closed after `body`. */
async function withServer<T>(server: Server, body: (url: string) => Promise<T>): Promise<T> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    return await body(`https://127.0.0.1:${port}/devstoreaccount1/hostile`);
  } finally {
    server.close();
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  }
}

/** An existing log (written with a file anchor), then a restart whose blob anchor is at `url`: its log.open, time. */
async function restartAgainst(url: string, ca: string, count = 3): Promise<{ open: Rec; ms: number; records: Rec[] }> {
  const log = join(dir, `hostile-${Date.now()}.log`);
  const first = openAuditRecorder({ ...audit(log, "x.jsonl"), anchor: { file: { path: `${log}.anchor` } } }, undefined);
  first.write(REQUEST(0));
  await first.close();
  const started = Date.now();
  const options = quickClose(audit(log, "hostile.jsonl", { url, ca }));
  const recorder = openAuditRecorder(options, { credential: () => credential });
  for (let i = 1; i <= count; i++) recorder.write(REQUEST(i));
  await recorder.close();
  const records = readRecords(log);
  return { open: opens(log)[1], ms: Date.now() - started, records };
}

describe("a storage that does not behave: the start stays bounded in time and memory", () => {
  it(`never answers (TLS never completes): given up after ${ANCHOR_START_TIMEOUT_MS} ms, ANCHOR_READ_TIMEOUT; the records waited and are all there, in order`, async () => {
    const silent = createTcpServer(() => undefined); // accepts, never speaks
    const { open, ms, records } = await withServer(silent, (url) => restartAgainst(url, azurite.caCertificatePem));
    expect(open.log).toMatchObject({ reason: "restart", anchorUnread: "ANCHOR_READ_TIMEOUT" });
    expect(ms).toBeGreaterThanOrEqual(ANCHOR_START_TIMEOUT_MS - 100);
    expect(ms).toBeLessThan(ANCHOR_START_TIMEOUT_MS + 15_000); // plus close()'s bounded flush of the dead anchor
    const after = records.filter((r) => (r.seq as number) > (open.seq as number));
    expect(after.filter((r) => r.event?.action === "request").map((r) => r.http.path)).toEqual([
      "/sms/1",
      "/sms/2",
      "/sms/3",
    ]);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1)); // one chain, nothing lost or reordered
  }, 60_000);

  it(`never answers, and more than ${MAX_WAITING_AT_START} records arrive meanwhile: the start is given up at once (ANCHOR_READ_QUEUE_FULL), nothing lost`, async () => {
    const silent = createTcpServer(() => undefined);
    const count = MAX_WAITING_AT_START + 100;
    const { open, ms, records } = await withServer(silent, (url) =>
      restartAgainst(url, azurite.caCertificatePem, count),
    );
    expect(open.log).toMatchObject({ reason: "restart", anchorUnread: "ANCHOR_READ_QUEUE_FULL" });
    expect(ms).toBeLessThan(ANCHOR_START_TIMEOUT_MS); // it did not wait for the timeout
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    const paths = records.filter((r) => r.event?.action === "request").map((r) => r.http.path as string);
    expect(paths.length).toBe(count + 1);
    expect(paths.at(-1)).toBe(`/sms/${count}`);
  }, 60_000);

  /**
   * A storage server following the blob REST shape just enough: every HEAD says the blob exists (the first part only,
   * or every roll part: `endlessParts`) and is 10 GiB; every GET ignores the range and sends the whole 10 GiB.
   */
  async function hostileStorage(
    endlessParts: boolean,
  ): Promise<{ server: Server; streamed: () => number; ca: string }> {
    const tls = await createServerTls();
    let streamed = 0;
    const server = createHttpsServer({ key: tls.serverKeyPem, cert: tls.serverCertificatePem }, (req, res) => {
      const exists = endlessParts || !/\.jsonl\.\d+$/.test(new URL(req.url ?? "/", "https://x").pathname);
      if (req.method === "HEAD") {
        res.writeHead(exists ? 200 : 404, {
          "content-length": String(exists ? 10 * 2 ** 30 : 0),
          "x-ms-blob-type": "AppendBlob",
          ...(exists ? {} : { "x-ms-error-code": "BlobNotFound" }),
        });
        res.end();
        return;
      }
      if (req.method !== "GET") {
        res.writeHead(403, { "x-ms-error-code": "AuthorizationFailure" });
        res.end();
        return;
      }
      // the whole blob, whatever range was asked for (200, not 206), and it never ends
      res.writeHead(200, {
        "content-length": String(10 * 2 ** 30),
        etag: '"0x8DD0000000000000"',
        "x-ms-blob-type": "AppendBlob",
        "content-type": "application/x-ndjson",
      });
      const chunk = Buffer.alloc(1 << 20, "x");
      const pump = (): void => {
        while (!res.destroyed && streamed < 2 ** 31) {
          streamed += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
      };
      pump();
    });
    return { server, streamed: () => streamed, ca: tls.caCertificatePem };
  }

  it("claims a 10 GiB blob and streams without end, ignoring the range: at most the 4 MiB tail is read, no hang", async () => {
    const hostile = await hostileStorage(false);
    const rssBefore = process.memoryUsage().rss;
    const { open, ms } = await withServer(hostile.server, (url) => restartAgainst(url, hostile.ca));
    // 4 MiB of garbage hold no checkpoint of this log: the chain continues from the file
    expect(open.log.reason).toBe("restart");
    expect(open.log.anchorUnread).toBeUndefined(); // read, and in time: not given up
    expect(ms).toBeLessThan(ANCHOR_START_TIMEOUT_MS + 5_000);
    expect(hostile.streamed()).toBeGreaterThan(0); // the tail was asked for
    expect(hostile.streamed()).toBeLessThan(64 * 2 ** 20); // and the download cut off (socket buffers aside)
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(128 * 2 ** 20);
  }, 60_000);

  it("claims roll parts without end: the start gives up at the timeout (ANCHOR_READ_TIMEOUT)", async () => {
    const hostile = await hostileStorage(true);
    const { open, ms } = await withServer(hostile.server, (url) => restartAgainst(url, hostile.ca));
    expect(open.log).toMatchObject({ reason: "restart", anchorUnread: "ANCHOR_READ_TIMEOUT" });
    expect(ms).toBeLessThan(ANCHOR_START_TIMEOUT_MS + 5_000);
  }, 60_000);
});

describe("the process exits while the blob anchor is being read at start", () => {
  it("process.exit() at once: the exit hook writes the log.open (ANCHOR_READ_ABANDONED) and every record, one chain", async () => {
    const log = join(dir, "exit-at-start.log");
    const blobName = "start/exit.jsonl";
    await appRun(audit(log, blobName), 6);
    const dist = join(__dirname, "../../../packages/acs-baseline/dist/esm/index.js");
    // The built package, as an app uses it; the anchor's own read has not even begun when the process exits.
    const child = `
      import { createAuditRecorder } from ${JSON.stringify(dist)};
      const r = createAuditRecorder(${JSON.stringify(audit(log, blobName))});
      for (let i = 0; i < 3; i++) r.write({ action: "request", outcome: "success", controls: ["LT-4"], client: "SmsClient",
        http: { method: "POST", path: "/sms/exit-" + i, status: 202, durationMs: 1 } });
      process.exit(0);`;
    execFileSync(process.execPath, ["--input-type=module", "-e", child], { timeout: 30_000 });
    const restart = opens(log).at(-1)!;
    expect(restart.log).toMatchObject({ reason: "restart", anchorUnread: "ANCHOR_READ_ABANDONED" });
    const records = readRecords(log);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    const after = records.filter((r) => (r.seq as number) > (restart.seq as number));
    expect(after.at(-1)?.event.action).toBe("log.checkpoint"); // the exit hook seals it (an in-process key)
    expect(after.filter((r) => r.event.action === "request").map((r) => r.http.path)).toEqual([
      "/sms/exit-0",
      "/sms/exit-1",
      "/sms/exit-2",
    ]);
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: await readBlob(blobName) });
    expect(v.status, v.reasons.join()).not.toBe("tampered");
  }, 60_000);
});

describe("a reopen while the start waits for the blob", () => {
  it("logrotate moves the file and asks for a reopen during the wait: the reopen happens after it, the path gets a new file", async () => {
    const silent = createTcpServer(() => undefined);
    await withServer(silent, async (url) => {
      const log = join(dir, `reopen-wait-${Date.now()}.log`);
      const first = openAuditRecorder(
        { ...audit(log, "x.jsonl"), anchor: { file: { path: `${log}.anchor` } } },
        undefined,
      );
      first.write(REQUEST(0));
      await first.close();
      const options = quickClose(audit(log, "hostile.jsonl", { url, ca: azurite.caCertificatePem }));
      const recorder = openAuditRecorder(options, { credential: () => credential });
      recorder.write(REQUEST(1));
      renameSync(log, `${log}.1`);
      const reopened = recorder.reopen();
      recorder.write(REQUEST(2));
      await reopened;
      recorder.write(REQUEST(3));
      await recorder.close();
      expect(existsSync(log)).toBe(true);
      const moved = readRecords(`${log}.1`).filter((r) => r.event?.action === "request");
      expect(moved.map((r) => r.http.path)).toEqual(["/sms/0", "/sms/1", "/sms/2"]);
      const opens = readRecords(log).filter((r) => r.event?.action === "log.open");
      expect(opens[0]?.log).toMatchObject({ reason: "reopen" });
      expect(
        readRecords(log)
          .filter((r) => r.event?.action === "request")
          .map((r) => r.http.path),
      ).toEqual(["/sms/3"]);
    });
  }, 60_000);
});
