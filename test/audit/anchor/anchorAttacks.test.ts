/* eslint-disable @typescript-eslint/no-unsafe-return -- tests read parsed JSON records */
// Issue 23, written as the attacks: the attacker has the host, so the app's credential and a way to its signer (they
// can sign), and can append to the anchor (never rewrite it). What was anchored before the compromise must stay
// history; what an attacker adds must contradict it visibly. Then the honest controls: restarts, rotation, SIGKILL +
// restart, a clock that steps back.
import { execFileSync, spawn } from "node:child_process";
import { generateKeyPairSync, sign as cryptoSign } from "node:crypto";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuditOptions } from "../../../packages/acs-baseline/src/audit/index.js";
import { createAuditRecorder, verifyLog } from "../../../packages/acs-baseline/src/audit/index.js";
import { canonicalJson, sha256Hex } from "../../../packages/acs-baseline/src/audit/record/canonical.js";
import { signingInput } from "../../../packages/acs-baseline/src/audit/record/checkpointSignature.js";
import type { CheckpointHead } from "../../../packages/acs-baseline/src/audit/record/checkpointSignature.js";
import { verifyLogCommand } from "../../../packages/cli/src/commands/verifyLog.js";
import { runCaptured } from "../../support/captureOutput.js";
import type { Rec } from "../../support/auditRecords.js";
import { parse, REQUEST } from "../../support/auditRecords.js";
import { signingKeyFiles } from "../../support/signingKeyFiles.js";
import { tempDir } from "../../support/tempDir.js";

const dir = tempDir("acs-anchor-attacks-");
const { privateKey, publicKeyPem: PUBLIC_PEM, keyPath, pubPath, keyDir } = signingKeyFiles("acs-anchor-attack-keys-");
const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
const otherKeyPath = join(keyDir, "other.pem");
writeFileSync(otherKeyPath, other.privateKey.export({ type: "pkcs8", format: "pem" }).toString(), { mode: 0o600 });

const lines = (path: string): string[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);
const text = (ls: string[]): string => `${ls.join("\n")}\n`;
const strict = (anchor: string, extra: Record<string, unknown> = {}) => ({
  publicKey: PUBLIC_PEM,
  anchorLines: lines(anchor),
  ...extra,
});

/** Writes `count` requests through a signed, file-anchored recorder and closes it. */
async function writeLog(
  name: string,
  count: number,
  options: Partial<AuditOptions> = {},
): Promise<{ log: string; anchor: string }> {
  const log = join(dir, `${name}.log`);
  const anchor = join(dir, `${name}.anchor`);
  const r = createAuditRecorder({
    destination: log,
    signing: { privateKey: keyPath, keyId: "attack-test" },
    checkpoint: { everyRecords: 5, everyMs: 0 },
    anchor: { file: { path: anchor } },
    ...options,
  });
  for (let i = 0; i < count; i++) r.write(REQUEST(i));
  await r.close();
  return { log, anchor };
}

/** What an attacker who can reach the signer does: re-seal a record as a signed checkpoint line. */
function forgeCheckpoint(prev: Rec, head: Rec, members: Partial<CheckpointHead>): string {
  const cp: CheckpointHead = {
    seq: head.seq,
    hash: head.hash,
    keyId: "attack-test",
    prevSig: prev.checkpoint?.sig ?? "",
    logId: prev.checkpoint?.logId,
    time: new Date().toISOString(),
    open: prev.checkpoint?.open,
    ...members,
  };
  const sig = cryptoSign("sha256", signingInput(cp), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString(
    "base64url",
  );
  const rec: Rec = {
    ...prev,
    checkpoint: { alg: "ES256", ...cp, sig },
    seq: head.seq + 1,
    prevHash: head.hash,
    time: cp.time,
  };
  delete rec.hash;
  if (rec.checkpoint.close === undefined) delete rec.checkpoint.close;
  const canon = canonicalJson(rec);
  return `${canon.slice(0, -1)},"hash":"${sha256Hex(canon)}"}`;
}

/** A record line chained after `prev`, as someone without the key can make one. */
function chainAfter(prev: Rec, rec: Rec): string {
  const own: Rec = { ...rec, seq: prev.seq + 1, prevHash: prev.hash };
  delete own.hash;
  const canon = canonicalJson(own);
  return `${canon.slice(0, -1)},"hash":"${sha256Hex(canon)}"}`;
}

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCaptured((io) => verifyLogCommand(args, { ...io, env: {}, cwd: dir, stderrIsTTY: false }));
}

/** Lets the recorder write its queued batch (request records wait up to 50 ms). */
const drained = (): Promise<void> => new Promise((res) => setTimeout(res, 120));

afterEach(() => {
  vi.useRealTimers();
});

describe("attacks on the anchor's history", () => {
  it("cut the tail, rechain forged records, re-sign them and append matching lines to the anchor: the first-written lines win (tampered)", async () => {
    const { log, anchor } = await writeLog("outvote", 12);
    expect((await verifyLog(log, strict(anchor))).status).toBe("intact");
    const file = lines(log).map(parse);
    const anchored = lines(anchor).map(parse);
    // keep up to the first checkpoint; forge records and signed checkpoints at the seqs the anchor has, and beyond its
    // end, so that by count and by "the last line per seq" the forgery would win
    const firstCp = file.findIndex((r) => r.event.action === "log.checkpoint");
    const out = lines(log).slice(0, firstCp + 1);
    let prevCp = file[firstCp];
    const forgedCps: string[] = [];
    for (let seq = (prevCp.seq as number) + 1; seq <= (anchored.at(-1)!.seq as number) + 3; seq++) {
      const prev = parse(out.at(-1)!);
      if (anchored.some((a) => a.seq === seq) || seq === (anchored.at(-1)!.seq as number) + 3) {
        const cp = forgeCheckpoint(prevCp, prev, {});
        out.push(cp);
        forgedCps.push(cp);
        prevCp = parse(cp);
      } else out.push(chainAfter(prev, { ...file[2], http: { ...file[2].http, path: `/sms/forged-${seq}` } }));
    }
    writeFileSync(log, text(out));
    for (const cp of forgedCps) appendFileSync(anchor, `${cp}\n`); // append only: history is not rewritten
    expect((await verifyLog(log, { publicKey: PUBLIC_PEM })).status).toBe("intact"); // the key alone cannot tell
    const v = await verifyLog(log, strict(anchor));
    expect(v.status).toBe("tampered");
    expect(v.problem?.kind).toBe("anchor");
    expect(v.reasons.join("\n")).toMatch(
      /anchor line \d+ \(seq \d+\): anchor: anchor seq \d+ rewritten by a later append \(first written at anchor line \d+\)/,
    );
    // verified against the honest head of the file only, the anchor's contradiction is the finding
    writeFileSync(log, text(out.slice(0, firstCp + 1)));
    const head = await verifyLog(log, strict(anchor));
    expect(head.status).toBe("tampered");
    expect(head.reasons[0]).toMatch(/^anchor line \d+ \(seq \d+\): anchor: anchor seq \d+ rewritten by a later append/);
  });

  it("edit one checkpoint's time (in the file, or in the anchor): the signature covers it", async () => {
    const { log, anchor } = await writeLog("cptime", 6);
    const file = lines(log);
    const i = file.findIndex((l) => parse(l).event.action === "log.checkpoint");
    const rec = parse(file[i]);
    rec.checkpoint.time = new Date(Date.parse(rec.checkpoint.time as string) + 3_600_000).toISOString();
    delete rec.hash;
    const canon = canonicalJson(rec);
    file[i] = `${canon.slice(0, -1)},"hash":"${sha256Hex(canon)}"}`;
    writeFileSync(log, text(file)); // (the rest of the chain is not even rechained: the signature fails first)
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM });
    expect(v.status).toBe("tampered");
    expect(v.problem?.message).toMatch(/signature is invalid/);
    // the same edit appended to the anchor is an invalid line: skipped, counted, never used
    appendFileSync(anchor, `${file[i]}\n`);
    const a = await verifyLog((await writeLog("cptime2", 6)).log, {
      publicKey: PUBLIC_PEM,
      anchorLines: lines(anchor),
    });
    expect(a.warnings.join()).toMatch(/not valid audit lines/);
  });

  it("cut the tail back to a checkpoint and let the app restart: the writer names the break, the verifier the missing stretch", async () => {
    const { log, anchor } = await writeLog("cutrestart", 14);
    const all = lines(log);
    const cutAt = all.findIndex((l) => parse(l).event.action === "log.checkpoint") + 1;
    writeFileSync(log, text(all.slice(0, cutAt))); // ends sealed: the key alone sees nothing wrong
    const anchorHead = parse(lines(anchor).at(-1)!);
    expect((await verifyLog(log, { publicKey: PUBLIC_PEM })).status).toBe("intact");
    // the app restarts with its own key and anchor, and appends honestly
    const r = createAuditRecorder({
      destination: log,
      signing: { privateKey: keyPath, keyId: "attack-test" },
      checkpoint: { everyRecords: 5, everyMs: 0 },
      anchor: { file: { path: anchor } },
    });
    for (let i = 0; i < 3; i++) r.write(REQUEST(100 + i));
    await r.close();
    const open = lines(log)
      .map(parse)
      .find((x) => x.event.action === "log.open" && x.log.reason === "anchor-ahead");
    expect(open?.log).toMatchObject({
      anchor: { seq: anchorHead.seq, hash: anchorHead.hash },
      fileEnd: { seq: parse(all[cutAt - 1]).seq },
    });
    expect(open?.seq).toBe((anchorHead.seq as number) + 1);
    const v = await verifyLog(log, strict(anchor));
    expect(v.status, v.reasons.join()).toBe("incomplete");
    expect(v.reasons.join()).toMatch(/records \d+–\d+ are missing from the file: when the writer started again/);
    expect((await cli(["cutrestart.log", "--anchor", "cutrestart.anchor", "--public-key", pubPath])).code).toBe(1);
  });

  it("an anchor outage with the tail cut back to the last anchored checkpoint: the anchor is silent since its last heartbeat", async () => {
    const { log, anchor } = await writeLog("outage", 14, { checkpoint: { everyRecords: 5, everyMs: 60_000 } });
    const anchored = lines(anchor).slice(0, 2); // the anchor was down after its second checkpoint
    const lastAnchored = parse(anchored[1]);
    writeFileSync(log, text(lines(log).filter((l) => (parse(l).seq as number) <= (lastAnchored.seq as number))));
    const at = Date.parse(lastAnchored.checkpoint.time as string) + 10 * 60_000; // verified ten minutes later
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: anchored, at });
    expect(v.status).toBe("incomplete");
    expect(v.reasons.join()).toMatch(
      /anchor silent since .* \(seq \d+\): no heartbeat for 10\.0 min before the time of verification, more than the max gap 2\.0 min/,
    );
    expect(v.reasons.join()).toMatch(/the writer's last sign of life is the checkpoint at line \d+/);
  });

  it("a minute of silence in the middle of one writer's session is named (file and anchor)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.parse("2026-12-01T10:00:00.000Z");
    vi.setSystemTime(t0);
    const log = join(dir, "silence.log");
    const anchor = join(dir, "silence.anchor");
    const r = createAuditRecorder({
      destination: log,
      signing: { privateKey: keyPath },
      checkpoint: { everyRecords: 2, everyMs: 10_000 },
      anchor: { file: { path: anchor } },
    });
    for (let i = 0; i < 4; i++) r.write(REQUEST(i));
    await drained();
    vi.setSystemTime(t0 + 70_000); // no heartbeat for 70 s (the writer's timer never ran: the host was stopped)
    for (let i = 4; i < 8; i++) r.write(REQUEST(i));
    await r.close();
    vi.useRealTimers();
    const v = await verifyLog(log, strict(anchor));
    expect(v.status).toBe("incomplete");
    expect(v.reasons.join("\n")).toMatch(
      /no record or heartbeat between 2026-12-01T10:00:00\.000Z .* and 2026-12-01T10:01:10\.000Z .*: 1\.2 min of silence inside one writer's session, more than the max gap 20\.0 s/,
    );
    expect(v.reasons.join("\n")).toMatch(
      /the anchor has no heartbeat between 2026-12-01T10:00:00\.000Z \(seq \d+\) and 2026-12-01T10:01:10\.000Z/,
    );
  });

  it("records chained after a sealed log.close, even with a signed checkpoint: tampered", async () => {
    const { log, anchor } = await writeLog("afterclose", 6);
    const file = lines(log);
    const last = parse(file.at(-1)!);
    const invented = chainAfter(last, {
      ...parse(file[2]),
      http: { method: "POST", path: "/sms/invented", status: 202, durationMs: 1 },
    });
    const sealed = forgeCheckpoint(last, parse(invented), { prevSig: last.checkpoint.sig as string });
    writeFileSync(log, text([...file, invented, sealed]));
    const v = await verifyLog(log, strict(anchor));
    expect(v.status).toBe("tampered");
    expect(v.problem?.message).toMatch(
      /follows the log's sealed log\.close .*: nothing may follow a log that was closed and sealed but a new segment's log\.open/,
    );
  });

  it("an empty anchor, or another log's anchor (another key, or the same key): incomplete, never intact", async () => {
    const { log } = await writeLog("corroborate", 6);
    const empty = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: [] });
    expect(empty.status).toBe("incomplete");
    expect(empty.reasons.join()).toMatch(
      /the anchor holds none of this log's checkpoints \(log id [0-9a-f]{32}\): it is empty, or another log's/,
    );
    const sameKey = await writeLog("another", 6);
    expect((await verifyLog(log, strict(sameKey.anchor))).reasons.join()).toMatch(
      /holds none of this log's checkpoints/,
    );
    const foreign = await writeLog("foreign", 6, { signing: { privateKey: otherKeyPath } });
    const f = await verifyLog(log, strict(foreign.anchor));
    expect(f.status).toBe("incomplete");
    expect(f.warnings.join()).toMatch(/not valid audit lines \(or are not signed checkpoints\)/);
  });
});

describe("a verifier that every line gets a verdict from", () => {
  const deep = (n: number): string =>
    `{"schema":"acs-baseline.audit/1","seq":2,"prevHash":"${"0".repeat(64)}","hash":"${"1".repeat(64)}","http":${"[".repeat(n)}${"]".repeat(n)}}`;

  it("a deeply nested line (60 KB) in the log: exit 1 with a reason, not 2", async () => {
    const { log } = await writeLog("deeplog", 3);
    appendFileSync(log, `${deep(30_000)}\n`);
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM });
    expect(v.status).toBe("tampered");
    const { code, out } = await cli(["deeplog.log", "--public-key", pubPath]);
    expect(code).toBe(1);
    expect(out).toMatch(/nested deeper than 64 levels|not a record/);
  });

  it("a deep line and a 3 MiB line appended to the anchor: skipped and counted; honest logs still verify", async () => {
    const { log, anchor } = await writeLog("deepanchor", 6);
    appendFileSync(anchor, `${deep(30_000)}\n${"x".repeat(3 << 20)}\n`);
    expect((await verifyLog(log, strict(anchor))).status).toBe("intact"); // read whole by the library, too
    const { code, out } = await cli(["deepanchor.log", "--anchor", "deepanchor.anchor", "--public-key", pubPath]);
    expect(code, out).toBe(0);
    expect(out).toMatch(/warning: 2 of the anchor's \d+ lines are not valid audit lines/);
  });

  it("a huge line in the log is rejected as soon as it is seen", async () => {
    const { log } = await writeLog("hugelog", 3);
    appendFileSync(log, `${"y".repeat(3 << 20)}\n`);
    expect((await verifyLog(log, { publicKey: PUBLIC_PEM })).problem?.kind).toBe("overlong");
  });

  it("a FIFO as the log or as the anchor: exit 2 at once, never a hang", async () => {
    const { log } = await writeLog("fifo-ok", 3);
    const fifo = join(dir, "audit.fifo");
    execFileSync("mkfifo", [fifo]);
    const started = Date.now();
    const asLog = await cli(["audit.fifo"]);
    const asAnchor = await cli(["fifo-ok.log", "--anchor", "audit.fifo"]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(asLog.code).toBe(2);
    expect(asLog.err).toMatch(/ENOTREG/);
    expect(asAnchor.code).toBe(2);
    expect(asAnchor.err).toMatch(/ENOTREG/);
    await expect(verifyLog(fifo)).rejects.toMatchObject({ code: "ENOTREG" });
    expect(log).toBeTruthy();
  });
});

describe("verify-log --at", () => {
  it("takes an ISO 8601 time with a zone, or now; anything else is bad usage (exit 2)", async () => {
    const { log } = await writeLog("at-usage", 3);
    for (const bad of ["yesterday", "2026-12-01", "2026-12-01T10:00:00", "1733000000000", ""]) {
      expect((await cli(["at-usage.log", "--at", bad])).code, bad).toBe(2);
    }
    expect((await cli(["at-usage.log", "--public-key", pubPath, "--at", "now"])).code).toBe(0);
    expect((await cli(["at-usage.log", "--public-key", pubPath, "--at", "2026-12-01T10:00:00+01:00"])).code).toBe(0);
    expect(log).toMatch(/at-usage\.log$/);
  });
});

describe("signing configuration", () => {
  it("a keyId holding key material, or outside the character set, is refused at construction", () => {
    const bad = [
      "AccountKey=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXU=",
      "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl",
      "key with spaces",
      "line\nbreak",
      "",
      "k".repeat(257),
    ];
    for (const keyId of bad) {
      expect(
        () => createAuditRecorder({ destination: join(dir, "keyid.log"), signing: { privateKey: keyPath, keyId } }),
        JSON.stringify(keyId.slice(0, 20)),
      ).toThrow(/keyId/);
      expect(() =>
        createAuditRecorder({
          destination: join(dir, "keyid.log"),
          signing: { sign: () => Promise.resolve(new Uint8Array(64)), publicKey: PUBLIC_PEM, keyId },
        }),
      ).toThrow(/keyId/);
    }
    const kv = "https://contoso.vault.azure.net/keys/audit-signing/0123456789abcdef0123456789abcdef";
    const r = createAuditRecorder({
      destination: join(dir, "keyid-ok.log"),
      signing: { sign: () => Promise.resolve(new Uint8Array(64)), publicKey: PUBLIC_PEM, keyId: kv },
    });
    return r.close();
  });

  it("a signer that never settles: recorded as SIGN_TIMEOUT, and close() keeps its bound", async () => {
    const log = join(dir, "stalled.log");
    const r = createAuditRecorder({
      destination: log,
      signing: {
        sign: () => new Promise<Uint8Array>(() => undefined),
        publicKey: PUBLIC_PEM,
        keyId: "stalled-signer",
        timeoutMs: 200,
      },
      checkpoint: { everyRecords: 2, everyMs: 0 },
    });
    for (let i = 0; i < 3; i++) r.write(REQUEST(i));
    const started = Date.now();
    await r.close();
    expect(Date.now() - started).toBeLessThan(3000);
    const failures = lines(log)
      .map(parse)
      .filter((x) => x.event.action === "anchor.failure");
    expect(failures[0]).toMatchObject({
      error: { code: "SIGN_TIMEOUT", message: "the signer did not answer within 200 ms" },
      anchor: { stage: "sign" },
    });
  });
});

describe("honest logs keep verifying", () => {
  it("restarts: each run opens a new segment with the same log id; anchored, signed, intact", async () => {
    const { log, anchor } = await writeLog("restarts", 7);
    await writeLog("restarts", 4);
    await writeLog("restarts", 2);
    const opens = lines(log)
      .map(parse)
      .filter((x) => x.event.action === "log.open");
    expect(opens.map((o) => o.log.reason)).toEqual(["start", "restart", "restart"]);
    expect(new Set(opens.map((o) => o.log.id)).size).toBe(1);
    const v = await verifyLog(log, strict(anchor));
    expect(v.status, v.reasons.join()).toBe("intact");
    expect(v.logId).toBe(opens[0].log.id);
  });

  it("rotation: the log id is carried into every file; the directory verifies against the anchor", async () => {
    const sub = join(dir, "rotated");
    const anchor = join(dir, "rotated.anchor");
    const r = createAuditRecorder({
      destination: join(sub, "audit.log"),
      signing: { privateKey: keyPath },
      checkpoint: { everyRecords: 5, everyMs: 0 },
      anchor: { file: { path: anchor } },
      rotate: { maxBytes: 3000, keep: 20 },
    });
    for (let i = 0; i < 40; i++) r.write(REQUEST(i));
    await r.close();
    const v = await verifyLog(sub, strict(anchor));
    expect(v.status, v.reasons.join()).toBe("intact");
  });

  it("SIGKILL, then a restart: intact; without the restart, verified later: incomplete, naming the last sign of life", async () => {
    const log = join(dir, "killed.log");
    const anchor = join(dir, "killed.anchor");
    const child = spawn(
      process.execPath,
      [join(__dirname, "..", "fixtures", "anchoredWriter.mjs"), log, anchor, keyPath, "1000"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    await new Promise<void>((resolve) =>
      child.stderr.on("data", (c: Buffer) => c.toString().includes("ready") && resolve()),
    );
    child.kill("SIGKILL");
    await new Promise((res) => child.on("close", res));
    const later = await verifyLog(log, strict(anchor, { at: Date.now() + 60_000, maxGapMs: 10_000 }));
    expect(later.status).toBe("incomplete");
    expect(later.reasons.join()).toMatch(/the writer's last sign of life is the checkpoint at line \d+ \(seq \d+, /);
    const r = createAuditRecorder({
      destination: log,
      signing: { privateKey: keyPath, keyId: "test-key" },
      checkpoint: { everyRecords: 200, everyMs: 1000 },
      anchor: { file: { path: anchor } },
    });
    r.write(REQUEST(1));
    await r.close();
    const v = await verifyLog(log, strict(anchor, { at: Date.now() + 60_000, maxGapMs: 10_000 })); // wide: a loaded host delays timers
    expect(v.status, v.reasons.join()).toBe("intact");
  });

  it("a clock that steps back an hour: a warning naming the record, never a cut", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.parse("2026-12-01T10:00:00.000Z");
    vi.setSystemTime(t0);
    const log = join(dir, "stepback.log");
    const anchor = join(dir, "stepback.anchor");
    const r = createAuditRecorder({
      destination: log,
      signing: { privateKey: keyPath },
      checkpoint: { everyRecords: 3, everyMs: 60_000 },
      anchor: { file: { path: anchor } },
    });
    for (let i = 0; i < 4; i++) r.write(REQUEST(i));
    await drained();
    vi.setSystemTime(t0 - 3_600_000);
    for (let i = 4; i < 8; i++) r.write(REQUEST(i));
    await r.close();
    vi.useRealTimers();
    const v = await verifyLog(log, strict(anchor));
    expect(v.status, v.reasons.join()).toBe("intact");
    expect(v.warnings.join()).toMatch(
      /the clock stepped back at line \d+ \(seq \d+\): its checkpoint time 2026-12-01T09:00:00\.000Z is before/,
    );
  });
});
