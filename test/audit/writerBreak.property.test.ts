// Outside input the audit code parses: the tail of an existing file (the writer) and whole logs and anchors (the
// verifier). Properties: whatever foreign or torn bytes end a file, the next writer names the break and the honest
// records on both sides verify; the verifier never throws on arbitrary input and never calls garbage intact when a
// key is required.
import { generateKeyPairSync } from "node:crypto";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAuditRecorder, verifyLog, verifyLogText } from "../../packages/acs-baseline/src/audit/index.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-break-");
const REQUEST = {
  action: "request" as const,
  outcome: "success" as const,
  controls: ["IM-1", "LT-4"] as const,
  client: "SmsClient",
  http: { method: "POST", path: "/sms", status: 202, durationMs: 1 },
};
// Foreign bytes that do not pose as a record (a line with both "hash" and "prevHash" strings would be one)
const foreign = fc.string({ unit: "binary", maxLength: 300 }).filter((s) => !s.includes("prevHash"));

describe("a robust writer (property)", () => {
  it("any foreign or torn tail: the next writer continues the chain with a log.open naming it; the file verifies", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(foreign, fc.boolean(), async (junk, terminated) => {
        fc.pre(junk.length > 0);
        const path = join(dir, `w${n++}.log`);
        const a = createAuditRecorder({ destination: path });
        a.write({ ...REQUEST, controls: ["IM-1", "LT-4"] });
        await a.close();
        appendFileSync(path, terminated ? `${junk.replace(/\n+$/, "")}\n` : junk);
        const b = createAuditRecorder({ destination: path });
        b.write({ ...REQUEST, controls: ["IM-1", "LT-4"] });
        await b.close();
        const v = await verifyLog(path);
        expect(v.status, `${JSON.stringify(junk)} ${String(terminated)}\n${readFileSync(path, "utf8")}`).toBe("intact");
        expect(v.records).toBe(5);
        expect(v.lastSeq).toBe(5);
      }),
      { numRuns: 60 },
    );
  });
});

describe("the verifier on arbitrary input (property)", () => {
  const publicKey = generateKeyPairSync("ec", { namedCurve: "P-256" })
    .publicKey.export({ type: "spki", format: "pem" })
    .toString();
  const jsonish = fc.oneof(
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.json(),
    fc.jsonValue().map((v) =>
      JSON.stringify({
        schema: "acs-baseline.audit/1",
        seq: 1,
        prevHash: "0".repeat(64),
        hash: "a".repeat(64),
        x: v,
      }),
    ),
  );
  it("never throws; never intact with --public-key; anchors of garbage are ignored", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(jsonish, { maxLength: 8 }),
        fc.array(jsonish, { maxLength: 4 }),
        async (lines, anchor) => {
          const text = lines.join("\n");
          const plain = await verifyLogText(text);
          expect(["intact", "tampered", "incomplete"]).toContain(plain.status);
          const keyed = await verifyLogText(text, { publicKey, anchorLines: anchor, maxGapMs: 1000 });
          expect(keyed.status).not.toBe("intact");
        },
      ),
      { numRuns: 300 },
    );
  });
});
