// The host attacker erases a whole anchored log instead of cutting it: delete (or empty) the audit file and let the
// app start again. The new writer draws a new log id, signs honestly and anchors its own checkpoints, so the new file
// verifies on its own; but the anchor still holds the erased log's signed checkpoints. What was anchored must stay
// history: the verifier names every other log the anchor holds (incomplete), with the honest control beside it.
import { readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAuditRecorder, verifyLog } from "../../../packages/acs-baseline/src/audit/index.js";
import { canonicalJson, sha256Hex } from "../../../packages/acs-baseline/src/audit/record/canonical.js";
import { REQUEST, parse } from "../../support/auditRecords.js";
import { signingKeyFiles } from "../../support/signingKeyFiles.js";
import { tempDir } from "../../support/tempDir.js";
import { verifyLogCli } from "../../support/verifyLogCli.js";

const dir = tempDir("acs-anchor-erase-");
const { publicKeyPem: PUBLIC_PEM, keyPath, pubPath } = signingKeyFiles("acs-anchor-erase-keys-");

const lines = (path: string): string[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);

/** One run of the app: `count` requests through a signed, file-anchored recorder, then close. */
async function run(log: string, anchor: string, count: number, first = 0): Promise<void> {
  const r = createAuditRecorder({
    destination: log,
    signing: { privateKey: keyPath, keyId: "erase-test" },
    checkpoint: { everyRecords: 5, everyMs: 0 },
    anchor: { file: { path: anchor } },
  });
  for (let i = 0; i < count; i++) r.write(REQUEST(first + i));
  await r.close();
}

const logIdOf = (log: string): string => parse(lines(log)[0]).log.id as string;

describe("erasing an anchored log and starting a new one", () => {
  it.each([
    ["deleted", (log: string) => rmSync(log)],
    ["emptied", (log: string) => truncateSync(log, 0)],
  ])("the file %s, then the app restarts under a new log id: incomplete, naming the erased log", async (how, erase) => {
    const log = join(dir, `${how}.log`);
    const anchor = join(dir, `${how}.anchor`);
    await run(log, anchor, 12);
    const erased = logIdOf(log);
    erase(log);
    await run(log, anchor, 3, 100);
    expect(logIdOf(log)).not.toBe(erased);
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: lines(anchor) });
    expect(v.status, v.reasons.join()).toBe("incomplete");
    expect(v.reasons.join("\n")).toMatch(
      new RegExp(`the anchor also holds 1 other log besides this one: log id ${erased}`),
    );
    const out = await verifyLogCli([log, "--anchor", anchor, "--public-key", pubPath], dir);
    expect(out.code).toBe(1);
    expect(out.out).toMatch(/INCOMPLETE/);
    expect(out.out).toContain(erased);
  });

  it("control: restarts on the same file keep one log id and verify intact against the same anchor", async () => {
    const log = join(dir, "honest.log");
    const anchor = join(dir, "honest.anchor");
    await run(log, anchor, 12);
    await run(log, anchor, 3, 100);
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: lines(anchor) });
    expect(v.status, v.reasons.join()).toBe("intact");
  });

  it("an unsigned checkpoint of another log appended to the anchor is not a log (with --public-key): still intact", async () => {
    const log = join(dir, "forged.log");
    const anchor = join(dir, "forged.anchor");
    await run(log, anchor, 7);
    const cp = parse(lines(anchor).at(-1)!);
    // another log id under the old signature, the line's own hash made right: only the key can tell
    cp.checkpoint.logId = "f".repeat(32);
    delete cp.hash;
    const canon = canonicalJson(cp);
    writeFileSync(anchor, `${readFileSync(anchor, "utf8")}${canon.slice(0, -1)},"hash":"${sha256Hex(canon)}"}\n`);
    const v = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines: lines(anchor) });
    expect(v.status, v.reasons.join()).toBe("intact");
    expect(v.warnings.join()).toMatch(/1 of the anchor's \d+ lines are not valid/);
  });
});
