/* eslint-disable @typescript-eslint/no-unsafe-return -- tests read parsed JSON records */
// Audit file handling (issue 14 finding 10, issue 15 items 4, 5, 7, 8): a full disk with onWriteError block/warn
// against the emulator, world-writable and symlinked destinations, one writer per file, foreign and torn tails,
// reopen/SIGHUP/size rotation verified as one chain, copytruncate detected, host loggers that would change records,
// and OpenTelemetry trace ids on request records.
import { execFile, execFileSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { createServer as createNetServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { BaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import { createAuditRecorder, verifyLog } from "../../packages/acs-baseline/src/audit/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { readRecords, REQUEST } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

const dir = tempDir("acs-files-");
const run = promisify(execFile);
const DIST = join(__dirname, "../../packages/acs-baseline/dist/esm/index.js");
const refusal = (f: () => unknown): BaselineViolationError | undefined => {
  try {
    f();
  } catch (e) {
    return e as BaselineViolationError;
  }
  return undefined;
};

let emu: Emulator;
let app: TestApplication;
useEmulator({ application: { directory: dir }, onStarted: (started) => ({ emu, app } = started) });
const SMS = { from: "+14255550100", to: ["+14255550123"], message: "hello" };

describe("onWriteError against a full disk (/dev/full), through the factory and the emulator", () => {
  it.skipIf(!existsSync("/dev/full"))(
    '"block" (the default): no SMS goes out while records cannot be written; AUDIT_WRITE_FAILED',
    async () => {
      const before = emu.smsMessages.length;
      const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { audit: { destination: "/dev/full" } }));
      const sms = factory.createSmsClient();
      const outcomes: unknown[] = [];
      for (let i = 0; i < 3; i++)
        outcomes.push(
          await sms.send(SMS).then(
            () => "sent",
            (e: unknown) => e,
          ),
        );
      await factory.close();
      expect(emu.smsMessages.length - before).toBe(0);
      for (const o of outcomes) expect(o).toMatchObject({ code: "AUDIT_WRITE_FAILED", control: "LT-4" });
    },
  );

  it.skipIf(!existsSync("/dev/full"))('"warn": requests go on, with a process warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? "");
    process.on("warning", onWarning);
    const before = emu.smsMessages.length;
    try {
      const factory = new AcsClientFactory(
        emulatorFactoryOptions(emu, app, { audit: { destination: "/dev/full", onWriteError: "warn" } }),
      );
      const sms = factory.createSmsClient();
      for (let i = 0; i < 3; i++) await sms.send(SMS);
      await factory.close();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.removeListener("warning", onWarning);
    }
    expect(emu.smsMessages.length - before).toBe(3);
    expect(warnings).toContain("ACS_BASELINE_AUDIT_WRITE_FAILED");
  });

  it('"block" recovers: once records can be written again (the full file rotated away), the held ones are written first and requests are allowed', async () => {
    // a real EFBIG from the kernel: the child runs under `ulimit -f 8` (8 KiB per file) with SIGXFSZ ignored
    const path = join(dir, "efbig.log");
    const { stdout } = await run("bash", [
      "-c",
      `trap '' XFSZ; ulimit -f 8; exec "${process.execPath}" "${join(__dirname, "fixtures", "fullDiskWriter.mjs")}" "${path}"`,
    ]);
    const out = JSON.parse(stdout.trim()) as { blockedAfter: number; blocked: boolean; blockedAfterFree: boolean };
    expect(out.blocked).toBe(true);
    expect(out.blockedAfter).toBeGreaterThan(5);
    expect(out.blockedAfterFree).toBe(false);
    const recs = [...readRecords(`${path}.1`), ...readRecords(path)];
    expect(recs.map((x) => x.seq)).toEqual(recs.map((_x, i) => i + 1)); // nothing lost
    expect(recs.filter((x) => x.acs?.client?.startsWith("C"))).toHaveLength(out.blockedAfter);
    expect(recs.at(-1)!.event.action).toBe("log.close");
    expect((await verifyLog([`${path}.1`, path])).status).toBe("intact");
  });
});

describe("the destination", () => {
  it("an existing world-writable file gets mode 0600, and a config.warning record says so", async () => {
    const path = join(dir, "ww.log");
    writeFileSync(path, "");
    chmodSync(path, 0o666);
    const r = createAuditRecorder({ destination: path });
    r.write(REQUEST(1));
    await r.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const w = readRecords(path).find((x) => x.event.action === "config.warning");
    expect(w?.event.reason).toMatch(/world-writable \(mode 0666\); its mode was set to 0600/);
    expect((await verifyLog(path)).status).toBe("intact");
  });

  it("a destination this process cannot create or open is AUDIT_DESTINATION_REFUSED with the fix, not a raw file-system error", () => {
    const file = join(dir, "plain-file");
    writeFileSync(file, "");
    for (const [destination, words] of [
      [join(file, "sub", "audit.log"), /its directory cannot be created \((ENOTDIR|EEXIST)\)/],
      [dir, /it is a directory, not a file \(EISDIR\)/],
    ] as const) {
      const error = refusal(() => createAuditRecorder({ destination }));
      expect(error).toMatchObject({ code: "AUDIT_DESTINATION_REFUSED", control: "LT-4" });
      expect(error?.message).toMatch(words);
      expect(error?.message).toMatch(/Give audit\.destination a file path this process may create and write/);
    }
  });

  it("a symlinked destination is refused (AUDIT_DESTINATION_REFUSED) unless allowSymlink", async () => {
    const real = join(dir, "real.log");
    const link = join(dir, "link.log");
    writeFileSync(real, "");
    symlinkSync(real, link);
    expect(refusal(() => createAuditRecorder({ destination: link }))).toMatchObject({
      code: "AUDIT_DESTINATION_REFUSED",
      control: "LT-4",
    });
    expect(readFileSync(real, "utf8")).toBe("");
    const r = createAuditRecorder({ destination: link, allowSymlink: true });
    r.write(REQUEST(1));
    await r.close();
    expect(readRecords(real)).toHaveLength(2);
  });

  it.each([
    ["0660", "group-writable"],
    ["0620", "group-writable"],
    ["0664", "group-writable"],
    ["0606", "world-writable"],
    ["0676", "group- and world-writable"],
  ] as const)(
    "an existing file with mode %s gets mode 0600, and the config.warning record says it was %s",
    async (octal, which) => {
      const mode = Number.parseInt(octal, 8);
      const path = join(dir, `mode-${mode.toString(8)}.log`);
      writeFileSync(path, "");
      chmodSync(path, mode);
      const r = createAuditRecorder({ destination: path });
      r.write(REQUEST(1));
      await r.close();
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const w = readRecords(path).find((x) => x.event.action === "config.warning");
      expect(w?.event.reason).toBe(`the audit file was ${which} (mode 0${mode.toString(8)}); its mode was set to 0600`);
      expect((await verifyLog(path)).status).toBe("intact");
    },
  );

  it("an existing 0640 or 0600 file is kept as it is, without a warning", async () => {
    for (const mode of [0o640, 0o600]) {
      const path = join(dir, `kept-${mode.toString(8)}.log`);
      writeFileSync(path, "");
      chmodSync(path, mode);
      const r = createAuditRecorder({ destination: path });
      await r.close();
      expect(statSync(path).mode & 0o777).toBe(mode);
      expect(readRecords(path).some((x) => x.event.action === "config.warning")).toBe(false);
    }
  });

  it("a FIFO is refused (AUDIT_DESTINATION_REFUSED) before anything is written to it, also behind a symlink with allowSymlink", () => {
    const fifo = join(dir, "audit.fifo");
    execFileSync("mkfifo", [fifo]);
    const link = join(dir, "fifo-link.log");
    symlinkSync(fifo, link);
    for (const options of [
      { destination: fifo },
      { destination: fifo, allowSymlink: true },
      { destination: link, allowSymlink: true },
    ]) {
      const e = refusal(() => createAuditRecorder(options));
      expect(e).toMatchObject({ code: "AUDIT_DESTINATION_REFUSED", control: "LT-4" });
      expect(e?.message).toMatch(/named pipe \(FIFO\)/);
    }
    expect(existsSync(`${fifo}.lock`)).toBe(false);
  });

  it("a FIFO nobody reads: the process is refused at once instead of blocking forever on its writes (child process)", async () => {
    const fifo = join(dir, "unread.fifo");
    execFileSync("mkfifo", [fifo]);
    const script = `import(${JSON.stringify(DIST)}).then(({ createAuditRecorder }) => {
      try { const r = createAuditRecorder({ destination: ${JSON.stringify(fifo)} });
        for (let i = 0; i < 2000; i++) r.write({ action: "refuse", outcome: "failure", controls: ["IM-1"], reason: "x".repeat(100) });
        return r.close().then(() => console.log("closed")); } catch (e) { console.log(e.code); } })`;
    // before the fix the child blocked in writeSync for good (SIGTERM cannot interrupt it): SIGKILL after 10 s
    const out = await run(process.execPath, ["-e", script], { timeout: 10_000, killSignal: "SIGKILL" }).then(
      ({ stdout }) => stdout.trim(),
      (e: Error) => `failed: ${e.message}`,
    );
    expect(out).toBe("AUDIT_DESTINATION_REFUSED");
  });

  it("a Unix socket is refused with AUDIT_DESTINATION_REFUSED (not a bare ENXIO)", async () => {
    const sock = join(dir, "audit.sock");
    const server = createNetServer();
    await new Promise<void>((res) => server.listen(sock, res));
    try {
      const e = refusal(() => createAuditRecorder({ destination: sock }));
      expect(e).toMatchObject({ code: "AUDIT_DESTINATION_REFUSED" });
      expect(e?.message).toMatch(/socket/);
    } finally {
      await new Promise<void>((res) => server.close(() => res()));
    }
  });

  it("/dev/stdout with allowSymlink still works when stdout is a pipe (the process's own stdout is not refused; child process)", async () => {
    const script = `import(${JSON.stringify(DIST)}).then(({ createAuditRecorder }) => {
      const r = createAuditRecorder({ destination: "/dev/stdout", allowSymlink: true });
      r.write({ action: "refuse", outcome: "failure", controls: ["IM-1"], reason: "through the pipe" });
      return r.close(); })`;
    // a shell pipeline: the child's stdout is a FIFO (execFile's own stdio would be a socket pair, which no path opens)
    const { stdout } = await run("bash", ["-c", `"$0" -e "$1" | cat`, process.execPath, script], { timeout: 10_000 });
    const recs = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: { action: string; reason?: string } });
    expect(recs.map((x) => x.event.action)).toEqual(["refuse", "log.close"]);
    expect(recs[0].event.reason).toBe("through the pipe");
  });

  it("a hard-linked file (two names) is refused unless allowSymlink: two names would give two writers with two locks", async () => {
    const victim = join(dir, "victim.log");
    writeFileSync(victim, "", { mode: 0o600 });
    const alias = join(dir, "alias.log");
    linkSync(victim, alias);
    for (const destination of [victim, alias]) {
      const e = refusal(() => createAuditRecorder({ destination }));
      expect(e).toMatchObject({ code: "AUDIT_DESTINATION_REFUSED", control: "LT-4" });
      expect(e?.message).toMatch(/2 names \(hard links\)/);
    }
    expect(readFileSync(victim, "utf8")).toBe("");
    expect(existsSync(`${victim}.lock`)).toBe(false);
    const r = createAuditRecorder({ destination: alias, allowSymlink: true });
    r.write(REQUEST(1));
    await r.close();
    expect(readRecords(victim)).toHaveLength(2);
  });

  it("character devices are still written as they are (/dev/null)", async () => {
    const r = createAuditRecorder({ destination: "/dev/null" });
    r.write(REQUEST(1));
    await r.close();
    expect(statSync("/dev/null").mode & 0o777).toBe(0o666);
  });

  it("one writer per file: a second process gets AUDIT_DESTINATION_REFUSED; a stale lock (dead writer) is taken over", async () => {
    const path = join(dir, "locked.log");
    const r = createAuditRecorder({ destination: path });
    r.write(REQUEST(1));
    const dist = join(__dirname, "../../packages/acs-baseline/dist/esm/index.js");
    const script = `import("${dist}").then(({ createAuditRecorder }) => { try { createAuditRecorder({ destination: ${JSON.stringify(path)} }); console.log("opened"); } catch (e) { console.log(e.code); } })`;
    const { stdout } = await run(process.execPath, ["-e", script]);
    expect(stdout.trim()).toBe("AUDIT_DESTINATION_REFUSED");
    await r.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
    writeFileSync(`${path}.lock`, "999999\n"); // a writer that no longer exists
    const again = await run(process.execPath, ["-e", script]);
    expect(again.stdout.trim()).toBe("opened");
  });
});

describe("a robust writer", () => {
  it("a foreign complete last line: the next writer continues the chain with a log.open naming the break; honest records verify", async () => {
    const path = join(dir, "foreign.log");
    const a = createAuditRecorder({ destination: path });
    a.write(REQUEST(1));
    await a.close();
    appendFileSync(path, '{"msg":"someone else wrote this"}\n');
    const b = createAuditRecorder({ destination: path });
    b.write(REQUEST(2));
    await b.close();
    const recs = readRecords(path);
    expect(recs.map((x) => x.seq)).toEqual([1, 2, undefined, 3, 4, 5]);
    expect(recs[3].log).toEqual({ break: "foreign", breakBytes: 34, reason: "break" });
    const v = await verifyLog(path);
    expect(v).toMatchObject({ status: "intact", records: 5, closed: true });
    expect(v.warnings.join()).toMatch(/line 3: 1 line\(s\) that are not records \(34 bytes\)/);
    // the same foreign line anywhere the writer did not name it is an insertion
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    lines.splice(1, 0, '{"msg":"x"}');
    writeFileSync(path, `${lines.join("\n")}\n`);
    expect(await verifyLog(path)).toMatchObject({ status: "tampered", problem: { line: 2, kind: "inserted" } });
  });

  it("copytruncate is detected: the writer notes the truncation; the file alone lost its head (emptying it looks the same), the copy first verifies", async () => {
    const path = join(dir, "ct.log");
    const r = createAuditRecorder({ destination: path });
    for (let i = 0; i < 3; i++)
      r.write({ action: "client.create", outcome: "success", controls: ["IM-1"], client: `C${i}` });
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0); // what logrotate copytruncate does
    for (let i = 0; i < 2; i++)
      r.write({ action: "client.create", outcome: "success", controls: ["IM-1"], client: `D${i}` });
    await r.close();
    const live = readRecords(path);
    expect(live[0]).toMatchObject({ seq: 4, event: { action: "log.open" }, log: { reason: "truncated" } });
    const alone = await verifyLog(path);
    expect(alone).toMatchObject({ status: "tampered", problem: { kind: "removed", seq: 4 } });
    expect(alone.problem?.message).toMatch(
      /records 1–3 were emptied out of this file \(or copied by copytruncate.*give the copy first/,
    );
    expect((await verifyLog([`${path}.1`, path])).status).toBe("intact");
  });
});

describe("rotation", () => {
  it("reopen() after a rename: the old file ends sealed, the new one starts with log.open; both verify as one chain (files or directory)", async () => {
    const sub = join(dir, "reopen");
    const path = join(sub, "app.log");
    const r = createAuditRecorder({ destination: path, checkpoint: { everyRecords: 1000, everyMs: 0 } });
    r.write(REQUEST(1));
    r.write({ action: "client.create", outcome: "success", controls: ["IM-1"] });
    renameSync(path, `${path}.1`);
    await r.reopen();
    r.write({ action: "client.create", outcome: "success", controls: ["IM-1"] });
    await r.close();
    const old = readRecords(`${path}.1`);
    expect(old.slice(-2).map((x) => x.event.action)).toEqual(["log.close", "log.checkpoint"]);
    const fresh = readRecords(path);
    expect(fresh[0]).toMatchObject({
      event: { action: "log.open" },
      log: { reason: "reopen" },
      prevHash: old.at(-1)!.hash,
      seq: old.at(-1)!.seq + 1,
    });
    expect(await verifyLog([`${path}.1`, path])).toMatchObject({ status: "intact", closed: true, firstSeq: 1 });
    expect(await verifyLog(sub)).toMatchObject({ status: "intact", firstSeq: 1 });
    const alone = await verifyLog(path);
    expect(alone.status).toBe("intact");
    expect(alone.warnings.join()).toMatch(/continues an earlier file that was not given/);
    // the wrong order is caught
    expect((await verifyLog([path, `${path}.1`])).status).toBe("tampered");
  });

  it("audit.reopenOnSighup: SIGHUP reopens the file", async () => {
    const path = join(dir, "hup.log");
    const r = createAuditRecorder({ destination: path, reopenOnSighup: true });
    r.write({ action: "client.create", outcome: "success", controls: ["IM-1"] });
    renameSync(path, `${path}.1`);
    process.emit("SIGHUP", "SIGHUP");
    await new Promise((res) => setTimeout(res, 20));
    r.write({ action: "client.create", outcome: "success", controls: ["IM-1"] });
    await r.close();
    expect(readRecords(path)[0].event.action).toBe("log.open");
    expect((await verifyLog([`${path}.1`, path])).status).toBe("intact");
  });

  it("size rotation: audit.rotate { maxBytes, keep } keeps `keep` old files; the directory verifies as one chain", async () => {
    const sub = join(dir, "rot");
    const path = join(sub, "app.log");
    const r = createAuditRecorder({ destination: path, rotate: { maxBytes: 4096, keep: 50 } });
    for (let i = 0; i < 60; i++)
      r.write({ action: "client.create", outcome: "success", controls: ["IM-1"], client: `C${i}` });
    for (let i = 0; i < 300; i++) r.write(REQUEST(i)); // batched: rotation happens between batches
    await r.close();
    expect(existsSync(`${path}.3`)).toBe(true);
    expect(await verifyLog(sub)).toMatchObject({ status: "intact", firstSeq: 1, closed: true });
    const sub2 = join(dir, "rot2");
    const r2 = createAuditRecorder({ destination: join(sub2, "app.log"), rotate: { maxBytes: 4096, keep: 2 } });
    for (let i = 0; i < 60; i++)
      r2.write({ action: "client.create", outcome: "success", controls: ["IM-1"], client: `C${i}` });
    await r2.close();
    expect(existsSync(join(sub2, "app.log.2"))).toBe(true);
    expect(existsSync(join(sub2, "app.log.3"))).toBe(false);
    const v = await verifyLog(sub2);
    expect(v.status).toBe("intact");
    expect(v.warnings.join()).toMatch(/continues an earlier file/);
  });
});

describe("app-logger mode", () => {
  it("a host logger whose redact paths, formatters or nestedKey would change audit members is refused (AUDIT_LOGGER_INCOMPATIBLE)", () => {
    const dest = pino.destination({ dest: join(dir, "host.log"), sync: true });
    const bad = [
      pino({ redact: ["http.path"] }, dest),
      pino({ redact: { paths: ["*.clientId"], censor: "***" } }, dest),
      pino({ formatters: { log: (o: Record<string, unknown>) => ({ ...o, event: "x" }) } }, dest),
      pino({ nestedKey: "payload" }, dest),
      pino({ serializers: { error: () => "hidden" } }, dest),
      // a mixin whose members win over the record's (pino's default merge lets the record win: see `ok` below)
      pino(
        {
          mixin: () => ({ schema: "mine" }),
          mixinMergeStrategy: (merge: object, mixin: object) => Object.assign(merge, mixin),
        },
        dest,
      ),
    ];
    for (const logger of bad)
      expect(refusal(() => createAuditRecorder({ logger }))).toMatchObject({
        code: "AUDIT_LOGGER_INCOMPATIBLE",
        control: "LT-4",
      });
    // redact paths elsewhere and bindings are fine
    const ok = pino(
      {
        redact: ["req.headers.authorization"],
        base: { service: "x" },
        mixin: () => ({ requestCount: 1, schema: "mine" }),
      },
      dest,
    );
    expect(refusal(() => createAuditRecorder({ logger: ok }))).toBeUndefined();
  });
});

describe("trace context", () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
  });
  afterAll(() => {
    context.disable();
  });

  it("request records carry trace.id and span.id: the active OpenTelemetry span, or the SDK's traceparent", async () => {
    const path = join(dir, "trace.log");
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { audit: { destination: path } }));
    const sms = factory.createSmsClient();
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const spanId = "00f067aa0ba902b7";
    const ctx = trace.setSpan(context.active(), trace.wrapSpanContext({ traceId, spanId, traceFlags: 1 }));
    await context.with(ctx, () => sms.send(SMS));
    await sms.send(SMS); // outside any span: no trace members
    // a traceparent put on the request by the SDK's tracing (here: a policy doing what core-tracing's does)
    const sdkSpan = "b7ad6b7169203331";
    const tracing: PipelinePolicy = {
      name: "tracingLike",
      sendRequest: (req, next) => (req.headers.set("traceparent", `00-${traceId}-${sdkSpan}-01`), next(req)),
    };
    const traced = factory.createSmsClient({ additionalPolicies: [{ policy: tracing, position: "perRetry" }] });
    await traced.send(SMS);
    await factory.close();
    const requests = readRecords(path).filter((x) => x.event.action === "request" && x.http.path === "/sms");
    expect(requests.map((x) => [x.trace?.id, x.span?.id])).toEqual([
      [traceId, spanId],
      [undefined, undefined],
      [traceId, sdkSpan],
    ]);
    expect((await verifyLog(path)).status).toBe("intact");
  });
});
