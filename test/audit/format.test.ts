import { PassThrough } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createAuditRecorder,
  escapeForTerminal,
  formatAuditLog,
  formatAuditRecord,
} from "../../packages/acs-baseline/src/audit/index.js";
import { CLIENT, THUMB } from "../support/auditRecords.js";

describe("formatAuditRecord / formatAuditLog", () => {
  it("renders each record on one readable line", async () => {
    const stream = new PassThrough();
    let out = "";
    stream.on("data", (c: Buffer) => (out += c.toString()));
    const r = createAuditRecorder({ destination: stream });
    r.setPrincipal({ clientId: CLIENT, credentialType: "certificate", certificateThumbprint: THUMB });
    r.write({
      action: "request",
      outcome: "success",
      controls: ["IM-1", "LT-4"],
      client: "SmsClient",
      http: { method: "POST", path: "/sms", status: 202, requestId: CLIENT, durationMs: 41 },
    });
    r.write({
      action: "credential.resolve",
      outcome: "success",
      level: "warn",
      controls: ["IM-3"],
      reason: "client secret fallback in use",
    });
    r.write({
      action: "token.acquire",
      outcome: "failure",
      controls: ["IM-1"],
      error: { code: "invalid_client", message: "AADSTS700027" },
    });
    await r.close();
    const lines = formatAuditLog(`${out}not json\n`).split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3}Z INFO {2}#1 request ok SmsClient POST \/sms -> 202 41ms \[IM-1 LT-4\] \(certificate client 0b8c3a4e… cert 3f3f3f3f3f3f…\) req=0b8c3a4e-/,
    );
    expect(lines[1]).toMatch(/WARN {2}#2 credential.resolve ok \[IM-3\] reason: client secret fallback in use/);
    expect(lines[2]).toMatch(/ERROR #3 token.acquire FAILED \[IM-1\] error: invalid_client AADSTS700027/);
    expect(lines[3]).toMatch(/#4 log.close ok \[LT-4\] 3 records/);
    expect(lines[4]).toBe("(unreadable line: 8 characters)");
    expect(formatAuditRecord({ hello: 1 })).toBe('{"hello":1}');
  });
});

describe("escapeForTerminal: nothing in a record can move the cursor or reorder a line", () => {
  // C0, DEL, C1, line/paragraph separators, every format character (bidi embeddings/overrides/isolates/marks,
  // zero-width spaces and joiners, BOM, invisible tag characters) and lone surrogates
  const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;

  it("ESC sequences, CR/LF and bidi overrides in every member are shown as escapes", () => {
    const evil = "ok\u001b[2J\u001b]0;pwned\u0007\rX\nY\u202eevil\u2066z\u2069\u200f";
    const line = formatAuditRecord({
      schema: "acs-baseline.audit/1",
      time: `2026-01-01T00:00:00.000Z${evil}`,
      level: evil,
      seq: 1,
      event: { action: evil, outcome: "failure", reason: evil },
      acs: { client: evil },
      http: { method: evil, path: evil, status: 202, durationMs: 1, requestId: evil, correlationId: evil },
      baseline: { controls: [evil] },
      error: { code: evil, message: evil },
      variables: [evil],
      principal: { clientId: evil, credentialType: evil, certificateThumbprint: evil },
    });
    expect(line).not.toMatch(UNSAFE);
    expect(line).toContain("\\u{001b}[2J");
    expect(line).toContain("\\u{202e}evil");
    expect(formatAuditRecord({ other: evil })).not.toMatch(UNSAFE);
    expect(formatAuditLog(`{"schema":"acs-baseline.audit/1","event":{"action":"a\\u001b[31m"}}\n`)).not.toMatch(UNSAFE);
  });

  it("invisible text (zero-width characters, a BOM, Unicode tag characters) is shown, not hidden", () => {
    // "evil.js" with a zero-width space reads as "evil.js"; tag characters carry text a terminal does not show.
    const hidden = `evil\u200b.js \ufeff${[..."ignore previous"].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join("")}`;
    const out = escapeForTerminal(hidden);
    expect(out).toContain("evil\\u{200b}.js");
    expect(out).toContain("\\u{feff}");
    expect(out).toContain("\\u{e0069}\\u{e0067}");
    expect(out).not.toMatch(UNSAFE);
    expect(escapeForTerminal("Zoë, 日本, 😀, 👩\u200d💻")).toBe("Zoë, 日本, 😀, 👩\\u{200d}💻");
  });

  it("property: for any text, the output has no unsafe character and the safe ones are unchanged", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
        const out = escapeForTerminal(s);
        expect(out).not.toMatch(UNSAFE);
        expect(out.replace(/\\u\{[0-9a-f]{4,6}\}/g, "")).toBe(s.replace(new RegExp(UNSAFE.source, "gu"), ""));
      }),
      { numRuns: 500 },
    );
  });
});
