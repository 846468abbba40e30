/**
 * `verifyLog`'s `onRecord`: called with each verified record, in order, in the same pass; never with a line after the
 * first problem, nor with a line that is not a record (logger mode).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAuditRecorder, verifyLog } from "../../packages/acs-baseline/src/index.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-on-record-");

async function writeLog(name: string, refusals: number): Promise<string> {
  const path = join(dir, name);
  const recorder = createAuditRecorder({ destination: path });
  for (let i = 0; i < refusals; i++)
    recorder.write({
      action: "refuse",
      outcome: "failure",
      controls: ["IM-1"],
      error: { code: "KEY_AUTH_BLOCKED" },
      client: "SmsClient",
    });
  await recorder.close();
  return path;
}

async function seqsOf(path: string, loggerMode = false) {
  const seqs: unknown[] = [];
  const result = await verifyLog(path, { loggerMode, onRecord: (r) => seqs.push(r.seq) });
  return { seqs, result };
}

describe("verifyLog onRecord", () => {
  it("sees every verified record once, in order", async () => {
    const { seqs, result } = await seqsOf(await writeLog("intact.log", 4));
    expect(result.status).toBe("intact");
    expect(seqs).toEqual([1, 2, 3, 4, 5]); // four refusals and log.close
    expect(seqs.length).toBe(result.records);
  });

  it("sees nothing from the first problem on", async () => {
    const path = await writeLog("edited.log", 4);
    const lines = readFileSync(path, "utf8").split("\n");
    lines[2] = lines[2].replace("SmsClient", "EmailClient");
    writeFileSync(path, lines.join("\n"));
    const { seqs, result } = await seqsOf(path);
    expect(result.status).toBe("tampered");
    expect(seqs).toEqual([1, 2]);
  });

  it("never sees a line that is not a record (logger mode)", async () => {
    const path = await writeLog("logger.log", 2);
    const lines = readFileSync(path, "utf8").split("\n");
    lines.splice(1, 0, JSON.stringify({ level: 30, msg: "app line", event: { action: "refuse" } }));
    writeFileSync(path, lines.join("\n"));
    const { seqs, result } = await seqsOf(path, true);
    expect(result.otherLines).toBe(1);
    expect(seqs).toEqual([1, 2, 3]);
  });
});
