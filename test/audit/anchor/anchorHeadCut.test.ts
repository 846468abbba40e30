// The attack (third review): cut the head of a live log instead of its tail. A file that starts with a `log.open`
// was accepted as "continues an earlier file that was not given" (intact, a warning) whatever its reason, so a host
// attacker could empty the live file (the writer went on with `log.open` `truncated`), keep only the lines from the
// last restart on (`restart`), or first let a cut be named by `anchor-ahead` and then drop everything before that
// `log.open`: each verified intact, exit 0, though the anchor held signed checkpoints of the erased records. Only a
// rotation or a reopen begins a file of its own; every other `log.open` is written after records of the same file,
// so a file that starts with one lost its head (tampered: removed).
import { appendFileSync, readFileSync, renameSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAuditRecorder, verifyLog } from "../../../packages/acs-baseline/src/audit/index.js";
import { REQUEST, parse } from "../../support/auditRecords.js";
import { signingKeyFiles } from "../../support/signingKeyFiles.js";
import { tempDir } from "../../support/tempDir.js";
import { verifyLogCli } from "../../support/verifyLogCli.js";

const dir = tempDir("acs-anchor-headcut-");
const { publicKeyPem: PUBLIC_PEM, keyPath, pubPath } = signingKeyFiles("acs-anchor-headcut-keys-");

const lines = (path: string): string[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);
const text = (ls: string[]) => `${ls.join("\n")}\n`;
/** A record that is written at once, with the queued request records before it. */
const WRITTEN_AT_ONCE = { action: "client.create", outcome: "success", controls: ["IM-1"] } as const;

function recorder(log: string, anchor: string) {
  return createAuditRecorder({
    destination: log,
    signing: { privateKey: keyPath, keyId: "headcut-test" },
    checkpoint: { everyRecords: 4, everyMs: 0 },
    anchor: { file: { path: anchor } },
  });
}

/** One run of the app: `count` requests, then close. */
async function run(log: string, anchor: string, count: number, first = 0): Promise<void> {
  const r = recorder(log, anchor);
  for (let i = 0; i < count; i++) r.write(REQUEST(first + i));
  await r.close();
}

/** Only the lines from the last `log.open` of `reason` on. */
function keepFromLast(log: string, reason: string): number {
  const all = lines(log);
  let at = all.length - 1;
  while (at >= 0 && !(parse(all[at]).event.action === "log.open" && parse(all[at]).log.reason === reason)) at--;
  expect(at).toBeGreaterThan(0);
  writeFileSync(log, text(all.slice(at)));
  return parse(all[at]).seq as number;
}

async function expectHeadLost(log: string, anchor: string, firstSeq: number, words: RegExp): Promise<void> {
  for (const options of [{ publicKey: PUBLIC_PEM, anchorLines: lines(anchor) }, { publicKey: PUBLIC_PEM }, {}]) {
    const v = await verifyLog(log, options);
    expect(v.status, v.reasons.join()).toBe("tampered");
    expect(v.problem).toMatchObject({ kind: "removed", seq: firstSeq, line: 1 });
    expect(v.problem?.message).toMatch(words);
  }
  const out = await verifyLogCli([log, "--anchor", anchor, "--public-key", pubPath], dir);
  expect(out.code).toBe(1);
  expect(out.out).toMatch(/TAMPERED/);
}

describe("a log whose head was cut", () => {
  it("emptied while the app runs: the writer's log.open (truncated) starts the file, and the records before it are named lost", async () => {
    const log = join(dir, "emptied.log");
    const anchor = join(dir, "emptied.anchor");
    const r = recorder(log, anchor);
    for (let i = 0; i < 9; i++) r.write(REQUEST(i));
    r.write(WRITTEN_AT_ONCE);
    truncateSync(log, 0);
    for (let i = 0; i < 3; i++) r.write(REQUEST(100 + i));
    await r.close();
    const first = parse(lines(log)[0]);
    expect(first).toMatchObject({ event: { action: "log.open" }, log: { reason: "truncated" } });
    await expectHeadLost(log, anchor, first.seq as number, /were emptied out of this file/);
  });

  it("three runs into one file, only the last restart kept: removed, not a file of its own", async () => {
    const log = join(dir, "restart.log");
    const anchor = join(dir, "restart.anchor");
    await run(log, anchor, 6);
    await run(log, anchor, 6, 10);
    await run(log, anchor, 6, 20);
    const seq = keepFromLast(log, "restart");
    await expectHeadLost(
      log,
      anchor,
      seq,
      /log\.open \(restart\) that a writer only writes after records already in the file/,
    );
  });

  it("a cut named by the restarted writer (anchor-ahead), then everything before that log.open dropped: removed", async () => {
    const log = join(dir, "ahead.log");
    const anchor = join(dir, "ahead.anchor");
    await run(log, anchor, 14);
    const all = lines(log);
    const cutAt = all.findIndex((l) => parse(l).event.action === "log.checkpoint") + 1;
    writeFileSync(log, text(all.slice(0, cutAt)));
    await run(log, anchor, 3, 100);
    const named = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: lines(anchor) });
    expect(named.status, named.reasons.join()).toBe("incomplete");
    const seq = keepFromLast(log, "anchor-ahead");
    await expectHeadLost(log, anchor, seq, /log\.open \(anchor-ahead\)/);
  });

  it("controls: a rotated or reopened file alone still verifies with the warning; the copy given first verifies whole", async () => {
    const log = join(dir, "rotated.log");
    const anchor = join(dir, "rotated.anchor");
    const r = recorder(log, anchor);
    for (let i = 0; i < 5; i++) r.write(REQUEST(i));
    renameSync(log, `${log}.1`);
    await r.reopen();
    for (let i = 0; i < 3; i++) r.write(REQUEST(10 + i));
    await r.close();
    const alone = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: lines(anchor) });
    expect(alone.status, alone.reasons.join()).toBe("intact");
    expect(alone.warnings.join()).toMatch(/log\.open \(reopen\): it continues an earlier file that was not given/);
    expect((await verifyLog([`${log}.1`, log], { publicKey: PUBLIC_PEM })).status).toBe("intact");
    // copytruncate done honestly: the copy, then the live file, is one chain
    const ct = join(dir, "ct.log");
    const ctAnchor = join(dir, "ct.anchor");
    const w = recorder(ct, ctAnchor);
    for (let i = 0; i < 5; i++) w.write(REQUEST(i));
    w.write(WRITTEN_AT_ONCE);
    appendFileSync(`${ct}.1`, readFileSync(ct));
    truncateSync(ct, 0);
    for (let i = 0; i < 3; i++) w.write(REQUEST(10 + i));
    await w.close();
    const both = await verifyLog([`${ct}.1`, ct], { publicKey: PUBLIC_PEM, anchorLines: lines(ctAnchor) });
    expect(both.status, both.reasons.join()).toBe("intact");
  });
});
