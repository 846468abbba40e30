/**
 * `readAppEvidence` fed outside input: logs written by the real audit recorder with arbitrary refusal codes, client
 * names and actions. Only `refuse` records with a key code are counted, each exactly once; a client is echoed only
 * when it has a class name's shape; a log naming thousands of clients cannot grow the groups without bound.
 */
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AuditAction } from "../../packages/acs-baseline/src/index.js";
import { createAuditRecorder } from "../../packages/acs-baseline/src/index.js";
import { KEY_REFUSAL_CODES, readAppEvidence } from "../../packages/cli/src/estate/appEvidence.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-app-evidence-");
const KEY_CODES = [...KEY_REFUSAL_CODES];
const NAMED = ["SmsClient", "EmailClient"];
const CLIENT_SHAPE = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
let n = 0;

interface Event {
  action: AuditAction;
  code: string;
  client: string | undefined;
}

/** Writes the events through a real recorder and reads the evidence back. */
async function evidenceOf(events: readonly Event[]) {
  const file = join(dir, `p${n++}.log`);
  const recorder = createAuditRecorder({ destination: file });
  for (const e of events)
    recorder.write({
      action: e.action,
      outcome: "failure",
      controls: ["IM-1"],
      error: { code: e.code },
      ...(e.client !== undefined ? { client: e.client } : {}),
    });
  await recorder.close();
  return readAppEvidence([file], new Date(Date.now() - 3_600_000), new Date(Date.now() + 3_600_000));
}

const event = fc.record({
  action: fc.constantFrom<AuditAction>("refuse", "refuse", "request", "config.warning"),
  code: fc.oneof(
    fc.constantFrom(...KEY_CODES, "INSECURE_ENDPOINT", "LOCAL_AUTH_ENABLED", "key_auth_blocked"),
    fc.string({ maxLength: 30 }),
  ),
  client: fc.option(
    fc.oneof(
      fc.constantFrom(...NAMED),
      fc.string({ maxLength: 80 }).filter((s) => !NAMED.includes(s)),
    ),
    { nil: undefined },
  ),
});

describe("readAppEvidence (property)", () => {
  it("counts each key refusal once, by code and named client, and echoes only class-shaped clients", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 25 }), async (events) => {
        const evidence = await evidenceOf(events);
        expect(evidence.logs[0]).toMatchObject({ verdict: "intact", reasons: [] });
        const refusals = events.filter((e) => e.action === "refuse" && KEY_REFUSAL_CODES.has(e.code));
        for (const code of KEY_CODES) {
          const groups = evidence.keyRefusals.filter((r) => r.code === code);
          const total = groups.reduce((sum, r) => sum + r.count, 0);
          expect(total).toBe(refusals.filter((e) => e.code === code).length);
          for (const name of NAMED)
            expect(groups.find((r) => r.client === name)?.count ?? 0).toBe(
              refusals.filter((e) => e.code === code && e.client === name).length,
            );
        }
        for (const r of evidence.keyRefusals) {
          expect(KEY_REFUSAL_CODES.has(r.code)).toBe(true);
          if (r.client !== undefined) expect(r.client).toMatch(CLIENT_SHAPE);
          expect(r.count).toBeGreaterThan(0);
          expect(Date.parse(r.first)).toBeLessThanOrEqual(Date.parse(r.last));
        }
      }),
      { numRuns: 40 },
    );
  });

  it("a log naming a thousand clients keeps at most 64 groups and loses no count", async () => {
    const events = Array.from(
      { length: 1000 },
      (_, i): Event => ({
        action: "refuse",
        code: "KEY_AUTH_BLOCKED",
        client: `Client${i}`,
      }),
    );
    const evidence = await evidenceOf(events);
    expect(evidence.keyRefusals.length).toBeLessThanOrEqual(64);
    expect(evidence.keyRefusals.reduce((sum, r) => sum + r.count, 0)).toBe(1000);
  });
});
