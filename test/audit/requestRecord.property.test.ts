// The fast path for successful `request` records (serializeRequestRecord) must write exactly what the generic
// serialiser writes for the same event, for any input (hostile strings included): the chain's hashes and every
// verifier depend on one canonical form. The batch buffer must hash exactly the bytes it writes.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BatchBuffer } from "../../packages/acs-baseline/src/audit/write/batchBuffer.js";
import { canonicalJson } from "../../packages/acs-baseline/src/audit/record/canonical.js";
import type { RecordContext } from "../../packages/acs-baseline/src/audit/record/serializeRecord.js";
import type { RequestRecordInput } from "../../packages/acs-baseline/src/audit/record/requestRecord.js";
import { serializeRecord, setContextPrincipal } from "../../packages/acs-baseline/src/audit/record/serializeRecord.js";
import {
  REQUEST_CONTROLS,
  serializeRequestRecord,
} from "../../packages/acs-baseline/src/audit/record/requestRecord.js";

const guid = fc.uuid();
const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
);
const maybeId = fc.option(
  fc.oneof(
    guid,
    guid.map((g) => g.toUpperCase()),
    text,
  ),
  { nil: undefined },
);

const requestInput: fc.Arbitrary<RequestRecordInput> = fc.record({
  client: fc.oneof(fc.constantFrom("SmsClient", "CommunicationIdentityClient", "EmailClient"), text),
  method: fc.oneof(fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"), text),
  path: fc.oneof(
    fc.constantFrom("/sms", "/identities", "/identities/abc/:issueAccessToken"),
    text.map((t) => `/${t}`),
    text,
  ),
  status: fc.oneof(fc.integer({ min: 100, max: 399 }), fc.double({ noNaN: false })),
  requestId: maybeId,
  correlationId: maybeId,
  durationMs: fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double()),
});

const context: fc.Arbitrary<RecordContext> = fc
  .record({
    endpoint: fc.option(fc.oneof(fc.constant("contoso.communication.azure.com"), fc.constant("127.0.0.1:8443")), {
      nil: undefined,
    }),
    tenantId: fc.option(fc.oneof(guid, text), { nil: undefined }),
    clientId: fc.option(fc.oneof(guid, text), { nil: undefined }),
    thumbprint: fc.option(fc.stringMatching(/^[0-9a-f]{64}$/), { nil: undefined }),
  })
  .map(({ endpoint, tenantId, clientId, thumbprint }) => {
    const ctx: RecordContext = { principal: undefined, principalJson: "", endpoint };
    setContextPrincipal(ctx, { tenantId, clientId, certificateThumbprint: thumbprint, credentialType: "certificate" });
    return ctx;
  });

const chainPosition = fc.option(
  fc.record({ seq: fc.integer({ min: 1, max: 2 ** 40 }), prevHash: fc.stringMatching(/^[0-9a-f]{64}$/) }),
  { nil: undefined },
);

// W3C-shaped ids (kept) and odd ones (dropped on both paths)
const traceArb = fc.option(
  fc.record({
    traceId: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.constantFrom("0".repeat(32), "XYZ", "")),
    spanId: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), fc.constantFrom("0".repeat(16), "not-a-span")),
  }),
  { nil: undefined },
);

describe("serializeRequestRecord", () => {
  it("writes byte for byte what serializeRecord writes for the same request event", () => {
    fc.assert(
      fc.property(requestInput, context, chainPosition, traceArb, (r0, ctx, chain, tr) => {
        const r: RequestRecordInput = tr === undefined ? r0 : { ...r0, traceId: tr.traceId, spanId: tr.spanId };
        const time = "2026-11-28T12:00:00.000Z";
        const generic = serializeRecord(
          {
            action: "request",
            outcome: "success",
            controls: REQUEST_CONTROLS,
            client: r.client,
            http: {
              method: r.method,
              path: r.path,
              status: r.status,
              requestId: r.requestId,
              correlationId: r.correlationId,
              durationMs: r.durationMs,
            },
            ...(tr !== undefined ? { trace: tr } : {}),
          },
          ctx,
          time,
          "info",
          chain,
        );
        const fast = serializeRequestRecord(r, ctx, time, chain);
        expect(fast).toBe(generic);
        // …and it is canonical JSON.
        expect(canonicalJson(JSON.parse(fast))).toBe(fast);
      }),
      { numRuns: 500 },
    );
  });
});

describe("BatchBuffer", () => {
  // Records are never empty objects (every record has `schema`, `time`, …), so `minKeys: 1`.
  it("writes each record once as a line and hashes exactly its UTF-8 bytes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(text, fc.integer()), { minKeys: 1 }), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.boolean(),
        (objects, chain) => {
          const batch = new BatchBuffer();
          const jsons = objects.map((o) => canonicalJson(o));
          const hashes = jsons.map((j) => batch.appendLine(j, chain));
          const lines = batch.take().toString("utf8").split("\n");
          expect(lines.pop()).toBe("");
          expect(lines).toHaveLength(jsons.length);
          jsons.forEach((json, i) => {
            if (!chain) {
              expect(hashes[i]).toBeUndefined();
              expect(lines[i]).toBe(json);
              return;
            }
            const expected = createHash("sha256").update(json, "utf8").digest("hex");
            expect(hashes[i]).toBe(expected);
            const written = JSON.parse(lines[i] ?? "") as Record<string, unknown>;
            expect(written.hash).toBe(expected);
            delete written.hash;
            expect(JSON.stringify(written)).toBe(JSON.stringify(JSON.parse(json)));
          });
          expect(batch.length).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("grows for records larger than its buffer", () => {
    const batch = new BatchBuffer();
    const big = JSON.stringify({ a: "é".repeat(200_000) });
    const hash = batch.appendLine(big, true);
    expect(hash).toBe(createHash("sha256").update(big, "utf8").digest("hex"));
    const line = batch.take().toString("utf8");
    expect(line.endsWith(`,"hash":"${hash}"}\n`)).toBe(true);
  });
});
