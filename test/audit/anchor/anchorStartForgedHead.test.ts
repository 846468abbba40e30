// The writer's check at start, attacked through the anchor alone: someone who can append to the anchor (not sign)
// copies the log's last genuine signed checkpoint into a line whose own `seq` is far ahead or not a whole number, and
// rehashes it. The signature covers the checkpoint's head, not the line's seq: a writer that took the line's seq
// continued its chain from a number the verifier never accepts (fractional, or past 2^53 where +1 is lost).
import { generateKeyPairSync } from "node:crypto";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAuditRecorder, verifyLog } from "../../../packages/acs-baseline/src/audit/index.js";
import { canonicalJson, sha256Hex } from "../../../packages/acs-baseline/src/audit/record/canonical.js";
import type { Rec } from "../../support/auditRecords.js";
import { parse, REQUEST } from "../../support/auditRecords.js";
import { tempDir } from "../../support/tempDir.js";

const dir = tempDir("acs-anchor-forged-head-");
const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const PUBLIC_PEM = publicKey.export({ type: "spki", format: "pem" }).toString();
const keyPath = join(tempDir("acs-anchor-forged-head-keys-"), "audit.pem");
writeFileSync(keyPath, privateKey.export({ type: "pkcs8", format: "pem" }).toString(), { mode: 0o600 });

const lines = (path: string): string[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);

/** `rec` with its `seq` replaced and its hash computed again, as anyone can. */
function reseq(rec: Rec, seq: number): string {
  const own: Rec = { ...rec, seq };
  delete own.hash;
  const canon = canonicalJson(own);
  return `${canon.slice(0, -1)},"hash":"${sha256Hex(canon)}"}`;
}

async function run(log: string, anchor: string, count: number, from: number): Promise<void> {
  const r = createAuditRecorder({
    destination: log,
    signing: { privateKey: keyPath, keyId: "forged-head-test" },
    checkpoint: { everyRecords: 5, everyMs: 0 },
    anchor: { file: { path: anchor } },
  });
  for (let i = 0; i < count; i++) r.write(REQUEST(from + i));
  await r.close();
}

describe("the writer's check at start, against a line appended to the anchor", () => {
  for (const [name, seq] of [
    ["past 2^53", 2 ** 53 + 8],
    ["fractional", 40.5],
    ["not above the head it seals", 1],
  ] as const) {
    it(`a genuine signed checkpoint re-sequenced ${name}: not a head to continue from`, async () => {
      const log = join(dir, `${name.replace(/\W+/g, "-")}.log`);
      const anchor = `${log}.anchor`;
      await run(log, anchor, 7, 0);
      const last = parse(lines(anchor).at(-1)!);
      appendFileSync(anchor, `${reseq(last, seq)}\n`);
      const before = lines(log).length;
      await run(log, anchor, 3, 100);
      const after = lines(log).slice(before).map(parse);
      const open = after.find((x) => x.event.action === "log.open");
      expect(open?.log.reason).toBe("restart");
      const seqs = lines(log).map((l) => parse(l).seq as number);
      seqs.forEach((s, i) => expect(s).toBe(i + 1));
      expect((await verifyLog(log, { publicKey: PUBLIC_PEM })).status).toBe("intact");
    });
  }
});
