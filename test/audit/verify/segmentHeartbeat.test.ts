// Every silence is judged with the heartbeat of the segment it lies in, never with the log's last one: the anchor's
// stretches between the checkpoints of one segment, and the gaps of a segment that was killed before its first
// checkpoint and sealed later by the next segment's checkpoints. Real logs written by the recorder (the clock is moved
// with fake Date only: no timer fires, so a jump is a writer that was not running), then cut as a SIGKILL or an
// attacker would. A forged log.open (no key) still widens nothing: see also unsealedHeartbeat.test.ts.
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuditOptions } from "../../../packages/acs-baseline/src/audit/index.js";
import { createAuditRecorder, verifyLog } from "../../../packages/acs-baseline/src/audit/index.js";
import { canonicalJson, sha256Hex } from "../../../packages/acs-baseline/src/audit/record/canonical.js";
import type { Rec } from "../../support/auditRecords.js";
import { parse, REQUEST } from "../../support/auditRecords.js";
import { signingKeyFiles } from "../../support/signingKeyFiles.js";
import { tempDir } from "../../support/tempDir.js";

const dir = tempDir("acs-segment-heartbeat-");
const { publicKeyPem: PUBLIC_PEM, keyPath } = signingKeyFiles("acs-segment-heartbeat-keys-");
const T0 = Date.parse("2026-12-01T10:00:00.000Z");
const SILENCE = /of silence inside one writer's session/;

const lines = (path: string): string[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);
const text = (ls: string[]): string => `${ls.join("\n")}\n`;
/** Lets the recorder write its queued batch (request records wait up to 50 ms). */
const drained = (): Promise<void> => new Promise((res) => setTimeout(res, 80));

afterEach(() => {
  vi.useRealTimers();
});

/** One writer's session on `path`: `before` requests, `idleMs` with no record (the clock jumps), `after` requests, closed. */
async function session(
  path: string,
  everyMs: number,
  plan: { before: number; idleMs?: number; after?: number; everyRecords?: number },
  extra: Partial<AuditOptions> = {},
): Promise<void> {
  const r = createAuditRecorder({
    destination: path,
    signing: { privateKey: keyPath, keyId: "segment-heartbeat-test" },
    checkpoint: { everyRecords: plan.everyRecords ?? 2, everyMs },
    ...extra,
  });
  for (let i = 0; i < plan.before; i++) r.write(REQUEST(i));
  await drained();
  vi.setSystemTime(Date.now() + (plan.idleMs ?? 0));
  for (let i = 0; i < (plan.after ?? 0); i++) r.write(REQUEST(100 + i));
  await drained();
  await r.close();
  vi.setSystemTime(Date.now() + 1000); // the next process starts a second later
}

/**
 * Cuts the file back to the last segment's first checkpoint, exclusive: its writer was SIGKILLed before that
 * checkpoint (the writer checkpoints on the first record after a silence of `everyMs`), so nothing of its own seals
 * its log.open.
 */
function killBeforeFirstCheckpoint(path: string): void {
  const ls = lines(path);
  const actions = ls.map((l): unknown => parse(l).event?.action);
  const cp = actions.indexOf("log.checkpoint", actions.lastIndexOf("log.open"));
  writeFileSync(path, text(ls.slice(0, cp)));
}

/** Cuts the file back to its last record before the final log.close: the writer was SIGKILLed there. */
function killBeforeClose(path: string): void {
  const ls = lines(path);
  const close = ls.map((l): unknown => parse(l).event?.action).lastIndexOf("log.close");
  writeFileSync(path, text(ls.slice(0, close)));
}

/** `recs` chained after the line `last`, each `offsets[i]` ms after now, as someone without the key writes them. */
function chainAfter(last: string, recs: Rec[], offsets: number[]): string[] {
  let prev = parse(last);
  return recs.map((r, i) => {
    const rec: Rec = { ...r, seq: (prev.seq as number) + 1, prevHash: prev.hash as string };
    rec.time = new Date(Date.now() + offsets[i]).toISOString();
    delete rec.hash;
    const canon = canonicalJson(rec);
    prev = { seq: rec.seq, hash: sha256Hex(canon) };
    return `${canon.slice(0, -1)},"hash":"${prev.hash}"}`;
  });
}

function startClock(): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
}

describe("verify-log: anchor stretches are judged with their own segment's heartbeat", () => {
  it("honest: a restart that raised the heartbeat (60 s max gap), idle 45 s, then one that lowered it again: intact", async () => {
    startClock();
    const log = join(dir, "raised-then-lowered.log");
    const anchor = { file: { path: join(dir, "raised-then-lowered.anchor") } };
    await session(log, 5000, { before: 4 }, { anchor });
    await session(log, 30_000, { before: 4, idleMs: 45_000, after: 4 }, { anchor });
    await session(log, 5000, { before: 4 }, { anchor }); // the log's last heartbeat: a max gap of 10 s
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: lines(anchor.file.path) });
    expect(v.reasons).toEqual([]);
    expect(v.warnings.join("\n")).not.toMatch(SILENCE);
    expect(v.status).toBe("intact");
  });

  it("attack: the rotated file holding a silence in an early 5 s segment is deleted; the records anchor still has it", async () => {
    startClock();
    const sub = join(dir, "cut-early");
    const log = join(sub, "audit.log");
    const anchorPath = join(dir, "cut-early.anchor");
    const anchor = { file: { path: anchorPath, mode: "records" as const } };
    const r = createAuditRecorder({
      destination: log,
      signing: { privateKey: keyPath, keyId: "segment-heartbeat-test" },
      checkpoint: { everyRecords: 2, everyMs: 5000 },
      anchor,
    });
    for (let i = 0; i < 4; i++) r.write(REQUEST(i));
    await drained();
    vi.setSystemTime(Date.now() + 15_000); // the host stopped the writer for 15 s (max gap 10 s)
    for (let i = 4; i < 8; i++) r.write(REQUEST(i));
    await drained();
    renameSync(log, `${log}.1`); // rotated by rename, then reopen(): the same writer goes on in a new file
    await r.reopen();
    for (let i = 8; i < 12; i++) r.write(REQUEST(i));
    await r.close();
    vi.setSystemTime(Date.now() + 1000);
    await session(log, 30_000, { before: 4 }, { anchor }); // a restart raised the heartbeat: 60 s max gap
    const whole = await verifyLog([`${log}.1`, log], { publicKey: PUBLIC_PEM, anchorLines: lines(anchorPath) });
    expect(whole.status).toBe("incomplete"); // with the rotated file, its own gaps name the silence
    rmSync(`${log}.1`); // the attacker deletes the rotated file: the silence is only in the anchor now
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: lines(anchorPath) });
    expect(v.reasons.join("\n")).toMatch(
      /the anchor has no heartbeat between 2026-12-01T10:00:00\.000Z \(seq \d+\) and 2026-12-01T10:00:15\.000Z \(seq \d+\): 15\.0 s of silence inside one writer's session, more than the max gap 10\.0 s/,
    );
    expect(v.status).toBe("incomplete");
  });
});

describe("verify-log: a segment killed before its first checkpoint is judged with its own heartbeat once sealed", () => {
  it("honest: a raised-heartbeat restart (60 s max gap), idle 45 s, killed, then restarted: intact", async () => {
    startClock();
    const log = join(dir, "killed-raised.log");
    await session(log, 5000, { before: 4 }); // max gap 10 s
    await session(log, 30_000, { before: 2, idleMs: 45_000, after: 1, everyRecords: 1000 });
    killBeforeFirstCheckpoint(log); // nothing of its own seals its log.open
    await session(log, 30_000, { before: 4 }); // the next restart's checkpoints seal the killed segment
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM });
    expect(v.reasons).toEqual([]);
    expect(v.status).toBe("intact");
  });

  it("a lowered-heartbeat restart (10 s max gap), idle 15 s, killed, then a 60 s restart: the silence is named", async () => {
    startClock();
    const log = join(dir, "killed-lowered.log");
    await session(log, 30_000, { before: 4 }); // max gap 60 s
    await session(log, 5000, { before: 2, idleMs: 15_000, after: 1, everyRecords: 1000 });
    killBeforeFirstCheckpoint(log);
    await session(log, 30_000, { before: 4 }); // back to 60 s: the killed segment keeps its own 10 s
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM });
    expect(v.reasons.join("\n")).toMatch(
      /15\.0 s of silence inside one writer's session, more than the max gap 10\.0 s/,
    );
    expect(v.status).toBe("incomplete");
  });

  it("attack: a forged log.open (heartbeat 10^12, no key) sealed by a later honest restart without a heartbeat widens nothing", async () => {
    startClock();
    const log = join(dir, "forged-then-sealed.log");
    await session(log, 5000, { before: 4 }); // max gap 10 s
    const ls = lines(log);
    const logId = parse(ls[0]).log.id as string;
    const request = ls.map(parse).find((r) => r.event?.action === "request")!;
    const open: Rec = { ...request, event: { action: "log.open", category: "audit", outcome: "success" } };
    delete open.acs;
    delete open.http;
    open.baseline = { controls: ["LT-4"] };
    open.log = { heartbeatMs: 1e12, id: logId, reason: "restart" };
    // the forged segment: its log.open and two records of the forger's, 2 s apart (a gap for its heartbeat to judge)
    writeFileSync(log, text([...ls, ...chainAfter(ls.at(-1)!, [open, request, request], [0, 0, 2000])]));
    vi.setSystemTime(Date.now() + 3000);
    // the app restarts on the forged file with no heartbeat (everyMs 0) and is killed after a checkpoint
    await session(log, 0, { before: 5 });
    killBeforeClose(log);
    const at = Date.now() + 10 * 60_000; // verified ten minutes later
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM, at });
    expect(v.reasons.join("\n")).toMatch(/the writer's last sign of life .* more than the max gap 10\.0 s/);
    expect(v.status).toBe("incomplete");
  });
});

// Fourteenth review (/tmp/review-r2/c1_parked_overflow.mjs): past 4,096 parked segments the oldest half was judged
// with the last sealed heartbeat, looser than a killed segment's own lowered one; a flood of forged segments (no key)
// made a 15 s silence in a 10 s segment verify intact.
it("attack: 4,097 forged segments before the restart that seals a lowered-heartbeat killed segment widen nothing", async () => {
  startClock();
  const log = join(dir, "parked-flood.log");
  await session(log, 30_000, { before: 4 }); // max gap 60 s
  await session(log, 5000, { before: 2, idleMs: 15_000, after: 1, everyRecords: 1000 });
  killBeforeFirstCheckpoint(log);
  const ls = lines(log);
  const request = ls.map(parse).find((r) => r.event?.action === "request")!;
  const open: Rec = { ...request, event: { action: "log.open", category: "audit", outcome: "success" } };
  delete open.acs;
  delete open.http;
  open.baseline = { controls: ["LT-4"] };
  open.log = { heartbeatMs: 1e12, id: parse(ls[0]).log.id as string, reason: "restart" };
  const forged: string[] = [];
  let last = ls.at(-1)!;
  for (let k = 0; k < 4097; k++) {
    const segment = chainAfter(last, [open, request, request], [0, 1, 2]);
    forged.push(...segment);
    last = segment[2]!;
  }
  writeFileSync(log, text([...ls, ...forged]));
  vi.setSystemTime(Date.now() + 3000);
  await session(log, 30_000, { before: 4 });
  const v = await verifyLog(log, { publicKey: PUBLIC_PEM });
  expect(v.reasons.join("\n")).toMatch(/15\.0 s of silence inside one writer's session, more than the max gap 10\.0 s/);
  expect(v.status).toBe("incomplete");
});

// Fourteenth review (/tmp/review-r2/a1_after_close.mjs): the verifier dropped a log.open's own time, so a writer frozen
// (SIGSTOP) right after its log.open for ten minutes, then resumed, verified intact; one record later it was named.
describe("verify-log: a segment's gaps start at its log.open", () => {
  it("a writer frozen for 10 min right after its log.open (first segment, and after a closed one): the silence is named", async () => {
    for (const first of [true, false]) {
      startClock();
      const log = join(dir, `frozen-after-open-${String(first)}.log`);
      if (!first) await session(log, 5000, { before: 3 }); // closed and sealed
      await session(log, 5000, { before: 0, idleMs: 600_000, after: 3 });
      const v = await verifyLog(log, { publicKey: PUBLIC_PEM });
      expect(v.reasons.join("\n")).toMatch(/10\.0 min of silence inside one writer's session/);
      expect(v.status).toBe("incomplete");
    }
  });

  it("honest: a writer whose first record follows its log.open within the heartbeat: intact", async () => {
    startClock();
    const log = join(dir, "prompt-after-open.log");
    await session(log, 5000, { before: 3 });
    await session(log, 5000, { before: 0, idleMs: 4000, after: 3 });
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM });
    expect(v.reasons).toEqual([]);
    expect(v.status).toBe("intact");
  });
});
