// A restart may declare another heartbeat than the segment before it. The gaps inside a segment are judged with that
// segment's own heartbeat once a valid checkpoint seals its log.open (a raised heartbeat is no silence, a lowered one
// is stricter), and with the last sealed heartbeat when nothing ever seals it (see unsealedHeartbeat.test.ts for the
// forged log.open this protects against). Real logs, written by the recorder: one segment, closed, then a restart on
// the same file whose event loop is blocked 1.5 s between two records (no timer, so no heartbeat, can fire).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAuditRecorder, verifyLog } from "../../../packages/acs-baseline/src/audit/index.js";
import { parse, REQUEST } from "../../support/auditRecords.js";
import { signingKeyFiles } from "../../support/signingKeyFiles.js";
import { tempDir } from "../../support/tempDir.js";

const dir = tempDir("acs-raised-heartbeat-");
const { publicKeyPem: PUBLIC_PEM, keyPath } = signingKeyFiles("acs-raised-heartbeat-keys-");
const IDLE_MS = 1500;
const SILENCE = /of silence inside one writer's session/;

const lines = (path: string): string[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);

/** Blocks the event loop for `ms` (a writer that is not running: no heartbeat can fire meanwhile). */
function block(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    /* busy */
  }
}

/**
 * Two segments on one file: `first` ms heartbeat, one request, closed; then a restart with a `second` ms heartbeat,
 * one request, {@link IDLE_MS} of silence, another request, closed (its closing checkpoint seals its log.open).
 */
async function writeRestart(name: string, first: number, second: number, signed: boolean): Promise<string> {
  const path = join(dir, `${name}.log`);
  for (const everyMs of [first, second]) {
    const r = createAuditRecorder({
      destination: path,
      checkpoint: { everyRecords: 1000, everyMs },
      ...(signed ? { signing: { privateKey: keyPath, keyId: "raised-heartbeat-test" } } : {}),
    });
    r.write(REQUEST(0));
    if (everyMs === second) {
      block(IDLE_MS);
      r.write(REQUEST(1));
    }
    await r.close();
  }
  return path;
}

describe("verify-log: each segment's gaps are judged with its own sealed heartbeat", () => {
  it("an honest restart that raises the heartbeat (1 s to 6 s max gap), idle 1.5 s, is intact", async () => {
    const path = await writeRestart("raised", 500, 3000, true);
    const v = await verifyLog(path, { publicKey: PUBLIC_PEM });
    expect(v.reasons).toEqual([]);
    expect(v.warnings.join("\n")).not.toMatch(SILENCE);
    expect(v.status).toBe("intact");
  });

  it("the same restart without a key (unsigned checkpoints seal its log.open) is not warned about", async () => {
    const path = await writeRestart("raised-unsigned", 500, 3000, false);
    const v = await verifyLog(path);
    expect(v.warnings.join("\n")).not.toMatch(SILENCE);
    expect(v.status).toBe("intact");
  });

  it("a restart that lowers the heartbeat (6 s to 1 s max gap) is judged with its own: 1.5 s is a silence", async () => {
    const path = await writeRestart("lowered", 3000, 500, true);
    const v = await verifyLog(path, { publicKey: PUBLIC_PEM });
    expect(v.reasons.join("\n")).toMatch(/of silence inside one writer's session, more than the max gap 1\.0 s/);
    expect(v.status).toBe("incomplete");
  });

  it("a restart whose log.open no checkpoint seals keeps the last sealed heartbeat for its gaps", async () => {
    const path = await writeRestart("unsealed", 500, 3000, true);
    const ls = lines(path);
    // cut the restart's close and closing checkpoint: nothing seals its log.open (heartbeat 3 s)
    const last = ls.map((l) => String(parse(l).event?.action)).lastIndexOf("request");
    const cut = join(dir, "unsealed-cut.log");
    writeFileSync(cut, `${ls.slice(0, last + 1).join("\n")}\n`);
    const v = await verifyLog(cut, { publicKey: PUBLIC_PEM });
    expect(v.reasons.join("\n")).toMatch(/of silence inside one writer's session, more than the max gap 1\.0 s/);
    expect(v.status).toBe("incomplete");
  });
});
