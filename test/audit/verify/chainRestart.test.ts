// A chain that starts again at seq 1 (a writer that found no record to continue after a break) is a chain of its own:
// its checkpoints cannot seal the earlier chain's records, and the earlier chain's checkpoints cannot seal its
// records. Written as the attack: cut an honest signed log after a checkpoint, append more than a MiB of foreign lines, then a forged
// chain that restarts at seq 1 (log.open naming the break, same log id) and ends in a forged log.close — nothing
// signed. Then the honest control: a writer that restarts at seq 1 after a foreign file verifies intact. And an
// empty or missing log next to an empty anchor corroborates nothing.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AuditOptions } from "../../../packages/acs-baseline/src/audit/index.js";
import { createAuditRecorder, verifyLog } from "../../../packages/acs-baseline/src/audit/index.js";
import { GENESIS_HASH, canonicalJson, sha256Hex } from "../../../packages/acs-baseline/src/audit/record/canonical.js";
import { verifyLogCommand } from "../../../packages/cli/src/commands/verifyLog.js";
import { runCaptured } from "../../support/captureOutput.js";
import type { Rec } from "../../support/auditRecords.js";
import { parse, REQUEST } from "../../support/auditRecords.js";
import { signingKeyFiles } from "../../support/signingKeyFiles.js";
import { tempDir } from "../../support/tempDir.js";

const dir = tempDir("acs-chain-restart-");
const { publicKeyPem: PUBLIC_PEM, keyPath, pubPath } = signingKeyFiles("acs-chain-restart-keys-");
const HEARTBEAT_MS = 60_000;
const THREE_YEARS_MS = 3 * 365 * 24 * 3600 * 1000;

const lines = (path: string): string[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);
const text = (ls: string[]): string => `${ls.join("\n")}\n`;

/** Writes `count` requests through a signed recorder (a checkpoint every 5 records) and closes it. */
async function writeLog(path: string, count: number, options: Partial<AuditOptions> = {}): Promise<void> {
  const r = createAuditRecorder({
    destination: path,
    signing: { privateKey: keyPath, keyId: "restart-test" },
    checkpoint: { everyRecords: 5, everyMs: HEARTBEAT_MS },
    ...options,
  });
  for (let i = 0; i < count; i++) r.write(REQUEST(i));
  await r.close();
}

/** A record line in canonical form with its hash, as a writer would write it (no signature anywhere). */
function seal(rec: Rec): string {
  const canon = canonicalJson(rec);
  return `${canon.slice(0, -1)},"hash":"${sha256Hex(canon)}"}`;
}

/** Chains records from seq 1 after the genesis hash. */
function forgeChain(recs: Rec[]): string[] {
  let prevHash = GENESIS_HASH;
  return recs.map((r, i) => {
    const line = seal({ ...r, seq: i + 1, prevHash });
    prevHash = parse(line).hash;
    return line;
  });
}

const FOREIGN = '{"foreign":1}';
/**
 * More than a MiB of foreign lines: only past that may a chain start again at seq 1 after records of the same file (a
 * restarting writer reads its file's last MiB for the record to continue; test/audit/verify/replayedChain.test.ts).
 */
const BIG_FOREIGN = Array.from({ length: 1100 }, () => "f".repeat(1023)).join("\n");

/**
 * The attack: the honest log cut after its third checkpoint, more than a MiB of foreign lines, and a forged chain
 * restarting at seq 1: log.open (break, breakBytes = every byte before it, the log's id), `requests` forged request
 * records, and a forged log.close.
 */
async function attackFile(name: string, requests: number, close = true): Promise<{ path: string; cutSeq: number }> {
  const honest = join(dir, `${name}.honest.log`);
  await writeLog(honest, 36);
  const all = lines(honest);
  const cps = all.map((l, i) => [parse(l), i] as const).filter(([r]) => r.event.action === "log.checkpoint");
  const cut = cps[2][1];
  const open0 = parse(all[0]);
  const base = {
    baseline: { controls: ["LT-4"] },
    level: "info",
    schema: "acs-baseline.audit/1",
    time: new Date(Date.now() - 1000).toISOString(),
  };
  const forged = forgeChain([
    {
      ...base,
      level: "warn",
      event: { action: "log.open", category: "audit", outcome: "success" },
      log: {
        reason: "break",
        break: "foreign",
        breakBytes: Buffer.byteLength(text([...all.slice(0, cut + 1), BIG_FOREIGN])),
        id: open0.log.id,
        heartbeatMs: open0.log.heartbeatMs,
      },
    },
    ...Array.from({ length: requests }, (_, i) => ({
      ...base,
      baseline: { controls: ["IM-1", "LT-4"] },
      acs: { client: "SmsClient", endpoint: "contoso.communication.azure.com" },
      event: { action: "request", category: "web", outcome: "success" },
      http: { method: "POST", path: "/sms", status: 202, durationMs: 5, requestId: `${i}`.padStart(8, "0") },
    })),
    ...(close
      ? [
          {
            ...base,
            event: { action: "log.close", category: "audit", outcome: "success" },
            log: { firstSeq: 1, records: requests + 1 },
          },
        ]
      : []),
  ]);
  const path = join(dir, `${name}.log`);
  writeFileSync(path, text([...all.slice(0, cut + 1), BIG_FOREIGN, ...forged]));
  return { path, cutSeq: parse(all[cut]).seq };
}

const cli = (args: string[]) =>
  runCaptured((io) => verifyLogCommand(args, { ...io, env: {}, cwd: dir, stderrIsTTY: false }));

describe("a chain that restarts at seq 1 is sealed only by its own checkpoints", () => {
  it("cut after a checkpoint + foreign line + forged chain from seq 1 ending in log.close: incomplete (close not sealed)", async () => {
    const { path, cutSeq } = await attackFile("forged-close", 0);
    expect(cutSeq).toBeGreaterThan(3); // the old chain's seal is above the forged chain's seqs
    const v = await verifyLog(path, { publicKey: PUBLIC_PEM });
    expect(v.status).toBe("incomplete");
    expect(v.reasons.join("\n")).toMatch(/log\.close at line \d+ \(seq 2\) is not sealed by a checkpoint/);
    expect(v.sealedSeq).toBeUndefined(); // no checkpoint of the last chain
    const later = await verifyLog(path, { publicKey: PUBLIC_PEM, at: Date.now() + THREE_YEARS_MS });
    expect(later.status).toBe("incomplete");
    const run = await cli([path, "--public-key", pubPath]);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^INCOMPLETE/);
  });

  it("the same with a forged request record before the forged close: incomplete, the forged records named unsealed", async () => {
    const { path } = await attackFile("forged-request", 1);
    const v = await verifyLog(path, { publicKey: PUBLIC_PEM, at: Date.now() + THREE_YEARS_MS });
    expect(v.status).toBe("incomplete");
    const reasons = v.reasons.join("\n");
    expect(reasons).toMatch(/log\.close at line \d+ \(seq 3\) is not sealed/);
    expect(reasons).toMatch(/3 record\(s\) from seq 1 .* are unsealed/);
  });

  it("a forged chain without a close, verified later: incomplete (unsealed, and the writer's last sign of life)", async () => {
    const { path } = await attackFile("forged-open", 2, false);
    const v = await verifyLog(path, { publicKey: PUBLIC_PEM, at: Date.now() + THREE_YEARS_MS });
    expect(v.status).toBe("incomplete");
    const reasons = v.reasons.join("\n");
    expect(reasons).toMatch(/3 record\(s\) from seq 1 .* are unsealed/);
    expect(reasons).toMatch(/last sign of life/);
  });

  it("a forged log.close in the chain before the restart is not sealed by the next chain's checkpoints", async () => {
    // file 1: an honest signed log cut after a checkpoint, with a forged log.close chained to the cut
    const honest = join(dir, "old-close.honest.log");
    await writeLog(honest, 36);
    const all = lines(honest);
    const cut = all.findIndex((l, i) => i > 10 && parse(l).event.action === "log.checkpoint");
    const last = parse(all[cut]);
    const forgedClose = seal({
      baseline: { controls: ["LT-4"] },
      event: { action: "log.close", category: "audit", outcome: "success" },
      level: "info",
      log: { firstSeq: 1, records: last.seq },
      prevHash: last.hash,
      schema: "acs-baseline.audit/1",
      seq: last.seq + 1,
      time: new Date().toISOString(),
    });
    // then more than a MiB of foreign lines, and an honest writer, which finds no record in its file's last MiB and
    // starts a chain of its own at seq 1
    const path = join(dir, "old-close.log");
    writeFileSync(path, text([...all.slice(0, cut + 1), forgedClose, BIG_FOREIGN]));
    await writeLog(path, 3);
    const restarted = lines(path)
      .slice(cut + 2 + 1100)
      .map(parse);
    expect(restarted[0]).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, log: { reason: "break" } });
    const v = await verifyLog([path], { publicKey: PUBLIC_PEM });
    expect(v.status).toBe("incomplete");
    expect(v.reasons.join("\n")).toMatch(
      new RegExp(`log\\.close at line ${cut + 2} \\(seq ${last.seq + 1}\\) is not sealed`),
    );
  });

  it("honest: a closed signed log, then a writer that restarts at seq 1 after more than a MiB of foreign lines: intact", async () => {
    const path = join(dir, "honest.log");
    await writeLog(path, 12);
    writeFileSync(path, text([...lines(path), BIG_FOREIGN]));
    await writeLog(path, 7);
    const v = await verifyLog([path], { publicKey: PUBLIC_PEM });
    expect(v.reasons).toEqual([]);
    expect(v.status).toBe("intact");
    expect(v.closed).toBe(true);
    expect(v.lastSeq).toBe(parse(lines(path).at(-1) ?? "").seq);
    expect(v.sealedSeq).toBe(v.lastSeq !== undefined ? v.lastSeq - 1 : -1); // the final checkpoint seals log.close
    expect(v.warnings.join("\n")).toMatch(/a new chain starts/);
  });

  it("a chain that starts again at seq 1 in a later file is another log's: tampered (the files of two logs cannot be verified together)", async () => {
    const first = join(dir, "two.1.log");
    await writeLog(first, 12);
    const second = join(dir, "two.log");
    writeFileSync(second, `${FOREIGN}\n`);
    await writeLog(second, 7);
    const v = await verifyLog([first, second], { publicKey: PUBLIC_PEM });
    expect(v.status).toBe("tampered");
    expect(v.reasons.join("\n")).toMatch(/in a later file than the chain before it/);
  });

  it("honest: a writer killed before its chain was sealed, then a new chain at seq 1: the old unsealed records are named", async () => {
    const path = join(dir, "killed.log");
    await writeLog(path, 12);
    const all = lines(path);
    // the writer died after writing three more requests (the file as SIGKILL leaves it: no close, no checkpoint)
    const lastRequest = all.map((l) => String(parse(l).event.action)).lastIndexOf("request");
    writeFileSync(path, text([...all.slice(0, lastRequest + 1), BIG_FOREIGN]));
    await writeLog(path, 2);
    const v = await verifyLog([path], { publicKey: PUBLIC_PEM });
    expect(v.status).toBe("incomplete");
    expect(v.reasons.join("\n")).toMatch(/records \d+–\d+ of the chain that ends at .*line \d+.* are unsealed/);
  });
});

describe("an empty or missing log next to an empty anchor", () => {
  it("an empty log and an empty anchor: incomplete, the anchor corroborates nothing", async () => {
    const log = join(dir, "empty.log");
    const anchor = join(dir, "empty.anchor");
    writeFileSync(log, "");
    writeFileSync(anchor, "");
    const v = await verifyLog(log, { anchorLines: [] });
    expect(v.status).toBe("incomplete");
    expect(v.reasons.join("\n")).toMatch(/corroborates nothing/);
    const run = await cli([log, "--anchor", anchor]);
    expect(run.code).toBe(1);
  });

  it("a missing log and an empty anchor: exit 2, as without --anchor", async () => {
    const anchor = join(dir, "empty2.anchor");
    writeFileSync(anchor, "");
    const missing = join(dir, "does-not-exist.log");
    const without = await cli([missing]);
    expect(without.code).toBe(2);
    const run = await cli([missing, "--anchor", anchor]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/ENOENT/);
    await expect(verifyLog(missing, { anchorLines: [], missingAsEmpty: true })).rejects.toMatchObject({
      code: "ENOENT",
    });
  });

  it("a missing log and an anchor with this log's checkpoints: incomplete (exit 1), the anchor proves records", async () => {
    const log = join(dir, "gone.log");
    const anchor = join(dir, "gone.anchor");
    await writeLog(log, 6, { anchor: { file: { path: anchor } } });
    rmSync(log); // the anchor stays; the log is removed
    const run = await cli([log, "--anchor", anchor]);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/the anchor holds \d+ lines/);
  });
});
