// Any single tampering with a chained log is detected; only the removal of whole lines at the end is not (and then
// verify-log warns that the log is not closed).
import { generateKeyPairSync, sign } from "node:crypto";
import { PassThrough } from "node:stream";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createAuditRecorder, verifyLogText } from "../../packages/acs-baseline/src/audit/index.js";

let lines: string[] = [];

beforeAll(async () => {
  const stream = new PassThrough();
  let out = "";
  stream.on("data", (c: Buffer) => (out += c.toString()));
  const r = createAuditRecorder({ destination: stream });
  r.setPrincipal({ clientId: "0b8c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d", credentialType: "certificate" });
  r.write({ action: "credential.resolve", outcome: "success", controls: ["IM-1", "IM-3"] });
  for (let i = 0; i < 10; i++) {
    r.write({
      action: "request",
      outcome: i % 3 === 0 ? "failure" : "success",
      controls: ["IM-1", "LT-4"],
      client: "SmsClient",
      http: { method: "POST", path: `/sms/${i}`, status: i % 3 === 0 ? 429 : 202, durationMs: 10 + i },
    });
  }
  await r.close();
  lines = out.trimEnd().split("\n");
  expect(lines).toHaveLength(12);
});

const text = (ls: string[]) => `${ls.join("\n")}\n`;

type Tamper =
  | { kind: "delete"; i: number }
  | { kind: "swap"; i: number; j: number }
  | { kind: "duplicate"; i: number; at: number }
  | { kind: "edit"; i: number; pos: number; ch: string }
  | { kind: "deleteTail"; n: number };

const tamper: fc.Arbitrary<Tamper> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), i: fc.integer({ min: 0, max: 10 }) }),
  fc
    .record({
      kind: fc.constant("swap" as const),
      i: fc.integer({ min: 0, max: 11 }),
      j: fc.integer({ min: 0, max: 11 }),
    })
    .filter((t) => t.i !== t.j),
  fc.record({
    kind: fc.constant("duplicate" as const),
    i: fc.integer({ min: 0, max: 11 }),
    at: fc.integer({ min: 0, max: 12 }),
  }),
  fc.record({
    kind: fc.constant("edit" as const),
    i: fc.integer({ min: 0, max: 11 }),
    pos: fc.nat(),
    ch: fc.constantFrom(..."0123456789abcdefXYZ_ ".split("")),
  }),
  fc.record({ kind: fc.constant("deleteTail" as const), n: fc.integer({ min: 1, max: 11 }) }),
);

function apply(t: Tamper): string[] | undefined {
  const ls = [...lines];
  switch (t.kind) {
    case "delete":
      ls.splice(t.i, 1);
      return ls;
    case "swap":
      [ls[t.i], ls[t.j]] = [ls[t.j], ls[t.i]];
      return ls;
    case "duplicate":
      ls.splice(t.at, 0, ls[t.i]);
      return ls;
    case "edit": {
      const line = ls[t.i];
      const pos = t.pos % line.length;
      if (line[pos] === t.ch) return undefined; // not a change
      ls[t.i] = line.slice(0, pos) + t.ch + line.slice(pos + 1);
      return ls;
    }
    case "deleteTail":
      return ls.slice(0, ls.length - t.n);
  }
}

describe("verifyLog detects every tampering (property)", () => {
  it("edits, deletions, insertions and reorderings fail; tail deletion is reported as not closed", async () => {
    await fc.assert(
      fc.asyncProperty(tamper, async (t) => {
        const tampered = apply(t);
        fc.pre(tampered !== undefined);
        const res = await verifyLogText(text(tampered));
        if (t.kind === "deleteTail") {
          expect(res.intact).toBe(true);
          expect(res.closed).toBe(false);
          expect(res.records).toBe(12 - t.n);
          expect(res.warnings.join()).toMatch(/does not end with log.close/);
        } else {
          expect(res.intact, JSON.stringify(t)).toBe(false);
          expect(res.problem).toBeDefined();
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("with signed checkpoints, the public key and the anchor, every tampering fails — a cut tail too (property)", () => {
  let signedLines: string[] = [];
  let anchorLines: string[] = [];
  let publicKey = "";
  beforeAll(async () => {
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    publicKey = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
    const stream = new PassThrough();
    let out = "";
    stream.on("data", (c: Buffer) => (out += c.toString()));
    const r = createAuditRecorder({
      destination: stream,
      checkpoint: { everyRecords: 4, everyMs: 0 },
      signing: {
        sign: (d) =>
          Promise.resolve(new Uint8Array(sign("sha256", d, { key: pair.privateKey, dsaEncoding: "ieee-p1363" }))),
        publicKey,
        keyId: "k",
      },
    });
    for (let i = 0; i < 12; i++) {
      r.write({
        action: "request",
        outcome: "success",
        controls: ["IM-1", "LT-4"],
        client: "SmsClient",
        http: { method: "POST", path: `/sms/${i}`, status: 202, durationMs: i },
      });
      if (i % 4 === 3) await new Promise((res) => setTimeout(res, 70)); // a batch is written, the remote signature comes back
    }
    await r.close();
    signedLines = out.trimEnd().split("\n");
    anchorLines = signedLines.filter((l) => l.includes('"log.checkpoint"'));
    expect(anchorLines.length).toBeGreaterThanOrEqual(3);
  });

  it("delete, swap, duplicate, edit, cut tail", async () => {
    const n = () => signedLines.length;
    const arb = fc.oneof(
      fc.record({ kind: fc.constant("delete" as const), i: fc.nat() }),
      fc.record({ kind: fc.constant("swap" as const), i: fc.nat(), j: fc.nat() }),
      fc.record({ kind: fc.constant("duplicate" as const), i: fc.nat(), at: fc.nat() }),
      fc.record({
        kind: fc.constant("edit" as const),
        i: fc.nat(),
        pos: fc.nat(),
        ch: fc.constantFrom(...'0123456789abcdefXYZ_ \\"'.split("")),
      }),
      fc.record({ kind: fc.constant("deleteTail" as const), n: fc.integer({ min: 1, max: 30 }) }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async (t) => {
        const ls = [...signedLines];
        if (t.kind === "delete") ls.splice(t.i % n(), 1);
        else if (t.kind === "swap") {
          const [i, j] = [t.i % n(), t.j % n()];
          fc.pre(i !== j && ls[i] !== ls[j]);
          [ls[i], ls[j]] = [ls[j], ls[i]];
        } else if (t.kind === "duplicate") ls.splice(t.at % (n() + 1), 0, ls[t.i % n()]);
        else if (t.kind === "edit") {
          const i = t.i % n();
          const pos = t.pos % ls[i].length;
          fc.pre(ls[i][pos] !== t.ch);
          ls[i] = ls[i].slice(0, pos) + t.ch + ls[i].slice(pos + 1);
        } else ls.splice(Math.max(0, n() - (t.n % n() || 1)));
        const res = await verifyLogText(ls.length > 0 ? text(ls) : "", { publicKey, anchorLines });
        expect(res.status, JSON.stringify(t)).not.toBe("intact");
      }),
      { numRuns: 400 },
    );
  });
});
