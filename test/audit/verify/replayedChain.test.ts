// A writer starts a new chain at seq 1 only when it finds no record to continue in the file's last MiB, and then its
// log.open names every byte before it in its file (log.breakBytes = the file's size). So a genesis log.open after a
// break is accepted only where its breakBytes is its own offset in its file. Written as the attacks: an honest signed
// log cut right after a checkpoint, one line of the replayed chain's breakBytes, then a chain replayed from an earlier
// session signed with the same key (the same log, or another log with another id) — before, intact and closed. And a
// chain replayed into a second file, where its offset fits: the verifier has seen its records already. Then the honest
// controls: a torn first line then restarts; a restart after more than 1 MiB of foreign lines (before, tampered).
import { appendFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAuditRecorder, verifyLog } from "../../../packages/acs-baseline/src/audit/index.js";
import { GENESIS_HASH } from "../../../packages/acs-baseline/src/audit/record/canonical.js";
import { parse, REQUEST } from "../../support/auditRecords.js";
import { signingKeyFiles } from "../../support/signingKeyFiles.js";
import { tempDir } from "../../support/tempDir.js";

const dir = tempDir("acs-replayed-chain-");
const { publicKeyPem: PUBLIC_PEM, keyPath } = signingKeyFiles("acs-replayed-chain-keys-");
const LATER = Date.now() + 3 * 365 * 24 * 3600 * 1000;

const lines = (path: string): string[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);
const text = (ls: string[]): string => `${ls.join("\n")}\n`;

/** One writer session: `count` requests through a signed recorder (a checkpoint every 5 records), then close. */
async function session(path: string, count: number, tag: number): Promise<void> {
  const r = createAuditRecorder({
    destination: path,
    signing: { privateKey: keyPath, keyId: "replay-test" },
    checkpoint: { everyRecords: 5, everyMs: 60_000 },
  });
  for (let i = 0; i < count; i++) r.write(REQUEST(tag * 1000 + i));
  await r.close();
}

/** The index of the `n`-th checkpoint line after line index `from`. */
function checkpointAfter(ls: string[], from: number, n = 0): number {
  return ls.map((l, i) => [parse2(l), i] as const).filter(([r, i]) => r?.event.action === "log.checkpoint" && i > from)[
    n
  ][1];
}

describe("a chain replayed after a cut: its log.open names the bytes before it in its own file", () => {
  it("the same log's first session replayed after a cut at a checkpoint: tampered (was intact, closed)", async () => {
    const victim = join(dir, "victim.log");
    writeFileSync(victim, '{"torn":'); // the very first writer was killed mid-write of its first line
    await session(victim, 7, 1); // log.open (seq 1, break torn, breakBytes 9) … close
    const first = lines(victim);
    await session(victim, 40, 2); // a restart continues the chain
    const all = lines(victim);
    const honest = await verifyLog(victim, { publicKey: PUBLIC_PEM, at: LATER });
    expect(honest.status).toBe("intact"); // control: the honest file (torn first line, then two writers)
    const cut = checkpointAfter(all, first.length + 10);
    const open = parse(first[1]);
    expect(open).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, log: { reason: "break", break: "torn" } });
    const attack = join(dir, "replay-same.log");
    const gap = "x".repeat(open.log.breakBytes - 1);
    writeFileSync(attack, text([...all.slice(0, cut + 1), gap, ...first.slice(1)]));
    for (const at of [Date.now(), LATER]) {
      const v = await verifyLog(attack, { publicKey: PUBLIC_PEM, at });
      expect(v.status).toBe("tampered");
      expect(v.problem).toMatchObject({ kind: "inserted", line: cut + 3, seq: 1 });
      expect(v.problem?.message).toMatch(/names 9 bytes before it, but its file has \d+/);
    }
  });

  it("another log's chain (another log id, same key) replayed after a cut: tampered (was intact, closed)", async () => {
    const victim = join(dir, "victim2.log");
    await session(victim, 40, 1);
    const other = join(dir, "other.log");
    writeFileSync(other, "some header line\n");
    await session(other, 3, 2);
    const all = lines(victim);
    const b = lines(other);
    const cut = checkpointAfter(all, -1, 1);
    const attack = join(dir, "replay-other.log");
    writeFileSync(attack, text([...all.slice(0, cut + 1), "y".repeat(parse(b[1]).log.breakBytes - 1), ...b.slice(1)]));
    const v = await verifyLog(attack, { publicKey: PUBLIC_PEM, at: LATER });
    expect(v.status).toBe("tampered");
    expect(v.problem).toMatchObject({ kind: "inserted", line: cut + 3, seq: 1 });
  });

  it("a replayed chain padded so that its breakBytes is its offset, a record within the last MiB before it: tampered", async () => {
    const victim = join(dir, "victim3.log");
    await session(victim, 40, 1);
    const other = join(dir, "other3.log");
    writeFileSync(other, `${"h".repeat(1023)}\n`.repeat(600)); // another log after 600 KiB of foreign lines
    await session(other, 3, 2);
    const all = lines(victim);
    const b = lines(other).slice(600);
    const breakBytes = parse(b[0]).log.breakBytes as number;
    const kept = text(all.slice(0, checkpointAfter(all, -1, 1) + 1));
    const attack = join(dir, "replay-padded.log");
    writeFileSync(attack, `${kept}${"z".repeat(breakBytes - Buffer.byteLength(kept) - 1)}\n${text(b)}`);
    const v = await verifyLog(attack, { publicKey: PUBLIC_PEM, at: LATER });
    expect(v.status).toBe("tampered");
    expect(v.problem).toMatchObject({ kind: "inserted", seq: 1 });
    expect(v.problem?.message).toMatch(/within the last MiB a writer reads/);
  });

  it("a file's head replayed as a second file (its offset fits): tampered, its records were seen already", async () => {
    const victim = join(dir, "head.log");
    writeFileSync(victim, '{"torn":');
    await session(victim, 12, 1);
    const copy = join(dir, "head-copy.log");
    writeFileSync(copy, readFileSync(victim));
    const v = await verifyLog([victim, copy], { publicKey: PUBLIC_PEM, at: LATER });
    expect(v.status).toBe("tampered");
    expect(v.problem).toMatchObject({ kind: "inserted", file: copy, line: 2, seq: 1 });
    expect(v.problem?.message).toMatch(/replayed/);
  });
});

describe("honest restarts at seq 1", () => {
  it("a torn first line, then a writer, then a restart that continues: intact", async () => {
    const path = join(dir, "torn-first.log");
    writeFileSync(path, '{"torn":');
    await session(path, 4, 1);
    await session(path, 4, 2);
    const v = await verifyLog(path, { publicKey: PUBLIC_PEM, at: LATER });
    expect(v.reasons).toEqual([]);
    expect(v.status).toBe("intact");
  });

  it("more than 1 MiB of foreign lines after the last record: the writer starts again at seq 1, naming the whole file; intact", async () => {
    const path = join(dir, "big-foreign.log");
    await session(path, 6, 1);
    const foreignLine = `${"f".repeat(1023)}\n`;
    appendFileSync(path, foreignLine.repeat(1100)); // 1.07 MiB another program wrote after the last record
    const size = statSync(path).size;
    await session(path, 6, 2);
    const restart = lines(path)
      .map(parse2)
      .find((r) => r?.seq === 1 && r.log?.reason === "break");
    expect(restart).toMatchObject({ prevHash: GENESIS_HASH, log: { break: "foreign", breakBytes: size } });
    const v = await verifyLog(path, { publicKey: PUBLIC_PEM, at: LATER });
    expect(v.problem).toBeUndefined();
    expect(v.reasons).toEqual([]);
    expect(v.status).toBe("intact");
    expect(v.closed).toBe(true);
    expect(v.warnings.join("\n")).toMatch(/a new chain starts/);
  });
});

/** Parses a line, or undefined for a foreign one. */
function parse2(line: string): ReturnType<typeof parse> | undefined {
  try {
    return parse(line);
  } catch {
    return undefined;
  }
}
