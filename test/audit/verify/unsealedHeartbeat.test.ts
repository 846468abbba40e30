// The max gap comes from a log.open a checkpoint sealed. An attacker who can write the log but has no key appends a
// chained, unsigned `log.open` (`restart`, same log id) declaring a huge heartbeat: it must not widen the max gap, so a
// cut or rewritten tail after the last checkpoint stays incomplete (a real signed log, written by the recorder, then
// forged as the review did).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAuditRecorder, verifyLog } from "../../../packages/acs-baseline/src/audit/index.js";
import { canonicalJson, sha256Hex } from "../../../packages/acs-baseline/src/audit/record/canonical.js";
import type { Rec } from "../../support/auditRecords.js";
import { parse, REQUEST } from "../../support/auditRecords.js";
import { signingKeyFiles } from "../../support/signingKeyFiles.js";
import { tempDir } from "../../support/tempDir.js";

const dir = tempDir("acs-unsealed-heartbeat-");
const { publicKeyPem: PUBLIC_PEM, keyPath } = signingKeyFiles("acs-unsealed-heartbeat-keys-");
const HEARTBEAT_MS = 60_000;
/** Ten minutes after the log was written: its unsealed tail is older than the max gap (2 × 60 s). */
const LATER = (): number => Date.now() + 10 * 60_000;

const lines = (path: string): string[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);

/** Writes `count` requests through a signed, anchored recorder (a checkpoint every 5 records) and closes it. */
async function writeLog(name: string, count: number): Promise<{ path: string; anchor: string }> {
  const path = join(dir, `${name}.log`);
  const anchor = join(dir, `${name}-anchor.jsonl`);
  const r = createAuditRecorder({
    destination: path,
    signing: { privateKey: keyPath, keyId: "heartbeat-test" },
    checkpoint: { everyRecords: 5, everyMs: HEARTBEAT_MS },
    anchor: { file: { path: anchor } },
  });
  for (let i = 0; i < count; i++) r.write(REQUEST(i));
  await r.close();
  return { path, anchor };
}

/** Chains `recs` after `last` (the line they follow), in canonical form, as a writer without a key would. */
function rechain(last: string, recs: Rec[]): string[] {
  let prev = parse(last);
  return recs.map((r) => {
    const rec: Rec = { ...r, seq: prev.seq as number, prevHash: prev.hash as string };
    delete rec.hash;
    rec.seq = (prev.seq as number) + 1;
    const canon = canonicalJson(rec);
    const hash = sha256Hex(canon);
    prev = { seq: rec.seq, hash };
    return `${canon.slice(0, -1)},"hash":"${hash}"}`;
  });
}

/** The forged restart: same log id, a heartbeat of 10^12 ms (about 63 years), nothing signed. */
function forgedOpen(logId: string): Rec {
  return {
    baseline: { controls: ["LT-4"] },
    event: { action: "log.open", category: "audit", outcome: "success" },
    level: "info",
    log: { heartbeatMs: 1e12, id: logId, reason: "restart" },
    schema: "acs-baseline.audit/1",
    time: new Date().toISOString(),
  };
}

/** The index of the last checkpoint line that is not the final (closing) one. */
function lastCheckpoint(ls: string[]): number {
  for (let i = ls.length - 1; i >= 0; i--) {
    const r = parse(ls[i]);
    if (r.event?.action === "log.checkpoint" && r.checkpoint?.close !== true) return i;
  }
  return -1;
}

/**
 * Verifies with the key and the anchor as a killed writer left it: its lines up to the file's last kept checkpoint
 * (`upTo`, its seq), so the anchor holds no cut tail.
 */
async function verify(path: string, anchor: string, upTo: number): Promise<Awaited<ReturnType<typeof verifyLog>>> {
  const anchorLines = lines(anchor).filter((l) => (parse(l).seq as number) <= upTo);
  return verifyLog(path, { publicKey: PUBLIC_PEM, anchorLines, at: LATER() });
}

describe("verify-log: an unsealed log.open does not widen the max gap", () => {
  it("a tail cut after a checkpoint, with a forged restart declaring a huge heartbeat, is incomplete", async () => {
    const { path, anchor } = await writeLog("cut", 12);
    const ls = lines(path);
    const cp = lastCheckpoint(ls);
    const logId = parse(ls[0]).log.id as string;
    // keep up to the last checkpoint and two records after it, then the forged log.open and one more record
    const kept = ls.slice(0, cp + 3);
    const tail = rechain(kept.at(-1)!, [forgedOpen(logId), parse(ls[cp + 3])]);
    const forged = join(dir, "cut-forged.log");
    writeFileSync(forged, `${[...kept, ...tail].join("\n")}\n`);
    const v = await verify(forged, anchor, parse(ls[cp]).seq as number);
    expect(v.reasons.join("\n")).toMatch(/unsealed.*older than the max gap 2\.0 min/);
    expect(v.status).toBe("incomplete");
  });

  it("a killed writer's unsealed tail, a record removed and rechained, with a forged restart, is incomplete", async () => {
    const { path, anchor } = await writeLog("killed", 12);
    const ls = lines(path);
    const cp = lastCheckpoint(ls);
    const killed = ls.slice(0, cp + 4); // the writer was killed: three unsealed records after the checkpoint
    const kept = killed.slice(0, cp + 1);
    const logId = parse(ls[0]).log.id as string;
    // drop the first unsealed record, rechain the others, append the forged log.open
    const tail = rechain(kept.at(-1)!, [...killed.slice(cp + 2).map(parse), forgedOpen(logId)]);
    const forged = join(dir, "killed-forged.log");
    writeFileSync(forged, `${[...kept, ...tail].join("\n")}\n`);
    const upTo = parse(ls[cp]).seq as number;
    const v = await verify(forged, anchor, upTo);
    expect(v.reasons.join("\n")).toMatch(/unsealed.*older than the max gap 2\.0 min/);
    expect(v.status).toBe("incomplete");
    // without the forgery the killed writer's tail is incomplete for the same reason
    const plain = join(dir, "killed.log");
    writeFileSync(plain, `${killed.join("\n")}\n`);
    expect((await verify(plain, anchor, upTo)).status).toBe("incomplete");
  });

  it("a sealed log.open's heartbeat still sets the max gap (an honest restart)", async () => {
    const path = join(dir, "restart.log");
    const anchor = join(dir, "restart-anchor.jsonl");
    for (const everyMs of [HEARTBEAT_MS, 10 * HEARTBEAT_MS]) {
      const r = createAuditRecorder({
        destination: path,
        signing: { privateKey: keyPath, keyId: "heartbeat-test" },
        checkpoint: { everyRecords: 5, everyMs },
        anchor: { file: { path: anchor } },
      });
      for (let i = 0; i < 7; i++) r.write(REQUEST(i));
      await r.close();
    }
    const ls = lines(path);
    // cut the final close: the last checkpoint seals the restart's log.open (heartbeat 10 min: max gap 20 min)
    const cp = lastCheckpoint(ls);
    const cut = join(dir, "restart-cut.log");
    writeFileSync(cut, `${ls.slice(0, cp + 2).join("\n")}\n`);
    const v = await verify(cut, anchor, parse(ls[cp]).seq as number);
    expect(v.warnings.join("\n")).toMatch(/unsealed.*within the max gap 20\.0 min/);
    expect(v.status).toBe("intact");
  });
});
